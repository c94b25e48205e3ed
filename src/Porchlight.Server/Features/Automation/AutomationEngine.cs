using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Routing;
using Porchlight.Server.Features.Sla;
using Porchlight.Server.Features.Webhooks;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Automation;

/// <summary>
/// Runs the workspace's enabled rules for one trigger on one conversation, in position order. Each rule reads the
/// conversation as the rules before it left it, checks its conditions, and applies its actions in one commit with
/// one activity in the thread and a log entry. Actions raise the same events as an agent's changes, so rules can
/// trigger rules; a rule that has acted on a conversation <see cref="RunsPerWindow"/> times within
/// <see cref="LoopWindow"/> is stopped there (logged once, and said in the thread), which ends any loop.
/// </summary>
public sealed class AutomationEngine(
    AppDbContext db, ConversationChanges changes, AgentCapacity capacity, AssignmentAuthority authority, RuleSubjects subjects,
    HandledEvent handledEvent, WebhookOutbox webhooks, WebhookSender webhookSender, TimeProvider clock)
{
    public const int RunsPerWindow = 3;
    public static readonly TimeSpan LoopWindow = TimeSpan.FromMinutes(1);

    public async Task RunAsync(Guid conversationId, AutomationTrigger trigger, Guid? messageId, CancellationToken cancellationToken)
    {
        var rules = await db.AutomationRules.AsNoTracking().Where(r => r.IsEnabled && r.Trigger == trigger)
            .OrderBy(r => r.Position).ThenBy(r => r.Id).ToListAsync(cancellationToken);
        RuleSubject? subject = null;
        foreach (var rule in rules)
        {
            // Read again only after a rule changed something: the next one sees what it left.
            subject ??= await subjects.ReadAsync(conversationId, messageId, cancellationToken);
            if (subject is null)
            {
                return;
            }

            if (await RuleConditions.MatchAsync(rule.Conditions, subject) && await ApplyAsync(rule, conversationId, trigger, cancellationToken))
            {
                subject = null;
            }
        }
    }

    // Applies one rule's actions; true when it changed the conversation.
    private async Task<bool> ApplyAsync(AutomationRule rule, Guid conversationId, AutomationTrigger trigger, CancellationToken cancellationToken)
    {
        var eventId = handledEvent.OutboxMessageId;
        var before = default((Guid? AssigneeId, ConversationStatus Status));
        var applied = false;
        var changed = await changes.DecideAndWriteAsync(async ct =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            // An agent's row before the conversation's, the order every assignment locks in.
            var load = rule.Actions.FirstOrDefault(a => a.Type == "assignAgent") is { } assign && Guid.TryParse(assign.Value, out var agentId)
                ? await capacity.LockAndReadAsync(agentId, await ChannelOfAsync(conversationId, ct), ct)
                : null;
            await RowLocks.LockAsync<Conversation>(db, conversationId, ct);
            if (await db.Conversations.FirstOrDefaultAsync(c => c.Id == conversationId, ct) is not { } conversation)
            {
                return null;
            }

            // The outbox delivers at least once: a rule that already ran for this event does not run again.
            if (eventId is not null && await db.AutomationRuns.AnyAsync(r => r.OutboxMessageId == eventId && r.RuleId == rule.Id, ct))
            {
                return null;
            }

            before = (conversation.AssigneeId, conversation.Status);
            var since = now - LoopWindow;
            var recent = await db.AutomationRuns.Where(r => r.ConversationId == conversationId && r.RuleId == rule.Id && r.RanAt > since)
                .Select(r => r.Outcome).ToListAsync(ct);
            if (recent.Count(o => o == AutomationOutcome.Applied) >= RunsPerWindow)
            {
                if (recent.Contains(AutomationOutcome.LoopStopped))
                {
                    return null; // Said once already in this window.
                }

                var stopped = $"Automation “{rule.Name}” stopped: it acted on this conversation {RunsPerWindow} times within a minute";
                db.AutomationRuns.Add(AutomationRun.Of(rule, conversationId, trigger, AutomationOutcome.LoopStopped, stopped, eventId, now));
                return new ConversationDecision(conversation, stopped);
            }

            var results = new List<ActionResult>();
            var messages = new List<AutomaticMessage>();
            foreach (var action in rule.Actions)
            {
                if (await ActAsync(action, conversation, load, rule, messages, now, ct) is { } result)
                {
                    results.Add(result);
                }
            }

            applied = results.Any(r => r.Changed);
            var outcome = applied ? AutomationOutcome.Applied : AutomationOutcome.NoChange;
            var summary = results.Count == 0 ? "nothing to change" : string.Join("; ", results.Select(r => r.Text));
            db.AutomationRuns.Add(AutomationRun.Of(rule, conversationId, trigger, outcome, summary, eventId, now));
            return new ConversationDecision(conversation, results.Count == 0 ? null : $"Automation “{rule.Name}”: {summary}", messages);
        }, authorAgentId: null, cancellationToken);
        if (changed is null)
        {
            return false;
        }

        if (rule.Actions.Any(a => a.Type == "sendWebhook"))
        {
            webhookSender.Notify();
        }

        if (changed.IsWaiting && changed.TeamId is { } teamId)
        {
            authority.TeamMayAssign(changed.WorkspaceId, teamId);
        }

        // Room under the previous assignee's cap (unassigned, resolved, snoozed): their teams' queues may move.
        if (before.AssigneeId is { } previous && (changed.AssigneeId != previous || !changed.IsActive))
        {
            authority.AgentMayTakeMore(changed.WorkspaceId, previous);
        }

        return applied;
    }

    /// <summary>What an action did (or why it could not), and whether it changed anything.</summary>
    private sealed record ActionResult(string Text, bool Changed = true);

    // Applies one action to the locked conversation; null when there was nothing to do.
    private async Task<ActionResult?> ActAsync(
        AutomationAction action, Conversation conversation, AgentLoad? load, AutomationRule rule, List<AutomaticMessage> messages, DateTime now,
        CancellationToken cancellationToken)
    {
        var value = action.Value?.Trim() ?? "";
        switch (action.Type)
        {
            case "assignTeam" when Guid.TryParse(value, out var teamId) && (conversation.TeamId != teamId || conversation.AssigneeId is not null):
                if (await db.Teams.Where(t => t.Id == teamId).Select(t => t.Name).FirstOrDefaultAsync(cancellationToken) is not { } teamName)
                {
                    return null;
                }

                conversation.Assign(null, teamId, now);
                db.RoutingDecisions.Add(RoutingDecision.Of(conversation.WorkspaceId, conversation.Id, RoutingOutcome.Queued, teamId, null, $"automation “{rule.Name}”", now));
                return new($"sent to team {teamName}");
            case "assignAgent" when load is not null && conversation.AssigneeId != load.AgentId:
                // As routing does: only an online agent below their cap receives a conversation.
                if (!load.Available)
                {
                    return new($"not assigned to {load.Name}: not online", Changed: false);
                }

                if (!load.HasRoom)
                {
                    return new($"not assigned to {load.Name}: at their cap ({load.Describe()})", Changed: false);
                }

                conversation.Assign(load.AgentId, conversation.TeamId, now);
                db.RoutingDecisions.Add(RoutingDecision.Of(
                    conversation.WorkspaceId, conversation.Id, RoutingOutcome.Assigned, conversation.TeamId, load.AgentId, $"automation “{rule.Name}”, {load.Describe()}", now));
                return new($"assigned to {load.Name}");
            case "unassign" when conversation.AssigneeId is not null:
                conversation.Assign(null, conversation.TeamId, now);
                return new("unassigned");
            case "addLabel" when value.Length > 0 && !conversation.Labels.Contains(value.ToLowerInvariant()):
                conversation.ChangeLabels([.. conversation.Labels, value]);
                return new($"added label {value.ToLowerInvariant()}");
            case "removeLabel" when conversation.Labels.Contains(value.ToLowerInvariant()):
                conversation.ChangeLabels(conversation.Labels.Where(l => l != value.ToLowerInvariant()));
                return new($"removed label {value.ToLowerInvariant()}");
            case "setPriority" when EnumNames.TryParse<ConversationPriority>(value, out var priority) && priority != conversation.Priority:
                conversation.ChangePriority(priority);
                return new($"priority {priority}");
            case "snooze" when int.TryParse(value, out var minutes) && conversation.Status != ConversationStatus.Snoozed:
                conversation.ChangeStatus(ConversationStatus.Snoozed, now.AddMinutes(minutes), now);
                return new($"snoozed for {minutes} min");
            case "resolve" when conversation.Status != ConversationStatus.Resolved:
                conversation.ChangeStatus(ConversationStatus.Resolved, snoozedUntil: null, now);
                return new("resolved");
            case "sendReply" when value.Length > 0:
                // Written by nobody: an automatic reply does not answer the contact for response times or SLAs.
                messages.Add(new(MessageKind.Outgoing, value));
                return new("sent an automatic reply");
            case "addNote" when value.Length > 0:
                messages.Add(new(MessageKind.Note, value));
                return new("added a note");
            case "sendWebhook" when Guid.TryParse(value, out var webhookId):
                // Written in the rule's commit; changes nothing in the conversation, so it neither counts towards
                // the loop stop nor makes the run Applied on its own.
                var data = new AutomationWebhookData(await webhooks.DescribeAsync(conversation, cancellationToken), rule.Id, rule.Name, rule.Trigger);
                return await webhooks.AddAsync(WebhookEvents.AutomationRule, data, sourceKey: null, conversation.Id, conversation.InboxId, webhookId, cancellationToken) > 0
                    ? new("sent a webhook", Changed: false)
                    : new("no webhook sent: it was deleted or switched off", Changed: false);
            default:
                return null;
        }
    }

    private async Task<RoutingChannel> ChannelOfAsync(Guid conversationId, CancellationToken cancellationToken) =>
        ConcurrencyCaps.ChannelOf(await db.Conversations.Where(c => c.Id == conversationId).Select(c => c.Origin).FirstOrDefaultAsync(cancellationToken));
}

