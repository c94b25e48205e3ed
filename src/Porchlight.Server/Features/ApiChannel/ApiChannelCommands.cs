using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Contacts;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.ApiChannel;

/// <summary>
/// The contact's first message in an API inbox. <c>contactId</c> names a contact Porchlight already knows; otherwise
/// <c>contact</c> names them the integration's way (external id, email) and they are found or added.
/// </summary>
public sealed record StartApiConversationRequest(string? ClientId, string? Text, Guid? ContactId = null, ContactReference? Contact = null);

public sealed record ApiConversationStarted(ConversationResponse Conversation, MessageResponse Message);

/// <summary>A message from the contact of a conversation in an API inbox, relayed by the integration.</summary>
public sealed record ContactMessageRequest(string? ClientId, string? Text, List<Guid>? AttachmentIds = null);

/// <summary>The contact has seen the conversation up to <c>sequence</c> (the integration knows; Porchlight does not).</summary>
public sealed record ContactReadRequest(long? Sequence);

/// <summary>
/// An integration starts a conversation in an API inbox for a contact it names: the contact is found or added, the
/// conversation gets the workspace's next number, and the message is stored, in one transaction; routing and the
/// assistant then take it as they take a chat. A retry with the same client id answers what the first attempt stored.
/// </summary>
public sealed class StartApiConversation(
    AppDbContext db, ActingAgent actor, ContactDirectory contacts, MessageLog log, MessageWriteGate gate, MessageViews views,
    ConversationBroadcaster broadcaster, Assistant.AssistantSessions assistant, TimeProvider clock)
{
    // Two nodes adding one new contact, or starting one conversation, collide on a unique index; the next attempt finds the winner's.
    private const int Attempts = 3;

    public async Task<Result<Posted<ApiConversationStarted>>> HandleAsync(Guid inboxId, StartApiConversationRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        MessageRules.ClientId(errors, request.ClientId);
        MessageRules.Text(errors, request.Text, attachmentIds: null);
        if (request.ContactId is null)
        {
            ContactReference.Validate(errors, "contact", request.Contact);
        }
        else if (request.Contact is not null)
        {
            errors.Add("contact", "Send contactId or contact, not both.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        if (await ApiInbox.CheckAsync(db, inboxId, cancellationToken) is { } refused)
        {
            return refused;
        }

        using var writing = await gate.EnterAsync(cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartAsync(inboxId, request, cancellationToken);
            }
            catch (DbUpdateException) when (attempt < Attempts)
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<Result<Posted<ApiConversationStarted>>> StartAsync(Guid inboxId, StartApiConversationRequest request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var clientId = request.ClientId!;
        Conversation conversation;
        Contact contact;
        Message message;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            if (request.ContactId is { } contactId)
            {
                if (await db.Contacts.FirstOrDefaultAsync(c => c.Id == contactId, cancellationToken) is not { } known)
                {
                    return Failure.Invalid("contactId", "No contact of this workspace has this id.");
                }

                contact = known;
                contact.Seen(now);
            }
            else
            {
                contact = await contacts.FindOrAddAsync(actor.WorkspaceId, request.Contact!, now, cancellationToken);
            }

            if (await FindStartedAsync(contact.Id, clientId, cancellationToken) is { } earlier)
            {
                return new Posted<ApiConversationStarted>(earlier, Created: false);
            }

            var number = await ConversationNumbers.NextAsync(db, actor.WorkspaceId, cancellationToken);
            conversation = Conversation.Start(actor.WorkspaceId, inboxId, contact.Id, number, ConversationOrigin.Api, clientId, now);
            db.Conversations.Add(conversation);
            await assistant.JoinAsync(conversation, cancellationToken);
            message = (await log.AppendAsync(conversation, clientId, MessageKind.Incoming, null, request.Text!.Trim(), [], cancellationToken)).Value!.Message;
            await transaction.CommitAsync(cancellationToken);
        }

        var described = (await views.DescribeAsync(conversation, [message], cancellationToken))[0];
        var started = ConversationResponse.From(conversation, contact);
        await gate.Announce(() => broadcaster.MessageCreatedAsync(started, described));
        return new Posted<ApiConversationStarted>(new(started, described), Created: true);
    }

    private async Task<ApiConversationStarted?> FindStartedAsync(Guid contactId, string clientId, CancellationToken cancellationToken)
    {
        var conversation = await db.Conversations.AsNoTracking()
            .FirstOrDefaultAsync(c => c.ContactId == contactId && c.OpeningClientId == clientId, cancellationToken);
        if (conversation is null)
        {
            return null;
        }

        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId, cancellationToken);
        var first = await db.Messages.AsNoTracking().FirstAsync(m => m.ConversationId == conversation.Id && m.ClientId == clientId, cancellationToken);
        var described = (await views.DescribeAsync(conversation, [first], cancellationToken))[0];
        return new ApiConversationStarted(ConversationResponse.From(conversation, contact), described);
    }
}

/// <summary>
/// The contact's next message in a conversation of an API inbox, with text, files the integration uploaded to the
/// conversation, or both; like a visitor's, it reopens a resolved conversation. Idempotent by client id.
/// </summary>
public sealed class PostContactMessage(AppDbContext db, ActingAgent actor, MessageWriter writer)
{
    public async Task<Result<Posted<MessageResponse>>> HandleAsync(Guid conversationId, ContactMessageRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        MessageRules.ClientId(errors, request.ClientId);
        MessageRules.Text(errors, request.Text, request.AttachmentIds);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var conversation = await ApiInbox.ConversationAsync(db, conversationId, cancellationToken);
        if (!conversation.Succeeded)
        {
            return conversation.Failure!;
        }

        var draft = new MessageDraft(
            actor.WorkspaceId,
            conversationId,
            new ConversationOwner(conversation.Value!.InboxId, conversation.Value.ContactId),
            request.ClientId!,
            MessageKind.Incoming,
            AuthorAgentId: null,
            request.Text?.Trim() ?? "",
            request.AttachmentIds ?? [],
            RelayedByAgentId: actor.AgentId);
        var written = await writer.WriteAsync(draft, cancellationToken);
        return written.Succeeded ? new Posted<MessageResponse>(written.Value!.Message, written.Value.Created) : written.Failure!;
    }
}

/// <summary>The integration reports what its customer has read: agents see their replies read, as in a chat.</summary>
public sealed class MarkReadByApiContact(AppDbContext db, ConversationBroadcaster broadcaster)
{
    public async Task<Result<Done>> HandleAsync(Guid conversationId, ContactReadRequest request, CancellationToken cancellationToken)
    {
        if (ContactReads.Refuse(request.Sequence) is { } invalid)
        {
            return invalid;
        }

        var found = await ApiInbox.ConversationAsync(db, conversationId, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure!;
        }

        var conversation = await db.Conversations.FirstAsync(c => c.Id == conversationId, cancellationToken);
        await ContactReads.MarkAsync(db, broadcaster, conversation, request.Sequence!.Value, cancellationToken);
        return new Done();
    }
}

/// <summary>Only API inboxes take their contacts' messages through the API: a widget's come from its visitors.</summary>
internal static class ApiInbox
{
    public sealed record ConversationInInbox(Guid InboxId, Guid ContactId);

    private static Failure NotAnApiInbox => Failure.Conflict(
        "This inbox is a web widget: its visitors write through the widget. Only API inboxes take their contacts' messages through the API.");

    public static async Task<Failure?> CheckAsync(AppDbContext db, Guid inboxId, CancellationToken cancellationToken) =>
        await db.Inboxes.AsNoTracking().Where(i => i.Id == inboxId).Select(i => (InboxChannel?)i.Channel).FirstOrDefaultAsync(cancellationToken) switch
        {
            null => Failure.NotFound("The inbox"),
            InboxChannel.Api => null,
            _ => NotAnApiInbox,
        };

    public static async Task<Result<ConversationInInbox>> ConversationAsync(AppDbContext db, Guid conversationId, CancellationToken cancellationToken)
    {
        var found = await db.Conversations.AsNoTracking().Where(c => c.Id == conversationId)
            .Select(c => new { c.InboxId, c.ContactId, Channel = db.Inboxes.Where(i => i.Id == c.InboxId).Select(i => i.Channel).First() })
            .FirstOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return Failure.NotFound("The conversation");
        }

        return found.Channel == InboxChannel.Api ? new ConversationInInbox(found.InboxId, found.ContactId) : NotAnApiInbox;
    }
}
