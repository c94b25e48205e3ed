using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Attachments;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Conversations;

public sealed record SendMessageRequest(string? Text, bool? Private, string? ClientId, List<Guid>? AttachmentIds = null);

public sealed record ChangeStatusRequest(ConversationStatus? Status, DateTime? SnoozedUntil);

/// <summary>
/// Who should have the conversation: an agent, a team (whose queue it joins when no agent is named), both, or
/// neither. A note travels with it. <c>OverCap</c> lets a supervisor assign to an agent at their cap.
/// </summary>
public sealed record AssignRequest(Guid? AssigneeId, Guid? TeamId, string? Note = null, bool? OverCap = null);

public sealed record ChangePriorityRequest(ConversationPriority? Priority);

public sealed record ChangeLabelsRequest(List<string>? Labels);

/// <summary>All of a conversation's attributes: keys left out are removed.</summary>
public sealed record ChangeAttributesRequest(Dictionary<string, string>? Attributes);

public sealed record AgentReadRequest(long? Sequence);

/// <summary>An agent's reply to the contact, or a private note for teammates, with text, uploaded attachments, or both.</summary>
public sealed class SendAgentMessage(ActingAgent actor, MessageWriter writer, TenantScope tenant, AppDbContext db)
{
    public async Task<Result<Posted<MessageResponse>>> HandleAsync(Guid conversationId, SendMessageRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        MessageRules.Text(errors, request.Text, request.AttachmentIds);
        // Optional for agents and integrations: the server picks one when none is sent.
        if (request.ClientId is not null)
        {
            MessageRules.ClientId(errors, request.ClientId);
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        // The writer works outside the agent's unit of work, so its inbox access is checked here, and only when it is
        // limited: everyone else's message goes straight to the writer, as it always did.
        if (tenant.InboxesOfAgentId is not null && !await db.Conversations.AnyAsync(c => c.Id == conversationId, cancellationToken))
        {
            return Failure.NotFound("The conversation");
        }

        var draft = new MessageDraft(
            actor.WorkspaceId,
            conversationId,
            Owner: null,
            request.ClientId ?? TimeOrderedIds.Next().ToString("N"),
            request.Private == true ? MessageKind.Note : MessageKind.Outgoing,
            actor.AgentId,
            request.Text?.Trim() ?? "",
            request.AttachmentIds ?? []);
        var written = await writer.WriteAsync(draft, cancellationToken);
        return written.Succeeded ? new Posted<MessageResponse>(written.Value!.Message, written.Value.Created) : written.Failure!;
    }
}

/// <summary>Rules every sender of a message follows.</summary>
public static class MessageRules
{
    /// <summary>The sender's idempotency key: 8–64 characters of [A-Za-z0-9_-].</summary>
    public static void ClientId(FieldErrors errors, string? clientId)
    {
        if (!Message.IsValidClientId(clientId))
        {
            errors.Add("clientId", $"{Message.MinClientIdLength}–{Message.MaxClientIdLength} characters of A–Z, a–z, 0–9, '_' and '-'.");
        }
    }

