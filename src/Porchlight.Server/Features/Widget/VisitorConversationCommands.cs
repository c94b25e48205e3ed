using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Attachments;
using Porchlight.Server.Features.Contacts;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Widget;

/// <summary><c>proactiveMessageId</c>: the proactive message the visitor answers; it becomes the conversation's first message.</summary>
public sealed record StartConversationRequest(string? ClientId, string? Text, Dictionary<string, string>? Fields, List<Guid>? AttachmentIds = null, Guid? ProactiveMessageId = null);

public sealed record OfflineMessageRequest(string? ClientId, string? Name, string? Email, string? Text);

public sealed record SendVisitorMessageRequest(string? ClientId, string? Text, List<Guid>? AttachmentIds = null);

public sealed record MarkReadRequest(long? Sequence);

public sealed record StartedConversation(VisitorConversation Conversation, VisitorMessage Message);

/// <summary>
/// A visitor's first message: creates the contact (if this is their first conversation), the
/// conversation with the workspace's next number, and the message with the files the visitor uploaded for
/// it, in one transaction. The answers must satisfy the inbox's pre-chat form. A retry with the same client
/// id returns what the first attempt stored.
/// </summary>
public sealed class StartVisitorConversation(
    AppDbContext db, TenantScope tenant, MessageLog log, MessageWriteGate gate, MessageViews views, ConversationBroadcaster broadcaster,
    Campaigns.VisitorProactiveMessages proactive, Assistant.AssistantSessions assistant, Privacy.WorkspaceRedaction redaction, TimeProvider clock)
{
    public async Task<Result<Posted<StartedConversation>>> HandleAsync(
        VisitorIdentity visitor, StartConversationRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        MessageRules.ClientId(errors, request.ClientId);
        MessageRules.Text(errors, request.Text, request.AttachmentIds);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var (earlier, inbox) = await BeforeStartAsync(visitor, request.ClientId!, cancellationToken);
        if (earlier is not null || inbox is null)
        {
            return earlier is not null ? new Posted<StartedConversation>(earlier, Created: false) : Failure.NotFound("The inbox");
        }

        var answers = inbox.PreChatForm.Answers(request.Fields, errors);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var attachments = await PendingAttachments.FindBeforeConversationAsync(db, visitor.InboxId, visitor.ContactId, request.AttachmentIds, cancellationToken);
        if (!attachments.Succeeded)
        {
            return attachments.Failure!;
        }

        Campaigns.ProactiveMessage? answered = null;
        if (request.ProactiveMessageId is { } proactiveId && (answered = await proactive.FindAsync(visitor, proactiveId, cancellationToken)) is null)
        {
            return Failure.Invalid("proactiveMessageId", "No message to this visitor has this id.");
        }

        return await StartAsync(
            visitor, ConversationOrigin.Chat, request.ClientId!, request.Text?.Trim() ?? "", answers, attachments.Value!, cancellationToken, answered);
    }

    /// <summary>The offline form: the visitor leaves an email address and a question for agents to answer by email.</summary>
    public async Task<Result<Posted<StartedConversation>>> HandleAsync(
        VisitorIdentity visitor, OfflineMessageRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        MessageRules.ClientId(errors, request.ClientId);
        errors.Required("text", request.Text, Message.MaxTextLength)
            .Email("email", request.Email).MaxLength("name", request.Name, Contact.MaxNameLength);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var (earlier, inbox) = await BeforeStartAsync(visitor, request.ClientId!, cancellationToken);
        if (earlier is not null || inbox is null)
        {
            return earlier is not null ? new Posted<StartedConversation>(earlier, Created: false) : Failure.NotFound("The inbox");
        }

        var fields = new Dictionary<string, string> { [PreChatForm.EmailKey] = request.Email!.Trim() };
        if (!string.IsNullOrWhiteSpace(request.Name))
        {
            fields[PreChatForm.NameKey] = request.Name.Trim();
        }

        return await StartAsync(visitor, ConversationOrigin.OfflineForm, request.ClientId!, request.Text!.Trim(), fields, [], cancellationToken);
    }

    /// <summary>The conversation an earlier attempt with this client id started, else the inbox to start one in (null when it is gone).</summary>
    private async Task<(StartedConversation? Earlier, Inbox? Inbox)> BeforeStartAsync(VisitorIdentity visitor, string clientId, CancellationToken cancellationToken)
    {
        tenant.Enter(visitor.WorkspaceId);
        if (await FindStartedAsync(visitor, clientId, cancellationToken) is { } earlier)
        {
            return (earlier, null);
        }

        return (null, await db.Inboxes.AsNoTracking().FirstOrDefaultAsync(i => i.Id == visitor.InboxId, cancellationToken));
    }

    private async Task<Result<Posted<StartedConversation>>> StartAsync(
        VisitorIdentity visitor,
        ConversationOrigin origin,
        string clientId,
        string text,
        Dictionary<string, string> fields,
        List<Attachment> attachments,
        CancellationToken cancellationToken,
        Campaigns.ProactiveMessage? answered = null)
    {
        // The answers are the visitor's words as much as the message is (a form may ask for an order or account
        // number); the email address stays as given: it is how agents reach the visitor.
        var detectors = await redaction.OfAsync(visitor.WorkspaceId, cancellationToken);
        fields = fields.ToDictionary(
            f => f.Key,
            f => f.Key == PreChatForm.EmailKey ? f.Value
                : Privacy.PiiRedaction.Mask(f.Value, detectors, f.Key == PreChatForm.NameKey ? Contact.MaxNameLength : CustomAttributes.MaxValueLength));
        using var writing = await gate.EnterAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        Conversation conversation;
        Contact contact;
        Message message;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            try
            {
                contact = await db.Contacts.FirstOrDefaultAsync(c => c.Id == visitor.ContactId, cancellationToken)
                    ?? db.Contacts.Add(Contact.ForVisitor(visitor.WorkspaceId, visitor.ContactId, now)).Entity;
                fields.TryGetValue(PreChatForm.NameKey, out var name);
                fields.TryGetValue(PreChatForm.EmailKey, out var email);
                contact.Describe(name, email, fields.Where(f => f.Key is not (PreChatForm.NameKey or PreChatForm.EmailKey)).ToDictionary(), now);
                var number = await ConversationNumbers.NextAsync(db, visitor.WorkspaceId, cancellationToken);
                conversation = Conversation.Start(visitor.WorkspaceId, visitor.InboxId, contact.Id, number, origin, clientId, now);
                db.Conversations.Add(conversation);
                if (answered is null)
                {
                    await assistant.JoinAsync(conversation, cancellationToken);
                }
                else
                {
                    // What the visitor answers comes first, from the agent who sent it.
                    await log.AppendAsync(conversation, "proactive-" + answered.Id.ToString("N"), MessageKind.Outgoing, answered.SenderId, answered.Text, [], cancellationToken);
                    answered.RepliedWith(conversation.Id, now);
                }

                // Inside this transaction a lost race for a file throws (its message id is a concurrency token) rather than failing softly.
                message = (await log.AppendAsync(conversation, clientId, MessageKind.Incoming, null, text, attachments, cancellationToken)).Value!.Message;
                await transaction.CommitAsync(cancellationToken);
            }
            catch (DbUpdateException e)
            {
                // The same start raced itself; the attempt that committed is the answer. Or another start took a file first.
                await transaction.RollbackAsync(cancellationToken);
                db.ChangeTracker.Clear();
                if (await FindStartedAsync(visitor, clientId, cancellationToken) is { } winner)
                {
                    return new Posted<StartedConversation>(winner, Created: false);
                }

                return e is DbUpdateConcurrencyException
                    ? Failure.Conflict("A file was sent with another message meanwhile.")
                    : throw new InvalidOperationException("A conversation could not be started and no earlier start exists.", e);
            }
        }

        var described = (await views.DescribeAsync(conversation, [message], cancellationToken))[0];
        await gate.Announce(() => broadcaster.MessageCreatedAsync(ConversationResponse.From(conversation, contact), described));
        var visible = VisitorMessage.From(described);
        return new Posted<StartedConversation>(new(VisitorConversation.From(conversation, visible), visible), Created: true);
    }

    private async Task<StartedConversation?> FindStartedAsync(VisitorIdentity visitor, string clientId, CancellationToken cancellationToken)
    {
        var conversation = await db.Conversations.AsNoTracking()
            .FirstOrDefaultAsync(c => c.ContactId == visitor.ContactId && c.OpeningClientId == clientId, cancellationToken);
        if (conversation is null)
        {
            return null;
        }

        var first = await db.Messages.AsNoTracking().FirstAsync(m => m.ConversationId == conversation.Id && m.ClientId == clientId, cancellationToken);
        var described = (await views.DescribeAsync(conversation, [first], cancellationToken))[0];
        var visible = VisitorMessage.From(described);
        return new StartedConversation(VisitorConversation.From(conversation, visible), visible);
    }
}

