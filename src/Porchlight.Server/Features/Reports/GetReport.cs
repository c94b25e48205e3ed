using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Reports;

/// <summary>What a report groups its table by.</summary>
public enum ReportBreakdown
{
    Agent,
    Team,
    Inbox,

    /// <summary>By the conversation's labels now: a conversation with two labels counts in both rows.</summary>
    Label,

    /// <summary>By the intent the assistant recognised (the label it gave the conversation).</summary>
    Intent,
}

/// <summary>
/// A report's period and filters, as asked: days in the workspace's time zone, both included; without <c>From</c>, the
/// <c>Days</c> (30 unless given) that end on <c>To</c>, which is today unless given.
/// </summary>
public sealed record ReportQuery(DateOnly? From = null, DateOnly? To = null, int? Days = null, Guid? InboxId = null, Guid? TeamId = null, Guid? AgentId = null);

public sealed record ReportDay(DateOnly Day, ReportFigures Figures);

/// <summary>A period's figures, the previous period's of the same length for comparison, and each day's for the charts.</summary>
public sealed record ReportResponse(
    DateOnly From, DateOnly To, DateOnly PreviousFrom, DateOnly PreviousTo, string TimeZone, List<string> Buckets,
    ReportFigures Figures, ReportFigures Previous, List<ReportDay> Days);

/// <summary>
/// An agent's time in the period by status (hours), the hours worked (connected and not on a break: Online or Away),
/// conversations resolved per hour worked, and, with the workspace's hourly cost, the cost per resolved conversation.
/// </summary>
public sealed record AgentTime(double OnlineHours, double AwayHours, double BreakHours, double WorkedHours, double? ResolvedPerWorkedHour, decimal? CostPerResolved)
{
    public static AgentTime Of(double online, double away, double onBreak, int resolved, decimal? hourlyCost)
    {
        var worked = online + away;
        return new AgentTime(Math.Round(online, 2), Math.Round(away, 2), Math.Round(onBreak, 2), Math.Round(worked, 2),
            worked == 0 ? null : Math.Round(resolved / worked, 2),
            hourlyCost is { } cost && resolved > 0 ? Math.Round(cost * (decimal)worked / resolved, 2) : null);
    }
}

/// <summary>One row of a breakdown: an agent, team or inbox (null id: none, such as what no agent did); agents have their <c>Time</c>.</summary>
public sealed record BreakdownRow(Guid? Id, string Name, ReportFigures Figures, AgentTime? Time = null);

/// <summary>A period's figures by agent, team or inbox; <c>Total</c> is the rows added up, and equals the overview's figures.</summary>
public sealed record BreakdownResponse(DateOnly From, DateOnly To, ReportBreakdown By, List<BreakdownRow> Rows, ReportFigures Total, AgentTime? TotalTime = null);

/// <summary>
/// The reports, read from the rollups (brought up to date with the facts first): an overview of a period with the
/// previous one and each day, and a breakdown by agent, team or inbox. Every figure is a sum of the same rollup rows,
/// so a breakdown's rows add up to its total and the total to the overview (docs/metrics.md).
/// </summary>
public sealed class GetReport(AppDbContext db, ReportPeriods periods, TimeProvider clock)
{
    /// <summary>The names of the rows of conversations without a label or an intent (labels are lower case, so no label has them).</summary>
    public const string NoLabel = "No label", NoIntent = "No intent";

    private static readonly List<string> Buckets = [.. ReportBuckets.Labels];

    public async Task<Result<ReportResponse>> OverviewAsync(ReportQuery query, CancellationToken cancellationToken)
    {
        var period = await periods.ResolveAsync(query, StaleRollup.Figures, cancellationToken);
        if (!period.Succeeded)
        {
            return period.Failure!;
        }

        var (from, to, zone, _) = period.Value!;
        var length = to.DayNumber - from.DayNumber + 1;
        var (previousFrom, previousTo) = (from.AddDays(-length), from.AddDays(-1));
        var rows = await (query.AgentId is { } agentId
                ? ByDay(Filtered(db.ReportRollups.Where(r => r.AgentId == agentId), query, previousFrom, to))
                : ByDay(Filtered(db.ReportTeamRollups, query, previousFrom, to)))
            .ToListAsync(cancellationToken);

        var byDay = rows.ToLookup(r => r.Day, r => r.Total);
        var days = Enumerable.Range(0, length).Select(i => from.AddDays(i)).Select(day => new ReportDay(day, ReportFigures.Of([.. byDay[day]]))).ToList();
        var current = ReportFigures.Of(Added(rows.Where(r => r.Day >= from).Select(r => r.Total)));
        var previous = ReportFigures.Of(Added(rows.Where(r => r.Day < from).Select(r => r.Total)));
        return new ReportResponse(from, to, previousFrom, previousTo, zone, Buckets, current, previous, days);
    }

