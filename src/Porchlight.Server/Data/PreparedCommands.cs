using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Porchlight.Server.Data;

/// <summary>
/// Commands kept on one open connection, one per statement text, so a statement that runs again is not
/// parsed and planned again: on SQLite, preparing the message path's statements cost several times
/// running them (decisions/0012). Where the provider batches statements (PostgreSQL), many can also go in one
/// round trip: gathered writes (<see cref="Gather"/>) and look-ups of many rows (<see cref="ReadEachAsync"/>).
/// Belongs to whoever holds the connection open, and is disposed with it.
/// </summary>
public sealed class PreparedCommands(DbContext db) : IAsyncDisposable
{
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);

    // While gathering: the statements to send together, and those that must each change exactly one row.
    private DbBatch? _gathered;
    private readonly List<(DbBatchCommand Command, string What)> _oneRow = [];

    /// <summary>
    /// From now until <see cref="FlushAsync"/>, statements run with <see cref="ExecuteAsync"/> are sent together, in
    /// one round trip, where the provider batches statements (PostgreSQL). SQLite runs in the process, has no round
    /// trips to save, and runs each at once as before.
    /// </summary>
    public void Gather()
    {
        var connection = db.Database.GetDbConnection();
        if (connection.CanCreateBatch)
        {
            _gathered ??= connection.CreateBatch();
        }
    }

    /// <summary>
    /// Runs <paramref name="text"/> with the parameters <paramref name="bind"/> adds (it creates them with the command
    /// it is given), now or, while gathering, at the flush. With <paramref name="oneRowOf"/>, the statement must change
    /// exactly one row, or the batch fails as SaveChanges would.
    /// </summary>
    public async Task ExecuteAsync(string text, Action<DbCommand, DbParameterCollection> bind, string? oneRowOf, CancellationToken cancellationToken)
    {
        var command = For(text);
        if (_gathered is null)
        {
            bind(command, command.Parameters);
            if (await command.ExecuteNonQueryAsync(cancellationToken) != 1 && oneRowOf is not null)
            {
                throw new DbUpdateConcurrencyException($"{oneRowOf} was not found to update.");
            }

            return;
        }

        var gathered = _gathered.CreateBatchCommand();
        gathered.CommandText = text;
        bind(command, gathered.Parameters);
        _gathered.BatchCommands.Add(gathered);
        if (oneRowOf is not null)
        {
            _oneRow.Add((gathered, oneRowOf));
        }
    }

    /// <summary>
    /// Runs <paramref name="text"/> once for each of <paramref name="binds"/> and reads the first row of each (null when
    /// it finds none): all in one round trip where the provider batches statements, else one after the other.
    /// </summary>
    public async Task<List<T?>> ReadEachAsync<T>(
        string text, IReadOnlyList<Action<DbCommand, DbParameterCollection>> binds, Func<DbDataReader, T> read, CancellationToken cancellationToken)
        where T : class
    {
        var found = new List<T?>(binds.Count);
        var connection = db.Database.GetDbConnection();
        // One look-up (the message writer's, by key) keeps to its kept command: a batch of one would only cost more.
        if (!connection.CanCreateBatch || binds.Count == 1)
        {
            foreach (var bind in binds)
            {
                var one = For(text);
                bind(one, one.Parameters);
                await using var reader = await one.ExecuteReaderAsync(cancellationToken);
                found.Add(await reader.ReadAsync(cancellationToken) ? read(reader) : null);
            }

            return found;
        }

        if (binds.Count == 0)
        {
            return found;
        }

        // The kept command only makes the parameters, as the provider's type mappings make them.
        var command = For(text);
        await using var batch = connection.CreateBatch();
        batch.Transaction = command.Transaction;
        foreach (var bind in binds)
        {
            var each = batch.CreateBatchCommand();
            each.CommandText = text;
            bind(command, each.Parameters);
            batch.BatchCommands.Add(each);
        }

        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            do
            {
                found.Add(await reader.ReadAsync(cancellationToken) ? read(reader) : null);
            }
            while (await reader.NextResultAsync(cancellationToken));
        }

        return found;
    }

    /// <summary>Sends what was gathered, in the context's transaction, and stops gathering.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_gathered is not { } batch)
        {
            return;
        }

        _gathered = null;
        await using (batch)
        {
            if (batch.BatchCommands.Count > 0)
            {
                batch.Transaction = db.Database.CurrentTransaction?.GetDbTransaction()
                    ?? throw new InvalidOperationException("Plain statements run inside the caller's transaction.");
                await batch.ExecuteNonQueryAsync(cancellationToken);
            }

            var missing = _oneRow.FirstOrDefault(s => s.Command.RecordsAffected != 1);
            _oneRow.Clear();
            if (missing.What is not null)
            {
                throw new DbUpdateConcurrencyException($"{missing.What} was not found to update.");
            }
        }
    }

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
        if (_gathered is { } unsent)
        {
            _gathered = null;
            await unsent.DisposeAsync();
        }

        foreach (var command in _commands.Values)
        {
            await command.DisposeAsync();
        }

        _commands.Clear();
    }
}