/// <summary>
/// A visitor's message in one of their own conversations, with text, their own uploads, or both; a contact's
/// message reopens a resolved one.
/// </summary>
public sealed class SendVisitorMessage(MessageWriter writer)
{
    public async Task<Result<Posted<VisitorMessage>>> HandleAsync(
        VisitorIdentity visitor, Guid conversationId, SendVisitorMessageRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        MessageRules.ClientId(errors, request.ClientId);
        MessageRules.Text(errors, request.Text, request.AttachmentIds);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var draft = new MessageDraft(
            visitor.WorkspaceId,
            conversationId,
            new ConversationOwner(visitor.InboxId, visitor.ContactId),
            request.ClientId!,
            MessageKind.Incoming,
            AuthorAgentId: null,
            request.Text?.Trim() ?? "",
            request.AttachmentIds ?? []);
        var written = await writer.WriteAsync(draft, cancellationToken);
        return written.Succeeded ? new Posted<VisitorMessage>(VisitorMessage.From(written.Value!.Message), written.Value.Created) : written.Failure!;
    }
}

/// <summary>The visitor's conversations in this inbox, and the messages of one of them after a sequence.</summary>
public sealed class ReadVisitorConversations(AppDbContext db, TenantScope tenant, MessageLog log, MessageViews views, Routing.QueueEstimates queues)
{
    public const int MaxConversations = 50;
    public const int MaxMessages = 200;

