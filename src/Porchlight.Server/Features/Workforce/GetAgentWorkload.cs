using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Assistant;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Features.Reports;
using Porchlight.Server.Features.Routing;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Workforce;

/// <summary>Days from <c>from</c> to <c>to</c> (inclusive, at most 31; the last 7 days to today by default), on the agent's clock.</summary>
public sealed record WorkloadQuery(DateOnly? From, DateOnly? To);

/// <summary>
/// One agent's workload and well-being over some days: what they held and when, their caps now, their hours against their
/// schedule (<see cref="Schedule"/>), what customers said of them, and the workload alerts raised for them. <c>LongHoldMinutes</c> is the bar a hold must pass to
/// count as long: the workspace's 90th percentile over the last 8 weeks (null until it has 20 holds).
/// </summary>
public sealed record AgentWorkloadResponse(
    Guid AgentId,
    string DisplayName,
    string TimeZone,
    DateOnly From,
    DateOnly To,
    IReadOnlyDictionary<RoutingChannel, int> Caps,
    int ActiveNow,
    double? LongHoldMinutes,
    WorkloadFigures Figures,
    AgentAdherence Schedule,
    double? SatisfactionAverage,
    int SatisfactionAnswers,
    IReadOnlyList<WorkloadAlertResponse> Alerts);

/// <summary>
/// An agent's workload, from the conversations' event logs (the same holds the reports' handle time counts, replayed by
/// <see cref="ConversationMeasures"/>, plus the ones still running), their status periods and their shifts. For the agent
/// themself (their own page) and for those who read reports; it shows counts and times, never conversations.
/// </summary>
public sealed class GetAgentWorkload(AppDbContext db, GetAdherence adherence, AgentHolds agentHolds, WorkloadAlerts alerts, ActingAgent actor, TimeProvider clock)
{
    /// <summary>Holds longer than this share of the workspace's are long.</summary>
    public const double LongHoldPercentile = 0.9;

    /// <summary>Fewest holds the percentile is taken from; with fewer, nothing counts as long.</summary>
    public const int LongHoldSample = 20;

    /// <summary>The caller's own workload.</summary>
    public Task<Result<AgentWorkloadResponse>> MineAsync(WorkloadQuery query, CancellationToken cancellationToken) =>
        HandleAsync(actor.AgentId, query, cancellationToken);

    public async Task<Result<AgentWorkloadResponse>> HandleAsync(Guid agentId, WorkloadQuery query, CancellationToken cancellationToken)
    {
        if (await db.Agents.AsNoTracking().Where(a => a.Id == agentId).Select(a => new { a.DisplayName, a.Caps }).FirstOrDefaultAsync(cancellationToken) is not { } agent)
        {
            return Failure.NotFound("The agent");
        }

        var schedule = await adherence.HandleAsync(new AdherenceQuery(agentId, null, query.From, query.To), cancellationToken);
        if (!schedule.Succeeded)
        {
            return schedule.Failure!;
        }

        var own = schedule.Value!;
        var days = own.Agents[0];
        var zone = TimeZoneInfo.FindSystemTimeZoneById(days.TimeZone);
        var now = clock.GetUtcNow().UtcDateTime;
        var from = LocalIntervals.StartOfDay(own.From, zone);
        var to = LocalIntervals.StartOfDay(own.To.AddDays(1), zone);
        to = to < now ? to : now;

        var workspace = await db.Workspaces.AsNoTracking().FirstAsync(cancellationToken);
        var caps = Enum.GetValues<RoutingChannel>().ToDictionary(c => c, c => ConcurrencyCaps.Effective(agent.Caps, workspace.Caps, c));
        var holds = await agentHolds.ReadAsync(agentId, from, to, now, workspace.Calendar(), cancellationToken);
        var held = holds.Select(h => h.ConversationId).Distinct().ToList();
        var negative = (await db.ReportFacts.AsNoTracking()
            .Where(f => f.Metric == ReportMetric.CustomerTone && f.Bucket == (int)SentimentLabel.Negative && held.Contains(f.ConversationId))
            .Select(f => f.ConversationId).ToListAsync(cancellationToken)).ToHashSet();
        var statuses = (await db.AgentStatusPeriods.AsNoTracking()
            .Where(p => p.AgentId == agentId && p.StartedAt < to && (p.EndedAt == null || p.EndedAt > from))
            .Select(p => new { p.Status, p.StartedAt, p.EndedAt }).ToListAsync(cancellationToken))
            .ConvertAll(p => new StatusSpan(p.Status, p.StartedAt, p.EndedAt ?? now));
        var longHold = await LongHoldAsync(workspace.Calendar().DayOf(now), cancellationToken);
        var figures = Workload.Of(holds, caps, statuses, negative, longHold, zone, from, to);

        var scores = await db.ReportFacts.AsNoTracking()
            .Where(f => f.Metric == ReportMetric.Satisfaction && f.AgentId == agentId && f.Day >= own.From && f.Day <= own.To)
            .Select(f => f.Bucket).ToListAsync(cancellationToken);
        // Now, whatever days are shown.
        var activeNow = await db.Conversations.AcrossInboxes().CountAsync(
            c => c.AssigneeId == agentId && (c.Status == ConversationStatus.Open || c.Status == ConversationStatus.Pending), cancellationToken);
        return new AgentWorkloadResponse(
            agentId, agent.DisplayName, days.TimeZone, own.From, own.To, caps, activeNow, longHold?.TotalMinutes, figures, days,
            scores.Count > 0 ? scores.Average() : null, scores.Count, await alerts.ForAgentAsync(agentId, cancellationToken));
    }

    /// <summary>The <see cref="LongHoldPercentile"/> of the workspace's holds over the 8 weeks to <paramref name="today"/>.</summary>
    private async Task<TimeSpan?> LongHoldAsync(DateOnly today, CancellationToken cancellationToken)
    {
        var recent = db.ReportFacts.AsNoTracking().Where(f => f.Metric == ReportMetric.HandleTime && f.Day > today.AddDays(-56) && f.Day <= today);
        var count = await recent.CountAsync(cancellationToken);
        if (count < LongHoldSample)
        {
            return null;
        }

        var milliseconds = await recent.OrderBy(f => f.Milliseconds).Skip((int)(count * LongHoldPercentile)).Select(f => f.Milliseconds).FirstAsync(cancellationToken);
        return TimeSpan.FromMilliseconds(milliseconds);
    }
}
