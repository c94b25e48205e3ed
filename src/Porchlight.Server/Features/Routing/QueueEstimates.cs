using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Routing;

/// <summary>
/// Where a waiting conversation stands: its place among the team's waiting conversations of its channel (the ones
/// served before it), and a wait estimated from how fast the team has recently been taking conversations of that
/// channel from the queue. No recent history, no estimate: the widget then shows the place alone.
/// </summary>
public sealed record QueuePlace(int Position, int? EstimatedWaitSeconds);

public sealed class QueueEstimates(AppDbContext db, TimeProvider clock)
{
    /// <summary>How far back assignments count toward the handling rate.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(30);

    // The newest assignments the rate is taken from, and how few make no rate at all.
    private const int Sample = 20;
    private const int FewestForARate = 3;

    // Estimates move in steps of this many seconds, so a visitor is not sent a new figure on every pass.
    private const int Step = 15;

    // The shortest time a rate is taken over: a handful of assignments in the same second (an agent came online
    // to a full queue) is a burst, not a pace. Longer, it caps a busy team's pace (20 in a minute) and every
    // estimate of a fast queue comes out several times too long, as the routing storm showed.
    private const double ShortestSpanSeconds = 10;

    /// <summary>The place of every conversation waiting in the team's queue.</summary>
    public async Task<Dictionary<Guid, QueuePlace>> PlacesAsync(Guid teamId, CancellationToken cancellationToken)
    {
        var queue = await TeamDispatch.QueueAsync(db, teamId, cancellationToken);
        var rates = await RatesAsync(teamId, cancellationToken);
        return QueueOrder.Places(queue, waiting => waiting.Channel).ToDictionary(
            place => place.Conversation.Id,
            place => new QueuePlace(
                place.Position, rates.TryGetValue(place.Conversation.Channel, out var perSecond) ? Estimate(place.Position, perSecond) : null));
    }

    /// <summary>The wait of the <paramref name="position"/>-th in line when the team takes <paramref name="perSecond"/> conversations a second, in steps.</summary>
    public static int Estimate(int position, double perSecond) => (int)Math.Ceiling(position / perSecond / Step) * Step;

    // Conversations taken from the queue per second, per channel: the newest assignments over the time since the
    // oldest of them, so a team that stopped taking any sees its rate fall as the minutes pass.
    private async Task<Dictionary<RoutingChannel, double>> RatesAsync(Guid teamId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var since = now - Window;
        var recent = await db.RoutingDecisions.AsNoTracking()
            .Where(d => d.TeamId == teamId && d.Outcome == RoutingOutcome.Assigned && d.Waited != null && d.DecidedAt >= since)
            .OrderByDescending(d => d.DecidedAt).Take(Sample * 5)
            .Join(db.Conversations, d => d.ConversationId, c => c.Id, (d, c) => new { d.DecidedAt, c.Origin })
            .ToListAsync(cancellationToken);
        return recent
            .GroupBy(r => ConcurrencyCaps.ChannelOf(r.Origin))
            .Select(g => (Channel: g.Key, Times: g.Select(r => r.DecidedAt).OrderDescending().Take(Sample).ToList()))
            .Where(g => g.Times.Count >= FewestForARate)
            .ToDictionary(g => g.Channel, g => g.Times.Count / Math.Max(ShortestSpanSeconds, (now - g.Times[^1]).TotalSeconds));
    }
}
