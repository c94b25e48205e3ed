using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Routing;

/// <summary>A conversation waiting in a team's queue; <c>Position</c> 1 is served next.</summary>
public sealed record QueueEntryResponse(Guid ConversationId, int Number, int Position, ConversationPriority Priority, RoutingChannel Channel, DateTime QueuedAt);

public sealed record TeamQueueResponse(Guid TeamId, AssignmentStrategy Strategy, IReadOnlyList<QueueEntryResponse> Waiting);

public sealed record RoutingDecisionResponse(RoutingOutcome Outcome, Guid? TeamId, Guid? AgentId, string Reason, DateTime DecidedAt, double? WaitedSeconds);

public sealed class RoutingQueries(AppDbContext db)
{
    public async Task<Result<TeamQueueResponse>> QueueAsync(Guid teamId, CancellationToken cancellationToken)
    {
        var strategy = await db.Teams.Where(t => t.Id == teamId).Select(t => (AssignmentStrategy?)t.Strategy).FirstOrDefaultAsync(cancellationToken);
        if (strategy is null)
        {
            return Failure.NotFound("The team");
        }

        var queue = await TeamDispatch.QueueAsync(db, teamId, cancellationToken);
        var ids = queue.Select(q => q.Id).ToList();
        var numbers = await db.Conversations.Where(c => ids.Contains(c.Id)).Select(c => new { c.Id, c.Number }).ToDictionaryAsync(c => c.Id, c => c.Number, cancellationToken);
        return new TeamQueueResponse(
            teamId,
            strategy.Value,
            [.. queue.Select((q, i) => new QueueEntryResponse(q.Id, numbers.GetValueOrDefault(q.Id), i + 1, q.Priority, q.Channel, q.QueuedAt))]);
    }

    /// <summary>Every routing decision about the conversation, oldest first: where it went and why.</summary>
    public async Task<Result<List<RoutingDecisionResponse>>> DecisionsAsync(Guid conversationId, CancellationToken cancellationToken)
    {
        if (!await db.Conversations.AnyAsync(c => c.Id == conversationId, cancellationToken))
        {
            return Failure.NotFound("The conversation");
        }

        var decisions = await db.RoutingDecisions.AsNoTracking().Where(d => d.ConversationId == conversationId)
            .OrderBy(d => d.DecidedAt).ThenBy(d => d.Id).ToListAsync(cancellationToken);
        return decisions.ConvertAll(d => new RoutingDecisionResponse(d.Outcome, d.TeamId, d.AgentId, d.Reason, d.DecidedAt, d.Waited?.TotalSeconds));
    }
}
