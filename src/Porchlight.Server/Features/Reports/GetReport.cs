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

/// <summary>One row of a breakdown: an agent, team or inbox (null id: none, such as what no agent did).</summary>
public sealed record BreakdownRow(Guid? Id, string Name, ReportFigures Figures);

/// <summary>A period's figures by agent, team or inbox; <c>Total</c> is the rows added up, and equals the overview's figures.</summary>
public sealed record BreakdownResponse(DateOnly From, DateOnly To, ReportBreakdown By, List<BreakdownRow> Rows, ReportFigures Total);

/// <summary>
/// The reports, read from the rollups (brought up to date with the facts first): an overview of a period with the
/// previous one and each day, and a breakdown by agent, team or inbox. Every figure is a sum of the same rollup rows,
/// so a breakdown's rows add up to its total and the total to the overview (docs/metrics.md).
/// </summary>
public sealed class GetReport(AppDbContext db, TenantScope tenant, ReportRollups rollups, TimeProvider clock)
{
    public const int MaxDays = 366;

    private static readonly List<string> Buckets = [.. ReportBuckets.Labels];

    public async Task<Result<ReportResponse>> OverviewAsync(ReportQuery query, CancellationToken cancellationToken)
    {
        var period = await PeriodAsync(query, cancellationToken);
        if (!period.Succeeded)
        {
            return period.Failure!;
        }

        var (from, to, zone) = period.Value!;
        var length = to.DayNumber - from.DayNumber + 1;
        var (previousFrom, previousTo) = (from.AddDays(-length), from.AddDays(-1));
        var rows = await Filtered(query, previousFrom, to)
            .GroupBy(r => new { r.Day, r.Metric, r.Bucket })
            .Select(g => new { g.Key.Day, Total = new MetricTotal(g.Key.Metric, g.Key.Bucket, g.Sum(r => r.Count), g.Sum(r => r.Milliseconds), g.Sum(r => r.BusinessMilliseconds)) })
            .ToListAsync(cancellationToken);

        var byDay = rows.ToLookup(r => r.Day, r => r.Total);
        var days = Enumerable.Range(0, length).Select(i => from.AddDays(i)).Select(day => new ReportDay(day, ReportFigures.Of([.. byDay[day]]))).ToList();
        var current = ReportFigures.Of(Added(rows.Where(r => r.Day >= from).Select(r => r.Total)));
        var previous = ReportFigures.Of(Added(rows.Where(r => r.Day < from).Select(r => r.Total)));
        return new ReportResponse(from, to, previousFrom, previousTo, zone, Buckets, current, previous, days);
    }

    public async Task<Result<BreakdownResponse>> BreakdownAsync(ReportBreakdown by, ReportQuery query, CancellationToken cancellationToken)
    {
        var period = await PeriodAsync(query, cancellationToken);
        if (!period.Succeeded)
        {
            return period.Failure!;
        }

        var (from, to, _) = period.Value!;
        var filtered = Filtered(query, from, to);
        var grouped = by switch
        {
            ReportBreakdown.Agent => filtered.GroupBy(r => new { Key = r.AgentId, r.Metric, r.Bucket }),
            ReportBreakdown.Team => filtered.GroupBy(r => new { Key = r.TeamId, r.Metric, r.Bucket }),
            _ => filtered.GroupBy(r => new { Key = r.InboxId, r.Metric, r.Bucket }),
        };
        var rows = await grouped
            .Select(g => new { g.Key.Key, Total = new MetricTotal(g.Key.Metric, g.Key.Bucket, g.Sum(r => r.Count), g.Sum(r => r.Milliseconds), g.Sum(r => r.BusinessMilliseconds)) })
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
        return new BreakdownResponse(from, to, by, breakdown, ReportFigures.Of(Added(rows.Select(r => r.Total))));
    }

    // The period asked for, checked, in the workspace's days; rolls up what is stale first.
    private async Task<Result<(DateOnly From, DateOnly To, string Zone)>> PeriodAsync(ReportQuery query, CancellationToken cancellationToken)
    {
        var workspace = await db.Workspaces.AsNoTracking().FirstAsync(cancellationToken);
        var today = workspace.Calendar().DayOf(clock.GetUtcNow().UtcDateTime);
        var to = query.To ?? today;
        if (query.Days is < 1 or > MaxDays)
        {
            return Failure.Invalid("days", $"Between 1 and {MaxDays}.");
        }

        var from = query.From ?? to.AddDays(1 - (query.Days ?? 30));
        if (from > to)
        {
            return Failure.Invalid("from", "Must be on or before 'to'.");
        }

        if (to.DayNumber - from.DayNumber + 1 > MaxDays)
        {
            return Failure.Invalid("from", $"A period is at most {MaxDays} days.");
        }

        // A filter by another workspace's (or no) inbox, team or agent answers as an unknown id does.
        if (query.InboxId is { } inboxId && !await db.Inboxes.AnyAsync(i => i.Id == inboxId, cancellationToken))
        {
            return Failure.NotFound("The inbox");
        }

        if (query.TeamId is { } teamId && !await db.Teams.AnyAsync(t => t.Id == teamId, cancellationToken))
        {
            return Failure.NotFound("The team");
        }

        if (query.AgentId is { } agentId && !await db.Agents.AnyAsync(a => a.Id == agentId, cancellationToken))
        {
            return Failure.NotFound("The agent");
        }

        await rollups.RollUpAsync(tenant.WorkspaceId, cancellationToken);
        return (from, to, workspace.TimeZone);
    }

    private IQueryable<ReportRollup> Filtered(ReportQuery query, DateOnly from, DateOnly to)
    {
        var rows = db.ReportRollups.AsNoTracking().Where(r => r.Day >= from && r.Day <= to);
        rows = query.InboxId is { } inboxId ? rows.Where(r => r.InboxId == inboxId) : rows;
        rows = query.TeamId is { } teamId ? rows.Where(r => r.TeamId == teamId) : rows;
        return query.AgentId is { } agentId ? rows.Where(r => r.AgentId == agentId) : rows;
    }

    // Totals of several days or keys, one per metric and bucket again.
    private static List<MetricTotal> Added(IEnumerable<MetricTotal> totals) =>
    [
        .. totals.GroupBy(t => (t.Metric, t.Bucket))
            .Select(g => new MetricTotal(g.Key.Metric, g.Key.Bucket, g.Sum(t => t.Count), g.Sum(t => t.Milliseconds), g.Sum(t => t.BusinessMilliseconds))),
    ];
}
