using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Attachments;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Conversations;

/// <summary>A message stored by <see cref="MessageLog"/>; <c>Created</c> is false when a retry found the earlier one.</summary>
public sealed record Appended(Message Message, bool Created);

/// <summary>
/// Appends messages to conversations: gap-free per-conversation sequence numbers, and at most one message
/// per client id, however often and however concurrently a sender retries.
/// </summary>
public sealed class MessageLog(AppDbContext db, Privacy.WorkspaceRedaction redaction, TimeProvider clock)
{
    /// <summary>
    /// Stores a message in <paramref name="conversation"/> (tracked by this context) that sends
    /// <paramref name="attachments"/> (unsent uploads tracked by this context), and commits. Inside a
    /// transaction the caller opened, it joins that transaction and leaves the commit to the caller.
    /// Fails when another message claimed one of the uploads first; a retry of this same message finds it instead.
    /// </summary>
    public async Task<Result<Appended>> AppendAsync(
        Conversation conversation,
        string clientId,
        MessageKind kind,
        Guid? authorAgentId,
        string text,
        IReadOnlyList<Attachment> attachments,
        CancellationToken cancellationToken,
        IReadOnlyList<string>? quickReplies = null)
    {
        var ownTransaction = db.Database.CurrentTransaction is null;
        // On SQLite this is BEGIN IMMEDIATE: writers queue here instead of failing when they upgrade a read.
        await using var transaction = ownTransaction ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        if (await FindAsync(conversation.Id, clientId, cancellationToken) is { } earlier)
        {
            return new Appended(earlier, Created: false);
        }

        var sequence = await NextSequenceAsync(conversation, cancellationToken);
        var detectors = await redaction.OfAsync(conversation.WorkspaceId, cancellationToken);
        var message = Message.Create(conversation, sequence, clientId, kind, authorAgentId, text, clock.GetUtcNow().UtcDateTime, detectors, quickReplies);
        db.Add(message);
        foreach (var attachment in attachments)
        {
            attachment.AttachTo(message);
        }

        conversation.Record(message, AttachmentSummary(attachments));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            if (transaction is not null)
            {
                await transaction.CommitAsync(cancellationToken);
            }
        }
        catch (DbUpdateException e) when (ownTransaction)
        {
            // Another request with the same client id committed first (PostgreSQL lets both pass the look-up above),
            // or another message took one of the attachments (the concurrency token on its message id).
            await transaction!.RollbackAsync(cancellationToken);
            db.ChangeTracker.Clear();
            if (await FindAsync(conversation.Id, clientId, cancellationToken) is { } winner)
            {
                return new Appended(winner, Created: false);
            }

            return e is DbUpdateConcurrencyException
                ? Failure.Conflict("An attachment was sent with another message meanwhile.")
                : throw new InvalidOperationException($"Message {clientId} could not be stored and no earlier copy exists.", e);
        }

        return new Appended(message, Created: true);
    }

    /// <summary>The stored message with this client id: a retried send answers with it instead of storing a copy.</summary>
    public Task<Message?> FindAsync(Guid conversationId, string clientId, CancellationToken cancellationToken) =>
        db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.ConversationId == conversationId && m.ClientId == clientId, cancellationToken);

    /// <summary>The conversation's messages after <paramref name="afterSequence"/>, oldest first.</summary>
    public Task<List<Message>> ReadAsync(Guid conversationId, long afterSequence, int limit, bool forContact, CancellationToken cancellationToken) =>
        db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversationId && m.Sequence > afterSequence
                && (!forContact || m.Kind == MessageKind.Incoming || m.Kind == MessageKind.Outgoing))
            .OrderBy(m => m.Sequence)
            .Take(limit)
            .ToListAsync(cancellationToken);

    /// <summary>What a conversation list shows for a message without text.</summary>
    public static string? AttachmentSummary(IReadOnlyList<Attachment> attachments) => attachments.Count switch
    {
        0 => null,
        1 => "📎 " + attachments[0].FileName,
        var count => $"📎 {count} files",
    };

    private async Task<long> NextSequenceAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        if (db.Entry(conversation).State == EntityState.Added)
        {
            return conversation.LastSequence + 1;
        }

        await using var commands = new PreparedCommands(db);
        return await ConversationSequences.ReserveAsync(db, commands, conversation.Id, 1, cancellationToken);
    }
}
