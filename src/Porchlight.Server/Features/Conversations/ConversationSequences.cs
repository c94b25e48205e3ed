using System.Globalization;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Conversations;

/// <summary>Hands out gap-free message sequence numbers per conversation.</summary>
public static class ConversationSequences
{
    // Portable SQL (SQLite 3.35+ and PostgreSQL both have RETURNING): one statement raises the count and reads it.
    private const string Reserve = """UPDATE "Conversations" SET "LastSequence" = "LastSequence" + @count WHERE "Id" = @id RETURNING "LastSequence" """;

    /// <summary>
    /// Raises the conversation's last sequence by <paramref name="count"/> and returns the new value; the
    /// caller numbers its messages up to it. The increment happens in the database, inside the caller's
    /// transaction: on PostgreSQL the row stays locked until commit, on SQLite the write lock is already held,
    /// so two writers (or two nodes) never hand out the same number. One plain statement rather than a LINQ
    /// update and a read-back: it runs for every message, and the query pipeline cost more than the write.
    /// </summary>
    public static async Task<long> ReserveAsync(AppDbContext db, PreparedCommands commands, Guid conversationId, int count, CancellationToken cancellationToken)
    {
        var command = commands.For(Reserve);
        var id = db.Model.FindEntityType(typeof(Conversation))!.FindProperty(nameof(Conversation.Id))!;
        command.Parameters.Add(RowStatements.Parameter(command, id, "@id", conversationId));
        var countParameter = command.CreateParameter();
        countParameter.ParameterName = "@count";
        countParameter.Value = count;
        command.Parameters.Add(countParameter);
        return await command.ExecuteScalarAsync(cancellationToken) is { } last and not DBNull
            ? Convert.ToInt64(last, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"Conversation {conversationId} does not exist.");
    }
}