    /// <summary>Text is required, except for a message that carries attachments, which may have none.</summary>
    public static void Text(FieldErrors errors, string? text, IReadOnlyCollection<Guid>? attachmentIds)
    {
        if (attachmentIds is { Count: > 0 })
        {
            errors.MaxLength("text", text, Message.MaxTextLength);
        }
        else
        {
            errors.Required("text", text, Message.MaxTextLength);
        }

        PendingAttachments.Validate(errors, attachmentIds);
    }
}

/// <summary>Status, snooze, assignment, priority and labels of a conversation, each leaving an activity in the thread.</summary>
public sealed class ChangeConversation(
    AppDbContext db, ActingAgent actor, ConversationChanges changes, Routing.AssignConversation assign, Routing.AssignmentAuthority authority, TimeProvider clock)
{
    public async Task<Result<ConversationResponse>> StatusAsync(Guid conversationId, ChangeStatusRequest request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (request.Status is not { } status || !Enum.IsDefined(status))
        {
            return Failure.Invalid("status", "One of Open, Pending, Snoozed, Resolved.");
        }

        if (status == ConversationStatus.Snoozed && (request.SnoozedUntil is not { } until || until.ToUniversalTime() <= now))
        {
            return Failure.Invalid("snoozedUntil", "A time in the future, required to snooze.");
        }

        var changed = await ChangeAsync(conversationId, conversation =>
        {
            if (conversation.Status == status && conversation.SnoozedUntil == request.SnoozedUntil?.ToUniversalTime())
            {
                return null;
            }

            conversation.ChangeStatus(status, request.SnoozedUntil?.ToUniversalTime(), now);
            return status switch
            {
                ConversationStatus.Resolved => $"{actor.Name} resolved the conversation",
                ConversationStatus.Snoozed => $"{actor.Name} snoozed the conversation until {request.SnoozedUntil!.Value.ToUniversalTime():yyyy-MM-dd HH:mm} UTC",
                ConversationStatus.Pending => $"{actor.Name} marked the conversation pending",
                _ => $"{actor.Name} reopened the conversation",
            };
        }, cancellationToken);
        if (changed.Value is { AssigneeId: { } assignee } && status is ConversationStatus.Resolved or ConversationStatus.Snoozed)
        {
            authority.AgentMayTakeMore(actor.WorkspaceId, assignee); // Room under the agent's cap: their teams' queues may move.
        }

        QueueMayHaveChanged(changed);
        return changed;
    }

    public Task<Result<ConversationResponse>> AssignAsync(Guid conversationId, AssignRequest request, CancellationToken cancellationToken) =>
        assign.HandleAsync(conversationId, request, cancellationToken);

    public async Task<Result<ConversationResponse>> PriorityAsync(Guid conversationId, ChangePriorityRequest request, CancellationToken cancellationToken)
    {
        if (request.Priority is not { } priority || !Enum.IsDefined(priority))
        {
            return Failure.Invalid("priority", "One of None, Low, Medium, High, Urgent.");
        }

        var changed = await ChangeAsync(conversationId, conversation =>
        {
            if (conversation.Priority == priority)
            {
                return null;
            }

            conversation.ChangePriority(priority);
            return $"{actor.Name} set the priority to {priority}";
        }, cancellationToken);
        QueueMayHaveChanged(changed);
        return changed;
    }

    // A waiting conversation that was resolved, snoozed or reprioritised moves the others in its team's queue.
    private void QueueMayHaveChanged(Result<ConversationResponse> changed)
    {
        if (changed.Value is { AssigneeId: null, TeamId: { } teamId })
        {
            authority.TeamMayAssign(actor.WorkspaceId, teamId);
        }
    }

    public async Task<Result<ConversationResponse>> LabelsAsync(Guid conversationId, ChangeLabelsRequest request, CancellationToken cancellationToken)
    {
        if (request.Labels is not { } labels || labels.Count > Conversation.MaxLabels
            || labels.Any(l => string.IsNullOrWhiteSpace(l) || l.Trim().Length > Conversation.MaxLabelLength))
        {
            return Failure.Invalid("labels", $"Up to {Conversation.MaxLabels} labels of 1–{Conversation.MaxLabelLength} characters.");
        }

        return await ChangeAsync(conversationId, conversation =>
        {
            var before = string.Join(',', conversation.Labels);
            conversation.ChangeLabels(labels);
            return before == string.Join(',', conversation.Labels) ? null : $"{actor.Name} set the labels to {string.Join(", ", conversation.Labels)}";
        }, cancellationToken);
    }

    public async Task<Result<ConversationResponse>> AttributesAsync(Guid conversationId, ChangeAttributesRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (request.Attributes is null)
        {
            errors.Add("attributes", "Required: an object of text values (an empty one removes them all).");
        }

        CustomAttributes.Validate(errors, "attributes", request.Attributes);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var attributes = request.Attributes!.ToDictionary(a => a.Key.Trim(), a => a.Value.Trim(), StringComparer.Ordinal);
        return await ChangeAsync(conversationId, conversation =>
        {
            var before = conversation.Attributes;
            conversation.ReplaceAttributes(attributes);
            return DescribeAttributeChange(before, conversation.Attributes);
        }, cancellationToken);
    }

    // "Sam set order_number to 4711 and removed topic", or null when nothing changed.
    private string? DescribeAttributeChange(CustomAttributes before, CustomAttributes after)
    {
        var set = after.Where(a => !before.TryGetValue(a.Key, out var old) || old != a.Value).Select(a => $"{a.Key} to {a.Value}").ToList();
        var removed = before.Keys.Where(k => !after.ContainsKey(k)).ToList();
        var parts = new List<string>();
        if (set.Count > 0)
        {
            parts.Add($"set {string.Join(", ", set)}");
        }

        if (removed.Count > 0)
        {
            parts.Add($"removed {string.Join(", ", removed)}");
        }

        return parts.Count == 0 ? null : $"{actor.Name} {string.Join(" and ", parts)}";
    }

    /// <summary>The agent has seen the conversation up to a sequence; the visitor sees "Seen".</summary>
    public async Task<Result<Done>> ReadAsync(Guid conversationId, AgentReadRequest request, CancellationToken cancellationToken)
    {
        if (request.Sequence is not { } sequence || sequence < 0)
        {
            return Failure.Invalid("sequence", "A message sequence, 0 or more.");
        }

        if (await db.Conversations.FirstOrDefaultAsync(c => c.Id == conversationId, cancellationToken) is not { } conversation)
        {
            return Failure.NotFound("The conversation");
        }

        var before = conversation.AgentReadSequence;
        conversation.MarkReadByAgent(sequence);
        if (conversation.AgentReadSequence != before)
        {
            await db.SaveChangesAsync(cancellationToken);
            await changes.ReadAsync(conversation);
        }

        return new Done();
    }

    // Applies a change to the conversation read under lock (so what it derives, like its place in a queue, follows
    // the latest assignment); when it changed anything, records the activity it describes and tells everyone.
    private async Task<Result<ConversationResponse>> ChangeAsync(Guid conversationId, Func<Conversation, string?> change, CancellationToken cancellationToken)
    {
        var found = true;
        var changed = await changes.DecideAsync(async ct =>
        {
            await RowLocks.LockAsync<Conversation>(db, conversationId, ct);
            if (await db.Conversations.FirstOrDefaultAsync(c => c.Id == conversationId, ct) is not { } conversation)
            {
                found = false;
                return null;
            }

            return change(conversation) is { } activity ? (conversation, activity) : null;
        }, actor.AgentId, cancellationToken);
        if (!found)
        {
            return Failure.NotFound("The conversation");
        }

        changed ??= await db.Conversations.AsNoTracking().FirstAsync(c => c.Id == conversationId, cancellationToken);
        return await changes.DescribeAsync(changed, cancellationToken);
    }
}

/// <summary>
/// What a decided change did to a conversation: the activity that says so (null for none) and the automatic
/// messages it sends or notes it leaves, written by nobody.
/// </summary>
public sealed record ConversationDecision(Conversation Conversation, string? Activity, IReadOnlyList<AutomaticMessage>? Messages = null);

/// <summary>
/// A message written by nobody (an automation, the assistant); <see cref="QuickReplies"/> become buttons for the contact.
/// <see cref="ClientId"/>, when the writer chose one, makes a retried write find the stored message.
/// </summary>
public sealed record AutomaticMessage(MessageKind Kind, string Text, IReadOnlyList<string>? QuickReplies = null, string? ClientId = null);

/// <summary>Stores messages and hands the changed conversation to the broadcaster, in commit order.</summary>
public sealed class ConversationChanges(AppDbContext db, MessageLog log, MessageWriteGate gate, MessageViews views, ConversationBroadcaster broadcaster)
{
    /// <summary>
    /// Appends an activity with the conversation's other changes (tracked by this context) in one commit, and
    /// announces it after every earlier write's announcement, so every listener receives a conversation's
    /// messages in sequence order. Chat messages go through <see cref="MessageWriter"/> instead.
    /// </summary>
    public async Task AppendActivityAsync(Conversation conversation, Guid? authorAgentId, string text, CancellationToken cancellationToken)
    {
        using var _ = await gate.EnterAsync(cancellationToken);
        var appended = await log.AppendAsync(conversation, TimeOrderedIds.Next().ToString("N"), MessageKind.Activity, authorAgentId, text, [], cancellationToken);
        await gate.Announce(() => AnnounceAsync(conversation, appended.Value!));
    }

