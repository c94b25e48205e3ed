using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Teams;

namespace Porchlight.Server.Features.Routing;

/// <summary>A conversation in a team's queue, in the order it is served.</summary>
public sealed record QueuedConversation(
    Guid Id, ConversationOrigin Origin, ConversationPriority Priority, DateTime QueuedAt, Guid ContactId, IReadOnlyList<string> Labels, Guid InboxId)
{
    public RoutingChannel Channel => ConcurrencyCaps.ChannelOf(Origin);
}

/// <summary>The one definition of a queue's order and of a place in it, for the deciders, the visitors and the supervisors.</summary>
public static class QueueOrder
{
    /// <summary>First served first: higher priority, then longer in the queue, then the lower id (so the order is stable).</summary>
    public static IEnumerable<T> Serving<T>(IEnumerable<T> waiting, Func<T, ConversationPriority> priority, Func<T, DateTime> queuedAt, Func<T, Guid> id) =>
        // Priorities are stored by name, so they are ordered here rather than by the database.
        waiting.OrderByDescending(priority).ThenBy(queuedAt).ThenBy(id);

    /// <summary>Each conversation of a queue in serving order with its place among those of its channel (1 is next): caps are per channel.</summary>
    public static IEnumerable<(T Conversation, int Position)> Places<T>(IEnumerable<T> served, Func<T, RoutingChannel> channel)
    {
        var ahead = new Dictionary<RoutingChannel, int>();
        foreach (var conversation in served)
        {
            var of = channel(conversation);
            yield return (conversation, ahead[of] = ahead.GetValueOrDefault(of) + 1);
        }
    }
}

