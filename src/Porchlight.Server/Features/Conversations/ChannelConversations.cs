using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Attachments;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Conversations;

/// <summary>
/// A contact's first message through a channel other than the widget (the API, email). <paramref name="Alongside"/>
/// adds what the channel keeps of it (an email's record) to be written in the same commit as the conversation.
/// </summary>
public sealed record ChannelOpening(
    Guid WorkspaceId, Guid InboxId, Guid ContactId, ConversationOrigin Origin, string ClientId, string Text,
    IReadOnlyList<Attachment> Attachments, IReadOnlyDictionary<string, string>? Attributes = null, Action<Conversation, Message>? Alongside = null);

public sealed record ChannelConversationStarted(ConversationResponse Conversation, MessageResponse Message);

/// <summary>
/// Starts a conversation with a known contact's first message: the workspace's next number, the conversation and the
/// message with its files, in one transaction; routing then takes it as it takes a chat. Idempotent by the client id,
/// per contact: a retry answers what the first attempt stored (the same id in another inbox is a conflict), and two
/// nodes racing collide on a unique index and the loser answers the winner's.
/// </summary>
public sealed class ChannelConversations(
    AppDbContext db, MessageLog log, MessageWriteGate gate, MessageViews views, ConversationBroadcaster broadcaster, TimeProvider clock)
{
    public async Task<Result<Posted<ChannelConversationStarted>>> StartAsync(ChannelOpening opening, CancellationToken cancellationToken)
    {
        if (await FindStartedAsync(opening, cancellationToken) is { } earlier)
        {
            return earlier.Conversation.InboxId == opening.InboxId
                ? new Posted<ChannelConversationStarted>(earlier, Created: false)
                : Failure.Conflict("This clientId already started a conversation of this contact in another inbox; send a new one.");
        }

        using var writing = await gate.EnterAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        Conversation conversation;
        Message message;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            try
            {
                var number = await ConversationNumbers.NextAsync(db, opening.WorkspaceId, cancellationToken);
                conversation = Conversation.Start(opening.WorkspaceId, opening.InboxId, opening.ContactId, number, opening.Origin, opening.ClientId, now);
                if (opening.Attributes is { Count: > 0 } attributes)
                {
                    conversation.ReplaceAttributes(attributes);
                }

                db.Conversations.Add(conversation);
                // Inside this transaction a lost race for a file throws (its message id is a concurrency token) rather than failing softly.
                message = (await log.AppendAsync(conversation, opening.ClientId, MessageKind.Incoming, null, opening.Text, opening.Attachments, cancellationToken))
                    .Value!.Message;
                if (opening.Alongside is { } alongside)
                {
                    alongside(conversation, message);
                    await db.SaveChangesAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                await transaction.RollbackAsync(cancellationToken);
                db.ChangeTracker.Clear();
                return await FindStartedAsync(opening, cancellationToken) is { Conversation.InboxId: var inboxId } winner && inboxId == opening.InboxId
                    ? new Posted<ChannelConversationStarted>(winner, Created: false)
                    : throw new InvalidOperationException("A conversation could not be started and no earlier start in this inbox exists.");
            }
        }

        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == opening.ContactId, cancellationToken);
        var described = (await views.DescribeAsync(conversation, [message], cancellationToken))[0];
        var started = ConversationResponse.From(conversation, contact);
        await gate.Announce(() => broadcaster.MessageCreatedAsync(started, described));
        return new Posted<ChannelConversationStarted>(new(started, described), Created: true);
    }

    private async Task<ChannelConversationStarted?> FindStartedAsync(ChannelOpening opening, CancellationToken cancellationToken)
    {
        var conversation = await db.Conversations.AsNoTracking()
            .FirstOrDefaultAsync(c => c.ContactId == opening.ContactId && c.OpeningClientId == opening.ClientId, cancellationToken);
        if (conversation is null)
        {
            return null;
        }

        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == opening.ContactId, cancellationToken);
        var first = await db.Messages.AsNoTracking().FirstAsync(m => m.ConversationId == conversation.Id && m.ClientId == opening.ClientId, cancellationToken);
        var described = (await views.DescribeAsync(conversation, [first], cancellationToken))[0];
        return new ChannelConversationStarted(ConversationResponse.From(conversation, contact), described);
    }
}
