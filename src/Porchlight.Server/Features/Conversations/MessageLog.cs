using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Conversations;

/// <summary>A message stored by <see cref="MessageLog"/>; <c>Created</c> is false when a retry found the earlier one.</summary>
public sealed record Appended(Message Message, bool Created);

/// <summary>
/// Appends messages to conversations: gap-free per-conversation sequence numbers, and at most one message
/// per client id, however often and however concurrently a sender retries.
/// </summary>
public sealed class MessageLog(AppDbContext db, TimeProvider clock)
{
    /// <summary>
    /// Stores a message in <paramref name="conversation"/> (tracked by this context) and commits. Inside a
    /// transaction the caller opened, it joins that transaction and leaves the commit to the caller.
    /// </summary>
    public async Task<Appended> AppendAsync(
        Conversation conversation, string clientId, MessageKind kind, Guid? authorAgentId, string text, CancellationToken cancellationToken)
    {
        var ownTransaction = db.Database.CurrentTransaction is null;
        // On SQLite this is BEGIN IMMEDIATE: writers queue here instead of failing when they upgrade a read.
        await using var transaction = ownTransaction ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        if (await FindAsync(conversation.Id, clientId, cancellationToken) is { } earlier)
        {
            return new Appended(earlier, Created: false);
        }

        var sequence = await NextSequenceAsync(conversation, cancellationToken);
        var message = Message.Create(conversation, sequence, clientId, kind, authorAgentId, text, clock.GetUtcNow().UtcDateTime);
        db.Add(message);
        conversation.Record(message);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            if (transaction is not null)
            {
                await transaction.CommitAsync(cancellationToken);
            }
        }
        catch (DbUpdateException) when (ownTransaction)
        {
            // Another request with the same client id committed first (PostgreSQL lets both pass the look-up above).
            await transaction!.RollbackAsync(cancellationToken);
            db.ChangeTracker.Clear();
            return await FindAsync(conversation.Id, clientId, cancellationToken) is { } winner
                ? new Appended(winner, Created: false)
                : throw new InvalidOperationException($"Message {clientId} could not be stored and no earlier copy exists.");
        }

        return new Appended(message, Created: true);
    }

    /// <summary>The conversation's messages after <paramref name="afterSequence"/>, oldest first.</summary>
    public Task<List<Message>> ReadAsync(Guid conversationId, long afterSequence, int limit, bool forContact, CancellationToken cancellationToken) =>
        db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversationId && m.Sequence > afterSequence
                && (!forContact || m.Kind == MessageKind.Incoming || m.Kind == MessageKind.Outgoing))
            .OrderBy(m => m.Sequence)
            .Take(limit)
            .ToListAsync(cancellationToken);

    private Task<Message?> FindAsync(Guid conversationId, string clientId, CancellationToken cancellationToken) =>
        db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.ConversationId == conversationId && m.ClientId == clientId, cancellationToken);

    // The increment happens in the database, inside the transaction: on PostgreSQL the row stays locked
    // until commit, on SQLite the write lock is already held, so two senders never get the same number.
    private async Task<long> NextSequenceAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        if (db.Entry(conversation).State == EntityState.Added)
        {
            return conversation.LastSequence + 1;
        }

        await db.Conversations.Where(c => c.Id == conversation.Id)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.LastSequence, c => c.LastSequence + 1), cancellationToken);
        return await db.Conversations.Where(c => c.Id == conversation.Id).Select(c => c.LastSequence).SingleAsync(cancellationToken);
    }
}
