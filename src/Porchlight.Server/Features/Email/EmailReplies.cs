using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Features.Email;

/// <summary>
/// Emails an agent's reply to a contact who is not in a chat: in an email conversation, and in one begun with the
/// widget's offline form (see <see cref="ConversationMail"/> for the way it goes and how it stays in the thread). The
/// reply's files go along and the customer's last words are quoted, as mail programs do. Runs from the outbox: a
/// connection that fails is retried; a refusal is noted in the conversation. A reply sent through a mailbox is not
/// sent again; one sent just before a crash may go twice, with the same Message-ID (at least once, never lost).
/// </summary>
public sealed class EmailReplies(AppDbContext db, ConversationMail mail, ConversationChanges changes)
    : IDomainEventHandler<MessagePosted>, IDomainEventHandler<OfflineReplyWritten>
{
    public Task HandleAsync(MessagePosted posted, CancellationToken cancellationToken) =>
        ReplyAsync(posted.ConversationId, posted.MessageId, ConversationOrigin.Email, cancellationToken);

    public Task HandleAsync(OfflineReplyWritten reply, CancellationToken cancellationToken) =>
        ReplyAsync(reply.ConversationId, reply.MessageId, ConversationOrigin.OfflineForm, cancellationToken);

    private async Task ReplyAsync(Guid conversationId, Guid messageId, ConversationOrigin origin, CancellationToken cancellationToken)
    {
        var conversation = await db.Conversations.FirstOrDefaultAsync(c => c.Id == conversationId, cancellationToken);
        var message = await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == messageId, cancellationToken);
        if (conversation?.Origin != origin || message is not { Kind: MessageKind.Outgoing, DeletedAt: null })
        {
            return; // Not a reply of this kind of conversation, or withdrawn before it went out.
        }

        var author = message.AuthorAgentId is { } agentId
            ? await db.Agents.AsNoTracking().Where(a => a.Id == agentId).Select(a => a.DisplayName).FirstOrDefaultAsync(cancellationToken)
            : null;
        // Written by a rule, not a person: marked so that two automatic systems cannot keep answering each other.
        var outcome = await mail.SendAsync(conversation, new OutgoingMail(
            message.Text, "Reply to your message", AnswersThread: true, author, await QuoteAsync(message, cancellationToken), message.Id,
            message.AuthorAgentId is null ? "auto-replied" : null), cancellationToken);
        if (outcome.NotSentBecause is { } why)
        {
            await changes.AppendActivityAsync(conversation, null, $"The reply was not emailed: {why}", cancellationToken);
        }
        else if (outcome.SentTo is { } to && origin == ConversationOrigin.OfflineForm)
        {
            // Agents of an email conversation know replies go by email; in a chat's conversation it is worth saying.
            await changes.AppendActivityAsync(conversation, null, $"The reply was emailed to {to}", cancellationToken);
        }
    }

    /// <summary>The customer's last words before the reply, quoted.</summary>
    private async Task<string?> QuoteAsync(Message reply, CancellationToken cancellationToken)
    {
        var last = await db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == reply.ConversationId && m.Kind == MessageKind.Incoming && m.Sequence < reply.Sequence && m.DeletedAt == null)
            .OrderByDescending(m => m.Sequence).Select(m => new { m.Text, m.CreatedAt }).FirstOrDefaultAsync(cancellationToken);
        return last is { Text.Length: > 0 }
            ? $"On {last.CreatedAt:ddd, d MMM yyyy HH:mm} UTC, you wrote:\n" + string.Join('\n', last.Text.Split('\n').Select(line => "> " + line)) + "\n"
            : null;
    }
}