    /// <summary>
    /// Decides and applies a change inside one transaction with the write gate held, for changes that must read
    /// their premises under lock (an agent's load against their cap). <paramref name="decide"/> locks and reads what
    /// it needs, changes the conversation it returns (tracked by this context) and adds any rows of its own; it
    /// returns null to change nothing. The activity it describes is appended in the same commit and announced; a
    /// null activity commits only its own rows (a log entry) and announces nothing.
    /// </summary>
    /// <returns>The changed conversation, or null when <paramref name="decide"/> declined.</returns>
    public Task<Conversation?> DecideAsync(
        Func<CancellationToken, Task<(Conversation Conversation, string? Activity)?>> decide, Guid? authorAgentId, CancellationToken cancellationToken) =>
        DecideAndWriteAsync(
            async ct => await decide(ct) is { } decided ? new ConversationDecision(decided.Conversation, decided.Activity) : null, authorAgentId, cancellationToken);

    /// <summary>
    /// As <see cref="DecideAsync"/>, and the decision's automatic messages (written by nobody) follow the activity
    /// in the same commit: a change and the reply it sends are stored together or not at all.
    /// </summary>
    public async Task<Conversation?> DecideAndWriteAsync(
        Func<CancellationToken, Task<ConversationDecision?>> decide, Guid? authorAgentId, CancellationToken cancellationToken)
    {
        using var _ = await gate.EnterAsync(cancellationToken);
        // What this context tracks may be older than the rows about to be locked (handlers of one event share a
        // context): reads under the lock must come from the database, not from an earlier handler's copies.
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await decide(cancellationToken) is not { } decided)
        {
            await transaction.RollbackAsync(cancellationToken);
            db.ChangeTracker.Clear();
            return null;
        }

