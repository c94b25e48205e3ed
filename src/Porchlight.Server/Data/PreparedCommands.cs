using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Porchlight.Server.Data;

/// <summary>
/// Commands kept on one open connection, one per statement text, so a statement that runs again is not
/// parsed and planned again: on SQLite, preparing the message path's statements cost several times
/// running them (decisions/0012). Belongs to whoever holds the connection open, and is disposed with it.
/// </summary>
public sealed class PreparedCommands(DbContext db) : IAsyncDisposable
{
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);

    /// <summary>
    /// The command for <paramref name="text"/>, without parameters, in the context's transaction: these
    /// statements never run on their own.
    /// </summary>
    public DbCommand For(string text)
    {
        if (!_commands.TryGetValue(text, out var command))
        {
            command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = text;
            _commands[text] = command;
        }

        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Plain statements run inside the caller's transaction.");
        command.Parameters.Clear();
        return command;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _commands.Values)
        {
            await command.DisposeAsync();
        }

        _commands.Clear();
    }
}
