using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Teams;

namespace Porchlight.Server.Features.Routing;

/// <summary>
/// A new conversation meets its inbox's routing rules: the first enabled rule whose conditions hold sets its
/// priority and labels and sends it to its team's queue; when none matches (or the rule names no team) the inbox's
/// team takes it. A rule that names agents first offers it to the least loaded of them who is online with room,
/// decided under their row locks as every assignment is. The decision is recorded and the team's queue gets a pass.
/// A conversation the inbox's assistant attends is routed when the assistant hands it over instead (to the team
/// its flow names, if any), so rules then also see what the assistant learned (the intent label, the answers).
/// Runs from the outbox, so a retry finds it already routed.
/// </summary>
public sealed class QueueNewConversation(
    AppDbContext db, ConversationChanges changes, AssignmentAuthority authority, RuleSubjects subjects, AgentCapacity capacity, IPresenceStore presence,
    Hosting.PorchlightMetrics metrics, TimeProvider clock)
    : IDomainEventHandler<ConversationStarted>, IDomainEventHandler<Assistant.AssistantHandedOver>, IDomainEventHandler<ConversationReopened>
{
    public async Task HandleAsync(ConversationStarted started, CancellationToken cancellationToken)
    {
        if (!await db.AssistantSessions.AnyAsync(s => s.ConversationId == started.ConversationId, cancellationToken))
        {
            await RouteAsync(started.WorkspaceId, started.ConversationId, started.InboxId, null, "new conversation", cancellationToken);
        }
    }

    public Task HandleAsync(Assistant.AssistantHandedOver handedOver, CancellationToken cancellationToken) =>
        RouteAsync(handedOver.WorkspaceId, handedOver.ConversationId, handedOver.InboxId, handedOver.TeamId, "handed over by the assistant", cancellationToken);

    /// <summary>
    /// A conversation the assistant resolved (it never reached a queue) that the contact writes in again goes to people
    /// as a new one would: the assistant's part is over.
    /// </summary>
    public async Task HandleAsync(ConversationReopened reopened, CancellationToken cancellationToken)
    {
        var conversation = await db.Conversations.AsNoTracking().Where(c => c.Id == reopened.ConversationId)
            .Select(c => new { c.InboxId, c.TeamId, c.AssigneeId }).FirstOrDefaultAsync(cancellationToken);
        var resolvedByAssistant = await db.AssistantSessions.AnyAsync(
            s => s.ConversationId == reopened.ConversationId && (s.Outcome == Assistant.FlowOutcome.Contained || s.Outcome == Assistant.FlowOutcome.Ended),
            cancellationToken);
        if (conversation is { TeamId: null, AssigneeId: null } && resolvedByAssistant)
        {
            await RouteAsync(reopened.WorkspaceId, reopened.ConversationId, conversation.InboxId, null, "written in again after the assistant resolved it", cancellationToken);
        }
    }

    private async Task RouteAsync(Guid workspaceId, Guid conversationId, Guid inboxId, Guid? flowTeamId, string arrival, CancellationToken cancellationToken)
    {
        var inbox = await db.Inboxes.AsNoTracking().Where(i => i.Id == inboxId).Select(i => new { i.Name, i.DefaultTeamId }).FirstOrDefaultAsync(cancellationToken);
        var rules = await db.RoutingRules.AsNoTracking().Where(r => r.InboxId == inboxId && r.IsEnabled)
            .OrderBy(r => r.Position).ThenBy(r => r.Id).ToListAsync(cancellationToken);
        if (inbox is null || (rules.Count == 0 && inbox.DefaultTeamId is null && flowTeamId is null))
        {
            return;
        }

        var matched = rules.Count == 0 ? null : await FirstMatchAsync(rules, conversationId, cancellationToken);
        // A team the flow named may have been deleted since it was saved: then the rules or the inbox decide.
        if (flowTeamId is { } flowTeam && !await db.Teams.AnyAsync(t => t.Id == flowTeam, cancellationToken))
        {
            flowTeamId = null;
        }

        var teamId = flowTeamId ?? matched?.TeamId ?? inbox.DefaultTeamId;
        var teamName = teamId is null ? null : await db.Teams.AsNoTracking().Where(t => t.Id == teamId).Select(t => t.Name).FirstOrDefaultAsync(cancellationToken);
        if (teamName is null && matched is null)
        {
            return;
        }

        var reason = flowTeamId is not null ? $"{arrival}: the team its flow names"
            : matched is null ? $"{arrival} in {inbox.Name}: the inbox's team"
            : matched.TeamId is null && teamName is not null ? $"rule “{matched.Name}”, then the inbox's team" : $"rule “{matched.Name}”";
        var named = matched is null ? [] : await ConnectedAsync(workspaceId, await InboxMembersAsync(inboxId, matched.AgentIds, cancellationToken));
        var channel = named.Count == 0 ? RoutingChannel.Chat
            : ConcurrencyCaps.ChannelOf(await db.Conversations.AsNoTracking().Where(c => c.Id == conversationId).Select(c => c.Origin).FirstOrDefaultAsync(cancellationToken));
        AgentLoad? chosen = null;
        var routed = await changes.DecideAsync(async ct =>
        {
            // Agents' rows before the conversation's, the order every assignment locks in.
            chosen = named.Count == 0 ? null : await LeastLoadedWithRoomAsync(named, channel, ct);
            await RowLocks.LockAsync<Conversation>(db, conversationId, ct);
            var conversation = await db.Conversations.FirstOrDefaultAsync(c => c.Id == conversationId, ct);
            if (conversation is null || conversation.TeamId is not null || conversation.AssigneeId is not null || !conversation.IsActive)
            {
                return null; // Already routed (a retried event), taken by someone, or closed before routing got to it.
            }

            var now = clock.GetUtcNow().UtcDateTime;
            var did = new List<string>();
            if (matched?.Priority is { } priority && priority != conversation.Priority)
            {
                conversation.ChangePriority(priority);
                did.Add($"priority {priority}");
            }

            if (matched is { AddLabels.Count: > 0 })
            {
                conversation.ChangeLabels(conversation.Labels.Concat(matched.AddLabels));
                did.Add($"labels {string.Join(", ", matched.AddLabels)}");
            }

            if (chosen is not null)
            {
                conversation.Assign(chosen.AgentId, teamId, now);
                db.RoutingDecisions.Add(RoutingDecision.Of(
                    conversation.WorkspaceId, conversation.Id, RoutingOutcome.Assigned, teamId, chosen.AgentId, $"{reason}: named agent, {chosen.Describe()}", now));
                did.Add($"assigned to {chosen.Name}");
            }
            else if (teamName is not null)
            {
                conversation.Assign(null, teamId, now);
                var why = matched is { AgentIds.Count: > 0 } ? $"{reason}: none of its agents could take it" : reason;
                db.RoutingDecisions.Add(RoutingDecision.Of(conversation.WorkspaceId, conversation.Id, RoutingOutcome.Queued, teamId, null, why, now));
                did.Add($"waiting for team {teamName}");
            }

            return did.Count == 0 ? null : (conversation, $"Routed by {reason}: {string.Join("; ", did)}");
        }, authorAgentId: null, cancellationToken);
        if (routed is { AssigneeId: not null } && chosen is not null)
        {
            metrics.Assignments.Add(1, new KeyValuePair<string, object?>("by", "rule"));
        }
        else if (routed?.TeamId is { } queuedIn)
        {
            authority.TeamMayAssign(workspaceId, queuedIn);
        }
    }

    // The named agents who work in the inbox: a rule cannot hand a conversation to someone who may not see it.
    private Task<List<Guid>> InboxMembersAsync(Guid inboxId, IReadOnlyList<Guid> agentIds, CancellationToken cancellationToken) =>
        db.InboxMembers.Where(m => m.InboxId == inboxId && agentIds.Contains(m.AgentId)).Select(m => m.AgentId).ToListAsync(cancellationToken);

    // The named agents with an open connection: only they can be online for a new conversation.
    private async Task<List<Guid>> ConnectedAsync(Guid workspaceId, IReadOnlyList<Guid> agentIds)
    {
        var connected = new List<Guid>();
        foreach (var agentId in agentIds)
        {
            if (await presence.IsConnectedAsync(workspaceId, agentId))
            {
                connected.Add(agentId);
            }
        }

        return connected;
    }

    // Locks the named agents in key order (the one order, so two such decisions cannot wait on each other) and picks
    // the one with the lowest load against their cap among those online with room.
    private async Task<AgentLoad?> LeastLoadedWithRoomAsync(List<Guid> agentIds, RoutingChannel channel, CancellationToken cancellationToken)
    {
        var loads = new List<AgentLoad>();
        foreach (var agentId in RowLocks.InLockOrder(agentIds))
        {
            if (await capacity.LockAndReadAsync(agentId, channel, cancellationToken) is { Available: true, HasRoom: true } load)
            {
                loads.Add(load);
            }
        }

        return loads.OrderBy(l => (double)l.Active / l.Cap).ThenBy(l => l.Active).FirstOrDefault();
    }

    private async Task<RoutingRule?> FirstMatchAsync(List<RoutingRule> rules, Guid conversationId, CancellationToken cancellationToken)
    {
        if (await subjects.ReadAsync(conversationId, messageId: null, cancellationToken) is not { } subject)
        {
            return null;
        }

        foreach (var rule in rules)
        {
            if (await RuleConditions.MatchAsync(rule.Conditions, subject))
            {
                return rule;
            }
        }

        return null;
    }
}

