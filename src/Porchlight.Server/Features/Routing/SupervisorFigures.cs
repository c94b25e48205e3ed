using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Contacts;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Routing;

/// <summary>A waiting conversation as a supervisor sees it in a team's queue.</summary>
public sealed record WaitingConversation(
    Guid ConversationId, int Number, string Contact, ConversationPriority Priority, RoutingChannel Channel, int Position, DateTime QueuedAt);

public sealed record TeamFigures(
    Guid TeamId,
    string Name,
    AssignmentStrategy Strategy,
    int Waiting,
    DateTime? OldestQueuedAt,
    DateTime? AverageQueuedAt,
    int InProgress,
    int AgentsOnline,
    int AgentsAway,
    int AgentsOnBreak,
    int AgentsOffline,
    IReadOnlyList<WaitingConversation> Queue,
    int SlaAtRisk,
    int SlaBreached);

public sealed record InboxFigures(Guid InboxId, string Name, int Unassigned, DateTime? OldestWaitingSince, int InProgress, int SlaAtRisk, int SlaBreached);

/// <summary>An agent's active conversations and cap in one channel.</summary>
public sealed record ChannelLoad(RoutingChannel Channel, int Active, int Cap);

/// <summary>An agent as the supervisor view shows them; <c>OwnCaps</c> are the agent's own settings, <c>Load</c> the caps in force.</summary>
public sealed record AgentFigures(
    Guid AgentId,
    string Name,
    PresenceStatus Presence,
    AgentAvailability Availability,
    IReadOnlyList<Guid> TeamIds,
    IReadOnlyList<ChannelLoad> Load,
    ConcurrencyCaps OwnCaps);

/// <summary>
/// The live supervisor view's figures. Waits are given as instants (since when), so the figures stay true as time
/// passes: the longest wait is now minus <c>OldestQueuedAt</c>, the average wait now minus <c>AverageQueuedAt</c>.
/// <c>SlaAtRisk</c> lists the conversations whose SLA clock warned or breached and still runs, breached first;
/// the teams' and inboxes' <c>SlaAtRisk</c> count those conversations (breached ones included), <c>SlaBreached</c> the breached.
/// </summary>
public sealed record SupervisionResponse(
    IReadOnlyList<TeamFigures> Teams, IReadOnlyList<InboxFigures> Inboxes, IReadOnlyList<AgentFigures> Agents, IReadOnlyList<Sla.SlaAtRisk> SlaAtRisk);

/// <summary>
/// What a supervisor watches: per team the queue (how many wait, for how long, the queue itself), what is in
/// progress and who is there; per inbox what nobody holds yet; per agent their load against their caps.
/// Read in a handful of grouped queries, so the view can refresh every second without weighing on the database.
/// </summary>
public sealed class SupervisorFigures(AppDbContext db, ActingAgent actor, IPresenceStore presence, AgentCapacity capacity, Sla.SlaQueries sla)
{
    /// <summary>How many waiting conversations per team the view lists (the counts cover all of them).</summary>
    public const int QueueShown = 20;

    /// <summary>How many at-risk conversations the list shows; the counts include them all.</summary>
    public const int AtRiskShown = 200;

