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

/// <summary>A message from the contact of a conversation in an API inbox, relayed by the integration.</summary>
public sealed record ContactMessageRequest(string? ClientId, string? Text, List<Guid>? AttachmentIds = null);

/// <summary>The contact has seen the conversation up to <c>sequence</c> (the integration knows; Porchlight does not).</summary>
public sealed record ContactReadRequest(long? Sequence);

/// <summary>
/// An integration starts a conversation in an API inbox for a contact it names: the contact is found or added (saved
/// first, so a retry finds the same one), then the conversation starts with the message (<see cref="ChannelConversations"/>);
/// routing takes it as it takes a chat. A retry with the same client id answers what the first attempt stored.
/// </summary>
public sealed class StartApiConversation(
    AppDbContext db, ActingAgent actor, ContactDirectory contacts, ContactAttributeRules attributeRules, ChannelConversations conversations, TimeProvider clock)
{
    // Two requests adding one new contact collide on the unique external id; the next attempt finds the winner's.
    private const int Attempts = 3;

    public async Task<Result<Posted<ChannelConversationStarted>>> HandleAsync(Guid inboxId, StartApiConversationRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        MessageRules.ClientId(errors, request.ClientId);
        MessageRules.Text(errors, request.Text, attachmentIds: null);
        if (request.ContactId is null)
        {
            request = request with { Contact = await ContactReference.CheckAsync(errors, "contact", request.Contact, attributeRules, cancellationToken) };
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

        var contact = await ContactAsync(request, cancellationToken);
        if (!contact.Succeeded)
        {
            return contact.Failure!;
        }

        return await conversations.StartAsync(
            new ChannelOpening(actor.WorkspaceId, inboxId, contact.Value, ConversationOrigin.Api, request.ClientId!, request.Text!.Trim(), []), cancellationToken);
    }

    private async Task<Result<Guid>> ContactAsync(StartApiConversationRequest request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (request.ContactId is { } contactId)
        {
            if (await db.Contacts.FirstOrDefaultAsync(c => c.Id == contactId, cancellationToken) is not { } known)
            {
                return Failure.Invalid("contactId", "No contact of this workspace has this id.");
            }

            known.Seen(now);
            await db.SaveChangesAsync(cancellationToken);
            return known.Id;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var contact = await contacts.FindOrAddAsync(actor.WorkspaceId, request.Contact!, now, cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                return contact.Id;
            }
            catch (DbUpdateException) when (attempt < Attempts)
            {
                db.ChangeTracker.Clear();
            }
        }
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

    private const string OnlyApiInboxes =
        "This inbox is a web widget: its visitors write through the widget. Only API inboxes take their contacts' messages through the API.";

    public static Task<Failure?> CheckAsync(AppDbContext db, Guid inboxId, CancellationToken cancellationToken) =>
        InboxRules.RequireChannelAsync(db, inboxId, InboxChannel.Api, OnlyApiInboxes, cancellationToken);

    public static async Task<Result<ConversationInInbox>> ConversationAsync(AppDbContext db, Guid conversationId, CancellationToken cancellationToken)
    {
        var found = await db.Conversations.AsNoTracking().Where(c => c.Id == conversationId)
            .Select(c => new { c.InboxId, c.ContactId, Channel = db.Inboxes.Where(i => i.Id == c.InboxId).Select(i => i.Channel).First() })
            .FirstOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return Failure.NotFound("The conversation");
        }

        return found.Channel == InboxChannel.Api ? new ConversationInInbox(found.InboxId, found.ContactId) : Failure.Conflict(OnlyApiInboxes);
    }
}