    public async Task<Result<BreakdownResponse>> BreakdownAsync(ReportBreakdown by, ReportQuery query, CancellationToken cancellationToken)
    {
        var period = await periods.ResolveAsync(query, by is ReportBreakdown.Label or ReportBreakdown.Intent ? StaleRollup.Labels : StaleRollup.Figures, cancellationToken);
        if (!period.Succeeded)
        {
            return period.Failure!;
        }

        var (from, to, _, calendar) = period.Value!;
        if (by is ReportBreakdown.Label or ReportBreakdown.Intent)
        {
            return await ByLabelAsync(by, query, from, to, topicsOnly: false, cancellationToken);
        }

        // Only the agents' table and a report of one agent need the agent key; the others read the rollup without it.
        var agentRows = Filtered(db.ReportRollups, query, from, to);
        agentRows = query.AgentId is { } agentId ? agentRows.Where(r => r.AgentId == agentId) : agentRows;
        var rows = await (by == ReportBreakdown.Agent
                ? agentRows.GroupBy(r => new { Key = r.AgentId, r.Metric, r.Bucket })
                    .Select(g => new KeyTotal(g.Key.Key, new MetricTotal(g.Key.Metric, g.Key.Bucket, g.Sum(r => r.Count), g.Sum(r => r.Milliseconds), g.Sum(r => r.BusinessMilliseconds))))
                : query.AgentId is null ? ByKey(Filtered(db.ReportTeamRollups, query, from, to), by) : ByKey(agentRows, by))
            .ToListAsync(cancellationToken);

        var ids = rows.Select(r => r.Key).Where(id => id != Guid.Empty).Distinct().ToList();
        var names = by switch
        {
            ReportBreakdown.Agent => await db.Agents.AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.DisplayName, cancellationToken),
            ReportBreakdown.Team => await db.Teams.AsNoTracking().Where(t => ids.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, cancellationToken),
            _ => await db.Inboxes.AsNoTracking().Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id, i => i.Name, cancellationToken),
        };
        var none = by switch { ReportBreakdown.Agent => "No agent", ReportBreakdown.Team => "No team", _ => "No inbox" };
        var breakdown = rows.GroupBy(r => r.Key)
            .Select(g => new BreakdownRow(
                g.Key == Guid.Empty ? null : g.Key,
                g.Key == Guid.Empty ? none : names.GetValueOrDefault(g.Key, "(deleted)"),
                ReportFigures.Of([.. g.Select(r => r.Total)])))
            .OrderBy(r => r.Id is null).ThenBy(r => r.Name, StringComparer.CurrentCultureIgnoreCase).ToList();
        var total = ReportFigures.Of(Added(rows.Select(r => r.Total)));
        return by == ReportBreakdown.Agent
            ? await WithAgentTimeAsync(new BreakdownResponse(from, to, by, breakdown, total), period.Value, query.AgentId, cancellationToken)
            : new BreakdownResponse(from, to, by, breakdown, total);
    }

    /// <summary>
    /// Adds each agent's status time in the period (from their status periods, cut at the period's edges; an open one
    /// runs until now) to the agents' rows, and a row for an agent who was connected but counted no figure.
    /// </summary>
    private async Task<BreakdownResponse> WithAgentTimeAsync(BreakdownResponse breakdown, ReportPeriod period, Guid? agentId, CancellationToken cancellationToken)
    {
        var (start, end, now) = (period.Start, period.End, clock.GetUtcNow().UtcDateTime);
        var periods = db.AgentStatusPeriods.AsNoTracking().Where(p => p.StartedAt < end && (p.EndedAt == null || p.EndedAt > start));
        periods = agentId is { } id ? periods.Where(p => p.AgentId == id) : periods;
        var hours = (await periods.Select(p => new { p.AgentId, p.Status, p.StartedAt, p.EndedAt }).ToListAsync(cancellationToken))
            .GroupBy(p => p.AgentId)
            .ToDictionary(g => g.Key, g => g.GroupBy(p => p.Status).ToDictionary(
                s => s.Key,
                s => s.Sum(p => Math.Max(0, ((p.EndedAt ?? now) < end ? p.EndedAt ?? now : end).Subtract(p.StartedAt > start ? p.StartedAt : start).TotalHours))));
        var cost = (await db.Workspaces.AsNoTracking().FirstAsync(cancellationToken)).AgentHourlyCost;
        var rows = breakdown.Rows.ToList();
        var idle = hours.Keys.Where(a => rows.All(r => r.Id != a)).ToList();
        var names = await db.Agents.AsNoTracking().Where(a => idle.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.DisplayName, cancellationToken);
        rows.AddRange(idle.Select(a => new BreakdownRow(a, names.GetValueOrDefault(a, "(deleted)"), ReportFigures.Of([]))));
        AgentTime TimeOf(IReadOnlyDictionary<Agents.PresenceStatus, double> byStatus, int resolved) => AgentTime.Of(
            byStatus.GetValueOrDefault(Agents.PresenceStatus.Online), byStatus.GetValueOrDefault(Agents.PresenceStatus.Away), byStatus.GetValueOrDefault(Agents.PresenceStatus.Break), resolved, cost);
        var timed = rows.ConvertAll(r => r.Id is { } a ? r with { Time = TimeOf(hours.GetValueOrDefault(a) ?? [], r.Figures.ResolvedConversations) } : r)
            .OrderBy(r => r.Id is null).ThenBy(r => r.Name, StringComparer.CurrentCultureIgnoreCase).ToList();
        var all = hours.Values.SelectMany(h => h).GroupBy(h => h.Key).ToDictionary(g => g.Key, g => g.Sum(h => h.Value));
        return breakdown with { Rows = timed, TotalTime = TimeOf(all, breakdown.Total.ResolvedConversations) };
    }

    /// <summary>
    /// The label breakdown with only what the insights' topics show, the conversations and their customers' tone, counted:
    /// two metrics' rows of the label rollup are a small part of it.
    /// </summary>
    public async Task<Result<BreakdownResponse>> TopicsAsync(ReportQuery query, CancellationToken cancellationToken)
    {
        var period = await periods.ResolveAsync(query, StaleRollup.Labels, cancellationToken);
        return period.Succeeded
            ? await ByLabelAsync(ReportBreakdown.Label, query, period.Value!.From, period.Value.To, topicsOnly: true, cancellationToken)
            : period.Failure!;
    }

    /// <summary>
    /// A breakdown by the conversations' labels now (or the intent labels only): a conversation counts in the row of each
    /// of its labels, so the rows may add up to more than the total, which counts each conversation once.
    /// </summary>
    private async Task<BreakdownResponse> ByLabelAsync(
        ReportBreakdown by, ReportQuery query, DateOnly from, DateOnly to, bool topicsOnly, CancellationToken cancellationToken)
    {
        var sets = query.AgentId is { } agentId
            ? await AgentLabelSetsAsync(agentId, query, from, to, topicsOnly, cancellationToken)
            : await LabelSetsAsync(query, from, to, topicsOnly, cancellationToken);
        var intents = by == ReportBreakdown.Intent ? (await db.Intents.AsNoTracking().Select(i => i.Name).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal) : null;
        bool Shown(string label) => intents is null || intents.Contains(label);
        var rows = sets.SelectMany(s => s.Labels.Where(Shown).Select(label => (Label: label, s.Total))).GroupBy(r => r.Label, StringComparer.Ordinal)
            .Select(g => new BreakdownRow(null, g.Key, ReportFigures.Of(Added(g.Select(r => r.Total)))))
            .OrderByDescending(r => r.Figures.Conversations).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
        var none = Added(sets.Where(s => !s.Labels.Any(Shown)).Select(s => s.Total));
        if (none.Count > 0)
        {
            rows.Add(new BreakdownRow(null, by == ReportBreakdown.Intent ? NoIntent : NoLabel, ReportFigures.Of(none)));
        }

        return new BreakdownResponse(from, to, by, rows, ReportFigures.Of(Added(sets.Select(s => s.Total))));
    }

    /// <summary>The period's label rollup rows added up by set of labels, metric and bucket.</summary>
    private async Task<List<LabelSetTotal>> LabelSetsAsync(ReportQuery query, DateOnly from, DateOnly to, bool topicsOnly, CancellationToken cancellationToken)
    {
        var rows = Filtered(db.ReportLabelRollups, query, from, to);
        rows = topicsOnly ? rows.Where(r => r.Metric == ReportMetric.Conversations || r.Metric == ReportMetric.CustomerTone) : rows;
        return Parsed(await rows.GroupBy(r => new { r.LabelSet, r.Metric, r.Bucket })
            .Select(g => new LabelSetRow(g.Key.LabelSet, new MetricTotal(g.Key.Metric, g.Key.Bucket, g.Sum(r => r.Count), g.Sum(r => r.Milliseconds), g.Sum(r => r.BusinessMilliseconds))))
            .ToListAsync(cancellationToken));
    }

    /// <summary>
    /// One agent's facts of the period added up by set of labels (the label rollup has no agent key): a scan of the
    /// period's facts, so slower than the rollup.
    /// </summary>
    private async Task<List<LabelSetTotal>> AgentLabelSetsAsync(
        Guid agentId, ReportQuery query, DateOnly from, DateOnly to, bool topicsOnly, CancellationToken cancellationToken)
    {
        var facts = db.ReportFacts.AsNoTracking().Where(f => f.AgentId == agentId && f.Day >= from && f.Day <= to);
        facts = topicsOnly ? facts.Where(f => f.Metric == ReportMetric.Conversations || f.Metric == ReportMetric.CustomerTone) : facts;
        facts = query.InboxId is { } inboxId ? facts.Where(f => f.InboxId == inboxId) : facts;
        facts = query.TeamId is { } teamId ? facts.Where(f => f.TeamId == teamId) : facts;
        return Parsed(await facts.GroupBy(f => new { f.LabelSet, f.Metric, f.Bucket })
            .Select(g => new LabelSetRow(g.Key.LabelSet, new MetricTotal(g.Key.Metric, g.Key.Bucket, g.Count(), g.Sum(f => f.Milliseconds), g.Sum(f => f.BusinessMilliseconds))))
            .ToListAsync(cancellationToken));
    }

    // Each set's labels read once.
    private static List<LabelSetTotal> Parsed(List<LabelSetRow> rows)
    {
        var labels = rows.Select(r => r.LabelSet).Distinct(StringComparer.Ordinal)
            .ToDictionary(set => set, set => (IReadOnlyList<string>?)JsonSerializer.Deserialize<List<string>>(set) ?? [], StringComparer.Ordinal);
        return rows.ConvertAll(r => new LabelSetTotal(labels[r.LabelSet], r.Total));
    }

    private sealed record LabelSetRow(string LabelSet, MetricTotal Total);

    private sealed record LabelSetTotal(IReadOnlyList<string> Labels, MetricTotal Total);

    // The rows of the period's days, of the inbox and team asked for (the agent is the caller's: only one rollup has it).
    private static IQueryable<T> Filtered<T>(IQueryable<T> rollup, ReportQuery query, DateOnly from, DateOnly to)
        where T : class, IRollupRow
    {
        var rows = rollup.AsNoTracking().Where(r => r.Day >= from && r.Day <= to);
        rows = query.InboxId is { } inboxId ? rows.Where(r => r.InboxId == inboxId) : rows;
        return query.TeamId is { } teamId ? rows.Where(r => r.TeamId == teamId) : rows;
    }

    private static IQueryable<DayTotal> ByDay<T>(IQueryable<T> rows)
        where T : class, IRollupRow =>
        rows.GroupBy(r => new { r.Day, r.Metric, r.Bucket })
            .Select(g => new DayTotal(g.Key.Day, new MetricTotal(g.Key.Metric, g.Key.Bucket, g.Sum(r => r.Count), g.Sum(r => r.Milliseconds), g.Sum(r => r.BusinessMilliseconds))));

    private static IQueryable<KeyTotal> ByKey<T>(IQueryable<T> rows, ReportBreakdown by)
        where T : class, IRollupRow =>
        by == ReportBreakdown.Team
            ? rows.GroupBy(r => new { Key = r.TeamId, r.Metric, r.Bucket })
                .Select(g => new KeyTotal(g.Key.Key, new MetricTotal(g.Key.Metric, g.Key.Bucket, g.Sum(r => r.Count), g.Sum(r => r.Milliseconds), g.Sum(r => r.BusinessMilliseconds))))
            : rows.GroupBy(r => new { Key = r.InboxId, r.Metric, r.Bucket })
                .Select(g => new KeyTotal(g.Key.Key, new MetricTotal(g.Key.Metric, g.Key.Bucket, g.Sum(r => r.Count), g.Sum(r => r.Milliseconds), g.Sum(r => r.BusinessMilliseconds))));

    private sealed record DayTotal(DateOnly Day, MetricTotal Total);

    private sealed record KeyTotal(Guid Key, MetricTotal Total);

    // Totals of several days or keys, one per metric and bucket again.
    private static List<MetricTotal> Added(IEnumerable<MetricTotal> totals) =>
    [
        .. totals.GroupBy(t => (t.Metric, t.Bucket))
            .Select(g => new MetricTotal(g.Key.Metric, g.Key.Bucket, g.Sum(t => t.Count), g.Sum(t => t.Milliseconds), g.Sum(t => t.BusinessMilliseconds))),
    ];
}