/// <summary>The conversation events automation rules can be triggered by, each handed to the engine.</summary>
public sealed class TriggerAutomation(AutomationEngine engine) :
    IDomainEventHandler<ConversationStarted>,
    IDomainEventHandler<ContactMessageReceived>,
    IDomainEventHandler<ConversationStatusChanged>,
    IDomainEventHandler<ConversationAssigned>,
    IDomainEventHandler<ConversationPriorityChanged>,
    IDomainEventHandler<SlaWarned>,
    IDomainEventHandler<SlaBreached>
{
    public Task HandleAsync(ConversationStarted domainEvent, CancellationToken cancellationToken) =>
        engine.RunAsync(domainEvent.ConversationId, AutomationTrigger.ConversationCreated, null, cancellationToken);

    public Task HandleAsync(ContactMessageReceived domainEvent, CancellationToken cancellationToken) =>
        engine.RunAsync(domainEvent.ConversationId, AutomationTrigger.MessageReceived, domainEvent.MessageId, cancellationToken);

    public Task HandleAsync(ConversationStatusChanged domainEvent, CancellationToken cancellationToken) =>
        engine.RunAsync(domainEvent.ConversationId, AutomationTrigger.StatusChanged, null, cancellationToken);

    public Task HandleAsync(ConversationAssigned domainEvent, CancellationToken cancellationToken) =>
        engine.RunAsync(domainEvent.ConversationId, AutomationTrigger.AssignmentChanged, null, cancellationToken);

    public Task HandleAsync(ConversationPriorityChanged domainEvent, CancellationToken cancellationToken) =>
        engine.RunAsync(domainEvent.ConversationId, AutomationTrigger.PriorityChanged, null, cancellationToken);

    public Task HandleAsync(SlaWarned domainEvent, CancellationToken cancellationToken) =>
        engine.RunAsync(domainEvent.ConversationId, AutomationTrigger.SlaWarning, null, cancellationToken);

    public Task HandleAsync(SlaBreached domainEvent, CancellationToken cancellationToken) =>
        engine.RunAsync(domainEvent.ConversationId, AutomationTrigger.SlaBreached, null, cancellationToken);
}
