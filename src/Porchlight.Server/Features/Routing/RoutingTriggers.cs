using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Teams;

namespace Porchlight.Server.Features.Routing;

/// <summary>
/// A new conversation joins the queue of its inbox's team (when the inbox has one), with the decision
/// recorded, and the team's queue gets a pass. Runs from the outbox, so a retry finds it already queued.
/// </summary>
public sealed class QueueNewConversation(AppDbContext db, ConversationChanges changes, AssignmentAuthority authority, TimeProvider clock)
    : IDomainEventHandler<ConversationStarted>
{
    public async Task HandleAsync(ConversationStarted started, CancellationToken cancellationToken)
    {
        var target = await db.Inboxes.AsNoTracking().Where(i => i.Id == started.InboxId && i.DefaultTeamId != null)
            .Join(db.Teams, i => i.DefaultTeamId, t => t.Id, (i, t) => new { InboxName = i.Name, TeamId = t.Id, TeamName = t.Name })
            .FirstOrDefaultAsync(cancellationToken);
        if (target is null)
        {
            return;
        }

        var queued = await changes.DecideAsync(async ct =>
        {
            await RowLocks.LockAsync<Conversation>(db, started.ConversationId, ct);
            var conversation = await db.Conversations.FirstOrDefaultAsync(c => c.Id == started.ConversationId, ct);
            if (conversation is null || conversation.TeamId is not null || conversation.AssigneeId is not null || !conversation.IsActive)
            {
                return null; // Already routed (a retried event), taken by someone, or closed before routing got to it.
            }

            var now = clock.GetUtcNow().UtcDateTime;
            conversation.Assign(null, target.TeamId, now);
            var reason = $"new conversation in {target.InboxName}: the inbox's team";
            db.RoutingDecisions.Add(RoutingDecision.Of(conversation.WorkspaceId, conversation.Id, RoutingOutcome.Queued, target.TeamId, null, reason, now));
            return (conversation, $"Waiting for team {target.TeamName} ({reason})");
        }, authorAgentId: null, cancellationToken);
        if (queued is not null)
        {
            authority.TeamMayAssign(started.WorkspaceId, target.TeamId);
        }
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
