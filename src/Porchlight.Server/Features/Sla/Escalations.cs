using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Routing;
using Porchlight.Server.Features.Webhooks;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Sla;

/// <summary>
/// Tells a supervisor that a conversation's SLA is at risk or breached. Sent on the agent hub to that supervisor only
/// (<c>SlaAlert</c>), and to their open agent-app pages.
/// </summary>
public sealed record SlaAlertNotice(
    Guid AgentId, Guid ConversationId, int ConversationNumber, string ContactName, SlaMetric Metric, EscalationStage Stage, string PolicyName, DateTime? DueAt);

/// <summary>
/// Runs the escalation path of a clock's policy when the clock warns or breaches: the steps of that stage, in order,
/// in one commit with one activity in the thread that says what was done and why. The clock records the
/// escalation in that commit, so an event delivered twice escalates once; a clock that stopped before its event
/// was handled (the reply came, the conversation was resolved) escalates nothing. A step that has nothing to do
/// (already that team, already urgent) is skipped. Webhook subscribers of <c>conversation.escalated</c> are told in
/// that commit too, with what the steps did.
/// </summary>
public sealed class EscalateConversation(
    AppDbContext db, ConversationChanges changes, AssignmentAuthority authority, ConversationBroadcaster broadcaster, WebhookOutbox webhooks,
    WebhookSender webhookSender, TimeProvider clock)
    : IDomainEventHandler<SlaWarned>, IDomainEventHandler<SlaBreached>
{
    public Task HandleAsync(SlaWarned warned, CancellationToken cancellationToken) =>
        EscalateAsync(warned.WorkspaceId, warned.ConversationId, warned.ClockId, warned.PolicyId, warned.Metric, EscalationStage.Warning, warned.DueAt, cancellationToken);

    public Task HandleAsync(SlaBreached breached, CancellationToken cancellationToken) =>
        EscalateAsync(breached.WorkspaceId, breached.ConversationId, breached.ClockId, breached.PolicyId, breached.Metric, EscalationStage.Breach, breached.DueAt, cancellationToken);

    private async Task EscalateAsync(
        Guid workspaceId, Guid conversationId, Guid clockId, Guid? policyId, SlaMetric metric, EscalationStage stage, DateTime? dueAt,
        CancellationToken cancellationToken)
    {
        if (await db.SlaPolicies.AsNoTracking().FirstOrDefaultAsync(p => p.Id == policyId, cancellationToken) is not { } policy)
        {
            return;
        }

        var steps = policy.Escalation.Where(s => s.Stage == stage).ToList();
        var teamNames = await db.Teams.AsNoTracking().Where(t => steps.Select(s => s.TeamId).Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, cancellationToken);
        var what = $"{Describe(metric)} {(stage == EscalationStage.Warning ? "at risk" : "breached")} (policy “{policy.Name}”)";
        var told = false;
        var escalated = await changes.DecideAsync(async ct =>
        {
            await RowLocks.LockAsync<Conversation>(db, conversationId, ct);
            var now = clock.GetUtcNow().UtcDateTime;
            if (await db.Conversations.FirstOrDefaultAsync(c => c.Id == conversationId, ct) is not { } conversation
                || await db.SlaClocks.FirstOrDefaultAsync(c => c.Id == clockId, ct) is not { } slaClock
                || !slaClock.Escalate(stage, now))
            {
                return null;
            }

            var did = new List<string>();
            foreach (var step in steps)
            {
                switch (step.Action)
                {
                    case EscalationAction.RaisePriority when step.Priority is { } priority && priority > conversation.Priority:
                        conversation.ChangePriority(priority);
                        did.Add($"priority raised to {priority}");
                        break;
                    case EscalationAction.MoveToTeam when step.TeamId is { } teamId && teamNames.TryGetValue(teamId, out var teamName) && conversation.TeamId != teamId:
                        conversation.Assign(null, teamId, now);
                        db.RoutingDecisions.Add(RoutingDecision.Of(workspaceId, conversationId, RoutingOutcome.Queued, teamId, null, $"escalation: {what}", now));
                        did.Add($"moved to team {teamName}");
                        break;
                    case EscalationAction.NotifySupervisors:
                        did.Add("supervisors notified");
                        break;
                }
            }

            // Integrations hear of the escalation in its own commit: it happened exactly when they are told.
            if (steps.Count > 0)
            {
                var data = new EscalationWebhookData(await webhooks.DescribeAsync(conversation, ct), metric, stage, policy.Id, policy.Name, did);
                told = await webhooks.AddAsync(WebhookEvents.ConversationEscalated, data, sourceKey: null, conversation.Id, conversation.InboxId, subscriptionId: null, ct) > 0;
            }

            // Without a step the thread still says it: the agents see the risk where they work.
            return (conversation, did.Count == 0 ? $"SLA: {what}" : $"SLA: {what}: {string.Join("; ", did)}");
        }, authorAgentId: null, cancellationToken);
        if (escalated is null)
        {
            return;
        }

        if (told)
        {
            webhookSender.Notify();
        }

        if (escalated is { AssigneeId: null, TeamId: { } queuedIn })
        {
            authority.TeamMayAssign(workspaceId, queuedIn);
        }

        if (steps.Any(s => s.Action == EscalationAction.NotifySupervisors))
        {
            await NotifySupervisorsAsync(escalated, metric, stage, policy.Name, dueAt, cancellationToken);
        }
    }

    private async Task NotifySupervisorsAsync(
        Conversation conversation, SlaMetric metric, EscalationStage stage, string policyName, DateTime? dueAt, CancellationToken cancellationToken)
    {
        var contact = await db.Contacts.AsNoTracking().Where(c => c.Id == conversation.ContactId).Select(c => new { c.Name, c.Email }).FirstOrDefaultAsync(cancellationToken);
        var contactName = ContactSummary.Of(conversation.ContactId, contact?.Name, contact?.Email).Name;
        var notices = (await AgentsAllowed.ToAsync(db.Agents, Permission.ManageRouting, cancellationToken))
            .Select(a => new SlaAlertNotice(a.Id, conversation.Id, conversation.Number, contactName, metric, stage, policyName, dueAt))
            .ToList();
        await broadcaster.SlaAlertAsync(conversation.WorkspaceId, notices);
    }

    public static string Describe(SlaMetric metric) => metric switch
    {
        SlaMetric.FirstResponse => "First response",
        SlaMetric.NextResponse => "Next response",
        _ => "Resolution",
    };
}