    public async Task<Result<List<VisitorConversation>>> ListAsync(VisitorIdentity visitor, CancellationToken cancellationToken)
    {
        tenant.Enter(visitor.WorkspaceId);
        var conversations = await db.Conversations.AsNoTracking()
            .Where(c => c.ContactId == visitor.ContactId && c.InboxId == visitor.InboxId)
            .OrderByDescending(c => c.LastActivityAt)
            .Take(MaxConversations)
            .Select(c => new
            {
                Conversation = c,
                Last = db.Messages.Where(m => m.ConversationId == c.Id && (m.Kind == MessageKind.Incoming || m.Kind == MessageKind.Outgoing))
                    .OrderByDescending(m => m.Sequence).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);
        var listed = new List<VisitorConversation>(conversations.Count);
        foreach (var item in conversations)
        {
            var last = item.Last is null ? null : VisitorMessage.From((await views.DescribeAsync(item.Conversation, [item.Last], cancellationToken))[0]);
            var queue = item.Conversation is { QueuedAt: not null, TeamId: { } teamId }
                ? (await queues.PlacesAsync(teamId, cancellationToken)).GetValueOrDefault(item.Conversation.Id)
                : null;
            listed.Add(VisitorConversation.From(item.Conversation, last, queue));
        }

        return listed;
    }

    public async Task<Result<List<VisitorMessage>>> MessagesAsync(
        VisitorIdentity visitor, Guid conversationId, long afterSequence, CancellationToken cancellationToken)
    {
        tenant.Enter(visitor.WorkspaceId);
        if (await VisitorRules.OwnConversation(db, visitor, conversationId).AsNoTracking().FirstOrDefaultAsync(cancellationToken) is not { } conversation)
        {
            return Failure.NotFound("The conversation");
        }

        var messages = await log.ReadAsync(conversationId, Math.Max(0, afterSequence), MaxMessages, forContact: true, cancellationToken);
        return (await views.DescribeAsync(conversation, messages, cancellationToken)).Select(VisitorMessage.From).ToList();
    }
}

/// <summary>The visitor has seen the conversation up to a sequence (see <see cref="ContactReads"/>).</summary>
public sealed class MarkReadByVisitor(AppDbContext db, TenantScope tenant, ConversationBroadcaster broadcaster)
{
    public async Task<Result<Done>> HandleAsync(VisitorIdentity visitor, Guid conversationId, MarkReadRequest request, CancellationToken cancellationToken)
    {
        if (ContactReads.Refuse(request.Sequence) is { } invalid)
        {
            return invalid;
        }

        tenant.Enter(visitor.WorkspaceId);
        if (await VisitorRules.OwnConversation(db, visitor, conversationId).FirstOrDefaultAsync(cancellationToken) is not { } conversation)
        {
            return Failure.NotFound("The conversation");
        }

        await ContactReads.MarkAsync(db, broadcaster, conversation, request.Sequence!.Value, cancellationToken);
        return new Done();
    }
}

internal static class VisitorRules
{
    public static IQueryable<Conversation> OwnConversation(AppDbContext db, VisitorIdentity visitor, Guid conversationId) =>
        db.Conversations.Where(c => c.Id == conversationId && c.ContactId == visitor.ContactId && c.InboxId == visitor.InboxId);
}