        if (decided.Activity is null && decided.Messages is not { Count: > 0 })
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return decided.Conversation;
        }

        var appended = new List<Appended>();
        if (decided.Activity is not null)
        {
            var activity = await log.AppendAsync(decided.Conversation, TimeOrderedIds.Next().ToString("N"), MessageKind.Activity, authorAgentId, decided.Activity, [], cancellationToken);
            appended.Add(activity.Value!);
        }

        foreach (var message in decided.Messages ?? [])
        {
            var written = await log.AppendAsync(
                decided.Conversation, message.ClientId ?? TimeOrderedIds.Next().ToString("N"), message.Kind, null, message.Text, [], cancellationToken, message.QuickReplies);
            appended.Add(written.Value!);
        }

        if (appended.Count == 0)
        {
            await db.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        foreach (var each in appended)
        {
            await gate.Announce(() => AnnounceAsync(decided.Conversation, each));
        }

        return decided.Conversation;
    }

    public async Task<ConversationResponse> DescribeAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == conversation.ContactId, cancellationToken);
        return ConversationResponse.From(conversation, contact);
    }

    /// <summary>A newly stored message is broadcast with the conversation's new state.</summary>
    private async Task AnnounceAsync(Conversation conversation, Appended appended)
    {
        if (appended.Created)
        {
            var described = (await views.DescribeAsync(conversation, [appended.Message], CancellationToken.None))[0];
            await broadcaster.MessageCreatedAsync(await DescribeAsync(conversation, CancellationToken.None), described);
        }
    }

    public async Task<MessageResponse> DescribeAsync(Conversation conversation, Message message, CancellationToken cancellationToken) =>
        (await views.DescribeAsync(conversation, [message], cancellationToken))[0];

    /// <summary>Describes an edited or deleted message and tells agents and, for replies, the contact.</summary>
    public async Task<MessageResponse> UpdatedAsync(Conversation conversation, Message message, bool conversationChanged)
    {
        var described = await DescribeAsync(conversation, message, CancellationToken.None);
        var conversationResponse = await DescribeAsync(conversation, CancellationToken.None);
        await broadcaster.MessageUpdatedAsync(conversationResponse, described);
        if (conversationChanged)
        {
            await broadcaster.ConversationChangedAsync(conversationResponse);
        }

        return described;
    }

    public Task ReadAsync(Conversation conversation) =>
        broadcaster.ReadByAgentAsync(conversation.Id, conversation.InboxId, conversation.ContactId, conversation.AgentReadSequence);
}