/// <summary>
/// A reopened conversation stays with its agent only if they could take it now: online, and with room under their
/// cap. Otherwise it goes back to its team's queue (or the inbox's team), so a customer who writes again is never
/// left with an agent who is not there.
/// </summary>
public sealed class ReviewReopenedConversation(
    AppDbContext db,
    AgentCapacity capacity,
    IPresenceStore presence,
    ConversationChanges changes,
    AssignmentAuthority authority,
    Hosting.PorchlightMetrics metrics,
    TimeProvider clock)
    : IDomainEventHandler<ConversationReopened>
{
    public async Task HandleAsync(ConversationReopened reopened, CancellationToken cancellationToken)
    {
        var seen = await db.Conversations.AsNoTracking().FirstOrDefaultAsync(c => c.Id == reopened.ConversationId, cancellationToken);
        if (seen is null)
        {
            return;
        }

        if (seen.AssigneeId is not { } assigneeId)
        {
            if (seen.IsWaiting)
            {
                authority.TeamMayAssign(seen.WorkspaceId, seen.TeamId!.Value);
            }

            return;
        }

        var connected = await presence.IsConnectedAsync(seen.WorkspaceId, assigneeId);
        var defaultTeamId = await db.Inboxes.AsNoTracking().Where(i => i.Id == seen.InboxId).Select(i => i.DefaultTeamId).FirstOrDefaultAsync(cancellationToken);
        var returned = await changes.DecideAsync(async ct =>
        {
            var load = await capacity.LockAndReadAsync(assigneeId, ConcurrencyCaps.ChannelOf(seen.Origin), ct);
            await RowLocks.LockAsync<Conversation>(db, seen.Id, ct);
            var conversation = await db.Conversations.FirstAsync(c => c.Id == seen.Id, ct);
            // The load counts this conversation itself: it may stay if, with it, the agent is within their cap.
            if (conversation.AssigneeId != assigneeId || !conversation.IsActive
                || (connected && load is { Available: true } && load.Active <= load.Cap))
            {
                return null;
            }

            var why = !connected || load is not { Available: true } ? $"{load?.Name ?? "The agent"} is not online" : $"{load.Name} is at their cap ({load.Describe()})";
            var teamId = conversation.TeamId ?? defaultTeamId;
            var now = clock.GetUtcNow().UtcDateTime;
            conversation.Assign(null, teamId, now);
            var teamName = teamId is null ? null : await db.Teams.Where(t => t.Id == teamId).Select(t => t.Name).FirstOrDefaultAsync(ct);
            var reason = $"reopened while {why}";
            db.RoutingDecisions.Add(RoutingDecision.Of(conversation.WorkspaceId, conversation.Id, RoutingOutcome.Returned, teamId, assigneeId, reason, now));
            return (conversation, teamName is null ? $"Unassigned: {why}" : $"Back in the queue of team {teamName}: {why}");
        }, authorAgentId: null, cancellationToken);
        if (returned is not null)
        {
            metrics.Returned.Add(1);
        }

        if (returned?.TeamId is { } queuedIn)
        {
            authority.TeamMayAssign(returned.WorkspaceId, queuedIn);
        }
    }
}

/// <summary>A new member may take conversations waiting in the team's queue.</summary>
public sealed class ServeQueueOfGrownTeam(AssignmentAuthority authority) : IDomainEventHandler<TeamMemberAdded>
{
    public Task HandleAsync(TeamMemberAdded added, CancellationToken cancellationToken)
    {
        authority.TeamMayAssign(added.WorkspaceId, added.TeamId);
        return Task.CompletedTask;
    }
}