    public async Task<SupervisionResponse> ReadAsync(CancellationToken cancellationToken)
    {
        var connected = (await presence.ConnectedAgentsAsync(actor.WorkspaceId)).ToHashSet();
        var agents = await db.Agents.AsNoTracking().Where(a => a.IsActive).OrderBy(a => a.DisplayName).ToListAsync(cancellationToken);
        var memberships = await db.TeamMembers.AsNoTracking().Select(m => new { m.TeamId, m.AgentId }).ToListAsync(cancellationToken);
        var teams = await db.Teams.AsNoTracking().OrderBy(t => t.Name).Select(t => new { t.Id, t.Name, t.Strategy }).ToListAsync(cancellationToken);
        var inboxes = await db.Inboxes.AsNoTracking().OrderBy(i => i.Name).Select(i => new { i.Id, i.Name }).ToListAsync(cancellationToken);
        var workspaceCaps = await db.Workspaces.AsNoTracking().Where(w => w.Id == actor.WorkspaceId).Select(w => w.Caps).FirstAsync(cancellationToken);
        var loads = await capacity.ReadLoadsAsync([.. agents.Select(a => a.Id)], cancellationToken);

        // Everything active nobody holds (waiting in a team's queue or unassigned in an inbox), and who holds what per team.
        var unassigned = await db.Conversations.AsNoTracking()
            .Where(c => c.AssigneeId == null && (c.Status == ConversationStatus.Open || c.Status == ConversationStatus.Pending))
            .Select(c => new { c.Id, c.Number, c.InboxId, c.TeamId, c.QueuedAt, c.CreatedAt, c.Priority, c.Origin, c.ContactId })
            .ToListAsync(cancellationToken);
        var inProgress = await db.Conversations.AsNoTracking()
            .Where(c => c.AssigneeId != null && (c.Status == ConversationStatus.Open || c.Status == ConversationStatus.Pending))
            .GroupBy(c => new { c.TeamId, c.InboxId }).Select(g => new { g.Key.TeamId, g.Key.InboxId, Count = g.Count() })
            .ToListAsync(cancellationToken);

        var atRisk = await sla.AtRiskAsync(AtRiskShown, cancellationToken);
        var risks = await sla.AtRiskConversationsAsync(cancellationToken);

        var shownContacts = unassigned.Where(c => c.QueuedAt != null).Select(c => c.ContactId).Distinct().ToList();
        var contactNames = await db.Contacts.AsNoTracking().Where(c => shownContacts.Contains(c.Id))
            .Select(c => new { c.Id, c.Name, c.Email }).ToDictionaryAsync(c => c.Id, c => Contact.NameFor(c.Id, c.Name, c.Email), cancellationToken);

        var agentFigures = agents.ConvertAll(a => new AgentFigures(
            a.Id,
            a.DisplayName,
            a.PresenceWhen(connected.Contains(a.Id)),
            a.Availability,
            [.. memberships.Where(m => m.AgentId == a.Id).Select(m => m.TeamId)],
            [.. Enum.GetValues<RoutingChannel>().Select(channel => new ChannelLoad(
                channel, loads.GetValueOrDefault((a.Id, channel)), ConcurrencyCaps.Effective(a.Caps, workspaceCaps, channel)))],
            a.Caps));
        var presenceOf = agentFigures.ToDictionary(a => a.AgentId, a => a.Presence);

        var teamFigures = teams.ConvertAll(team =>
        {
            var waiting = QueueOrder.Serving(unassigned.Where(c => c.TeamId == team.Id && c.QueuedAt != null), c => c.Priority, c => c.QueuedAt!.Value, c => c.Id).ToList();
            var since = waiting.Select(c => c.QueuedAt!.Value).ToList();
            var members = memberships.Where(m => m.TeamId == team.Id).Select(m => presenceOf.GetValueOrDefault(m.AgentId, PresenceStatus.Offline)).ToList();
            return new TeamFigures(
                team.Id,
                team.Name,
                team.Strategy,
                waiting.Count,
                since.Count == 0 ? null : since.Min(),
                since.Count == 0 ? null : new DateTime((long)since.Average(t => (double)t.Ticks), DateTimeKind.Utc),
                inProgress.Where(p => p.TeamId == team.Id).Sum(p => p.Count),
                members.Count(p => p == PresenceStatus.Online),
                members.Count(p => p == PresenceStatus.Away),
                members.Count(p => p == PresenceStatus.Break),
                members.Count(p => p == PresenceStatus.Offline),
                [.. QueueOrder.Places(waiting.Take(QueueShown), c => ConcurrencyCaps.ChannelOf(c.Origin)).Select(place => new WaitingConversation(
                    place.Conversation.Id, place.Conversation.Number, contactNames.GetValueOrDefault(place.Conversation.ContactId, ""), place.Conversation.Priority,
                    ConcurrencyCaps.ChannelOf(place.Conversation.Origin), place.Position, place.Conversation.QueuedAt!.Value))],
                AtRiskCount(risks.Where(r => r.TeamId == team.Id), breachedOnly: false),
                AtRiskCount(risks.Where(r => r.TeamId == team.Id), breachedOnly: true));
        });

        var inboxFigures = inboxes.ConvertAll(inbox =>
        {
            var nobody = unassigned.Where(c => c.InboxId == inbox.Id).Select(c => c.QueuedAt ?? c.CreatedAt).ToList();
            return new InboxFigures(
                inbox.Id, inbox.Name, nobody.Count, nobody.Count == 0 ? null : nobody.Min(), inProgress.Where(p => p.InboxId == inbox.Id).Sum(p => p.Count),
                AtRiskCount(risks.Where(r => r.InboxId == inbox.Id), breachedOnly: false),
                AtRiskCount(risks.Where(r => r.InboxId == inbox.Id), breachedOnly: true));
        });

        return new SupervisionResponse(teamFigures, inboxFigures, agentFigures, atRisk);
    }

    // Conversations, not clocks: one with both a response and a resolution clock at risk counts once.
    private static int AtRiskCount(IEnumerable<Sla.SlaRisk> atRisk, bool breachedOnly) =>
        atRisk.Where(r => !breachedOnly || r.Breached).Select(r => r.ConversationId).Distinct().Count();
}
