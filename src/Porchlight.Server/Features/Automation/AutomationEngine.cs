using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Routing;
using Porchlight.Server.Features.Sla;

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
    MessageWriter writer, TimeProvider clock)
{
    public const int RunsPerWindow = 3;
    public static readonly TimeSpan LoopWindow = TimeSpan.FromMinutes(1);

    public async Task RunAsync(Guid conversationId, AutomationTrigger trigger, Guid? messageId, CancellationToken cancellationToken)
    {
        var rules = await db.AutomationRules.AsNoTracking().Where(r => r.IsEnabled && r.Trigger == trigger)
            .OrderBy(r => r.Position).ThenBy(r => r.Id).ToListAsync(cancellationToken);
        foreach (var rule in rules)
        {
            if (await subjects.ReadAsync(conversationId, messageId, cancellationToken) is not { } subject)
            {
                return;
            }

            if (await RuleConditions.MatchAsync(rule.Conditions, subject))
            {
                await ApplyAsync(rule, conversationId, trigger, cancellationToken);
            }
        }
    }

    private async Task ApplyAsync(AutomationRule rule, Guid conversationId, AutomationTrigger trigger, CancellationToken cancellationToken)
    {
        var messages = new List<(MessageKind Kind, string Text)>();
        Guid? queuedIn = null;
        Guid runId = default;
        var changed = await changes.DecideAsync(async ct =>
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
                db.AutomationRuns.Add(AutomationRun.Of(rule, conversationId, trigger, AutomationOutcome.LoopStopped, stopped, now));
                return (conversation, stopped);
            }

            var did = new List<string>();
            foreach (var action in rule.Actions)
            {
                if (await ActAsync(action, conversation, load, rule, messages, now, ct) is { } done)
                {
                    did.Add(done);
                }
            }

            queuedIn = conversation.IsWaiting ? conversation.TeamId : null;
            var outcome = did.Count == 0 ? AutomationOutcome.NoChange : AutomationOutcome.Applied;
            var summary = did.Count == 0 ? "nothing to change" : string.Join("; ", did);
            var run = AutomationRun.Of(rule, conversationId, trigger, outcome, summary, now);
            runId = run.Id;
            db.AutomationRuns.Add(run);
            return (conversation, did.Count == 0 ? null : $"Automation “{rule.Name}”: {summary}");
        }, authorAgentId: null, cancellationToken);
        if (changed is null)
        {
            return;
        }

        for (var i = 0; i < messages.Count; i++)
        {
            // Written by nobody: an automatic reply does not answer the contact for response times or SLAs.
            await writer.WriteAsync(
                new MessageDraft(changed.WorkspaceId, conversationId, Owner: null, $"auto-{runId:N}-{i}", messages[i].Kind, AuthorAgentId: null, messages[i].Text, []),
                cancellationToken);
        }

        if (queuedIn is { } teamId)
        {
            authority.TeamMayAssign(changed.WorkspaceId, teamId);
        }
    }

    // Applies one action to the locked conversation; returns what it did, or null when there was nothing to do.
    private async Task<string?> ActAsync(
        AutomationAction action, Conversation conversation, AgentLoad? load, AutomationRule rule, List<(MessageKind, string)> messages, DateTime now,
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
                return $"sent to team {teamName}";
            case "assignAgent" when load is not null && conversation.AssigneeId != load.AgentId:
                if (!load.HasRoom)
                {
                    return $"not assigned to {load.Name}: at their cap ({load.Describe()})";
                }

                conversation.Assign(load.AgentId, conversation.TeamId, now);
                db.RoutingDecisions.Add(RoutingDecision.Of(
                    conversation.WorkspaceId, conversation.Id, RoutingOutcome.Assigned, conversation.TeamId, load.AgentId, $"automation “{rule.Name}”, {load.Describe()}", now));
                return $"assigned to {load.Name}";
            case "unassign" when conversation.AssigneeId is not null:
                conversation.Assign(null, conversation.TeamId, now);
                return "unassigned";
            case "addLabel" when value.Length > 0 && !conversation.Labels.Contains(value.ToLowerInvariant()):
                conversation.ChangeLabels([.. conversation.Labels, value]);
                return $"added label {value.ToLowerInvariant()}";
            case "removeLabel" when conversation.Labels.Contains(value.ToLowerInvariant()):
                conversation.ChangeLabels(conversation.Labels.Where(l => l != value.ToLowerInvariant()));
                return $"removed label {value.ToLowerInvariant()}";
            case "setPriority" when Enum.TryParse<ConversationPriority>(value, ignoreCase: true, out var priority) && priority != conversation.Priority:
                conversation.ChangePriority(priority);
                return $"priority {priority}";
            case "snooze" when int.TryParse(value, out var minutes) && conversation.Status != ConversationStatus.Snoozed:
                conversation.ChangeStatus(ConversationStatus.Snoozed, now.AddMinutes(minutes), now);
                return $"snoozed for {minutes} min";
            case "resolve" when conversation.Status != ConversationStatus.Resolved:
                conversation.ChangeStatus(ConversationStatus.Resolved, snoozedUntil: null, now);
                return "resolved";
            case "sendReply" when value.Length > 0:
                messages.Add((MessageKind.Outgoing, value));
                return "sent an automatic reply";
            case "addNote" when value.Length > 0:
                messages.Add((MessageKind.Note, value));
                return "added a note";
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