/// <summary>
/// One pass over a team's queue: in priority order, then oldest first, each waiting conversation goes to the
/// agent the team's strategy picks among its online members with room in that channel who are members of the
/// conversation's inbox, until the queue is empty or nobody has room. The pick is a proposal; <see cref="ClaimAsync"/> re-checks it under lock and
/// commits it with its reason, so a stale picture can cost a retry but never a double assignment or a cap.
/// </summary>
public sealed class TeamDispatch(
    AppDbContext db, AgentCapacity capacity, ConversationChanges changes, IPresenceStore presence, Hosting.PorchlightMetrics metrics, TimeProvider clock)
{
    private enum Claim
    {
        Assigned,
        NotWaiting,
        Refused,
    }

    /// <summary>The team's waiting conversations in the order they are served: priority, then time in the queue.</summary>
    public static async Task<List<QueuedConversation>> QueueAsync(AppDbContext db, Guid teamId, CancellationToken cancellationToken)
    {
        var waiting = await db.Conversations.AsNoTracking()
            .Where(c => c.TeamId == teamId && c.QueuedAt != null && c.AssigneeId == null
                && (c.Status == ConversationStatus.Open || c.Status == ConversationStatus.Pending))
            .Select(c => new QueuedConversation(c.Id, c.Origin, c.Priority, c.QueuedAt!.Value, c.ContactId, c.Labels, c.InboxId))
            .ToListAsync(cancellationToken);
        return [.. QueueOrder.Serving(waiting, c => c.Priority, c => c.QueuedAt, c => c.Id)];
    }

    /// <returns>How many conversations were assigned.</returns>
    public async Task<int> RunAsync(Guid teamId, CancellationToken cancellationToken)
    {
        var team = await db.Teams.AsNoTracking().FirstOrDefaultAsync(t => t.Id == teamId, cancellationToken);
        if (team is null || team.Strategy == AssignmentStrategy.Manual)
        {
            return 0;
        }

        var roster = await RosterAsync(team, cancellationToken);
        var queue = await QueueAsync(db, teamId, cancellationToken);
        // Strict order within a channel and inbox: once none of the inbox's members has room for chats, no later chat
        // of that inbox jumps the queue. (Another inbox's chat may: its members are other people.)
        var full = new HashSet<(RoutingChannel, Guid)>();
        var lanes = queue.Select(c => (c.Channel, c.InboxId)).ToHashSet();
        var assigned = 0;
        foreach (var waiting in queue)
        {
            if (full.Contains((waiting.Channel, waiting.InboxId)))
            {
                continue;
            }

            var previous = team.PreferPreviousAgent ? await PreviousAgentAsync(waiting, cancellationToken) : null;
            while (true)
            {
                var candidates = roster.Candidates(waiting.Channel, waiting.InboxId);
                if ((AssignmentStrategies.Previous(candidates, previous) ?? AssignmentStrategies.Choose(team.Strategy, candidates, waiting.Labels)) is not { } choice)
                {
                    full.Add((waiting.Channel, waiting.InboxId));
                    break;
                }

                var claim = await ClaimAsync(waiting.Id, team, choice, cancellationToken);
                if (claim == Claim.Assigned)
                {
                    roster.Took(choice.Agent.AgentId, waiting.Channel, clock.GetUtcNow().UtcDateTime);
                    assigned++;
                    break;
                }

                if (claim == Claim.NotWaiting)
                {
                    break;
                }

                // The agent filled up or left meanwhile (another team, a person, another node): ask again without them.
                roster.Exclude(choice.Agent.AgentId, waiting.Channel);
            }

            if (full.Count == lanes.Count)
            {
                break;
            }
        }

        return assigned;
    }

    private async Task<Claim> ClaimAsync(Guid conversationId, Team team, AssignmentChoice choice, CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        var claim = Claim.NotWaiting;
        TimeSpan waited = default;
        await changes.DecideAsync(async ct =>
        {
            // Agent first, then conversation: every path that locks both locks them in this order.
            var conversation = await db.Conversations.AsNoTracking().FirstOrDefaultAsync(c => c.Id == conversationId, ct);
            if (conversation is null)
            {
                return null;
            }

            var load = await capacity.LockAndReadAsync(choice.Agent.AgentId, ConcurrencyCaps.ChannelOf(conversation.Origin), ct);
            await RowLocks.LockAsync<Conversation>(db, conversationId, ct);
            conversation = await db.Conversations.FirstAsync(c => c.Id == conversationId, ct);
            if (!conversation.IsWaiting || conversation.TeamId != team.Id)
            {
                return null;
            }

            var member = await db.TeamMembers.AnyAsync(m => m.TeamId == team.Id && m.AgentId == choice.Agent.AgentId, ct)
                && await db.InboxMembers.AnyAsync(m => m.InboxId == conversation.InboxId && m.AgentId == choice.Agent.AgentId, ct);
            var connected = await presence.IsConnectedAsync(team.WorkspaceId, choice.Agent.AgentId);
            if (load is not { Available: true, HasRoom: true } || !member || !connected)
            {
                claim = Claim.Refused;
                return null;
            }

            var now = clock.GetUtcNow().UtcDateTime;
            waited = now - conversation.QueuedAt!.Value;
            conversation.Assign(choice.Agent.AgentId, team.Id, now);
            var reason = $"{choice.Basis}, {load.Describe()}";
            db.RoutingDecisions.Add(RoutingDecision.Of(conversation.WorkspaceId, conversation.Id, RoutingOutcome.Assigned, team.Id, load.AgentId, reason, now, waited));
            await db.TeamMembers.Where(m => m.TeamId == team.Id && m.AgentId == load.AgentId)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.LastAssignedAt, now), ct);
            claim = Claim.Assigned;
            return (conversation, $"Assigned to {load.Name} by team {team.Name} ({reason})");
        }, authorAgentId: null, cancellationToken);
        if (claim == Claim.Assigned)
        {
            metrics.Assignments.Add(1, new KeyValuePair<string, object?>("by", "queue"));
            metrics.QueueWait.Record(waited.TotalSeconds);
            metrics.AssignmentDuration.Record(clock.GetElapsedTime(started).TotalMilliseconds);
        }

        return claim;
    }

    // The agent of the contact's latest other conversation that had one.
    private Task<Guid?> PreviousAgentAsync(QueuedConversation waiting, CancellationToken cancellationToken) =>
        db.Conversations.AsNoTracking()
            .Where(c => c.ContactId == waiting.ContactId && c.Id != waiting.Id && c.AssigneeId != null)
            .OrderByDescending(c => c.LastActivityAt).Select(c => c.AssigneeId).FirstOrDefaultAsync(cancellationToken);

    private async Task<Roster> RosterAsync(Team team, CancellationToken cancellationToken)
    {
        var connected = (await presence.ConnectedAgentsAsync(team.WorkspaceId)).ToHashSet();
        var members = await db.TeamMembers.AsNoTracking().Where(m => m.TeamId == team.Id)
            .Join(db.Agents.Where(a => a.IsActive && a.Availability == AgentAvailability.Online), m => m.AgentId, a => a.Id,
                (m, a) => new { a.Id, a.DisplayName, a.Caps, a.Skills, m.LastAssignedAt })
            .ToListAsync(cancellationToken);
        members.RemoveAll(m => !connected.Contains(m.Id));
        var workspaceCaps = await db.Workspaces.AsNoTracking().Where(w => w.Id == team.WorkspaceId).Select(w => w.Caps).FirstAsync(cancellationToken);
        var loads = await capacity.ReadLoadsAsync([.. members.Select(m => m.Id)], cancellationToken);
        var memberIds = members.Select(m => m.Id).ToList();
        var inboxes = (await db.InboxMembers.AsNoTracking().Where(m => memberIds.Contains(m.AgentId)).Select(m => new { m.AgentId, m.InboxId }).ToListAsync(cancellationToken))
            .ToLookup(m => m.AgentId, m => m.InboxId);
        var candidates = new Dictionary<RoutingChannel, List<AssignmentCandidate>>();
        foreach (var channel in Enum.GetValues<RoutingChannel>())
        {
            candidates[channel] = [.. members.Select(m => new AssignmentCandidate(
                m.Id, m.DisplayName, loads.GetValueOrDefault((m.Id, channel)), ConcurrencyCaps.Effective(m.Caps, workspaceCaps, channel), m.LastAssignedAt, m.Skills))];
        }

        return new Roster(candidates, members.ToDictionary(m => m.Id, m => inboxes[m.Id].ToHashSet()));
    }

    /// <summary>This pass's picture of who can take what, kept current with its own assignments.</summary>
    private sealed class Roster(Dictionary<RoutingChannel, List<AssignmentCandidate>> candidates, Dictionary<Guid, HashSet<Guid>> inboxesOf)
    {
        /// <summary>Those who could take a conversation of <paramref name="inboxId"/> in <paramref name="channel"/>: members of the inbox.</summary>
        public List<AssignmentCandidate> Candidates(RoutingChannel channel, Guid inboxId) =>
            candidates[channel].Where(c => inboxesOf.TryGetValue(c.AgentId, out var inboxes) && inboxes.Contains(inboxId)).ToList();

        public void Took(Guid agentId, RoutingChannel channel, DateTime now)
        {
            foreach (var (each, list) in candidates)
            {
                var index = list.FindIndex(c => c.AgentId == agentId);
                if (index >= 0)
                {
                    list[index] = list[index] with { Active = list[index].Active + (each == channel ? 1 : 0), LastAssignedAt = now };
                }
            }
        }

        public void Exclude(Guid agentId, RoutingChannel channel) => candidates[channel].RemoveAll(c => c.AgentId == agentId);
    }
}
