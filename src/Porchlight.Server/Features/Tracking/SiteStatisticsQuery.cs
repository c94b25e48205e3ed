using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Tracking;

/// <summary>
/// A site's figures over whole UTC days, <c>from</c> to <c>to</c> inclusive. <c>upToDate</c> is false while some of
/// those days wait to be rolled up again (they are, within <c>Tracking:RollupInterval</c>).
/// </summary>
public sealed record SiteStatisticsResponse(
    Guid InboxId,
    DateOnly From,
    DateOnly To,
    bool UpToDate,
    SiteTotals Totals,
    List<SiteDayFigures> Days,
    List<PageFigures> TopPages,
    List<PageFigures> PagesBeforeConversations,
    List<SourceFigures> EntryPages,
    List<SourceFigures> Referrers,
    List<SourceFigures> UtmSources,
    List<SourceFigures> UtmCampaigns,
    List<SourceFigures> Devices,
    List<SourceFigures> Browsers,
    List<SourceFigures> OperatingSystems,
    List<SourceFigures> Countries);

/// <summary>
/// <c>visitors</c> is exact for a single day and for periods of up to <see cref="SiteStatisticsQuery.ExactVisitorsUpTo"/>
/// visits; larger periods merge daily sketches (<c>visitorsEstimated</c>, standard error 0.8%). Rates are fractions (0.25 is 25%).
/// </summary>
public sealed record SiteTotals(
    long Visitors, bool VisitorsEstimated, int Visits, int PageViews, double BounceRate, double AverageVisitSeconds, int Conversations, double ConversationRate);

public sealed record SiteDayFigures(DateOnly Day, int Visitors, int Visits, int PageViews, int Conversations);

/// <summary>A page: its views, the visits that viewed it, and the chat conversations begun while it was in view.</summary>
public sealed record PageFigures(string Url, int PageViews, int Visits, int Conversations, double ConversationRate);

/// <summary>Visits by one value of a dimension (an entry page, a referring host, a device…).</summary>
public sealed record SourceFigures(string Name, int Visits, double BounceRate, int Conversations, double ConversationRate);

/// <summary>Reads a site's statistics from the daily rollups (<see cref="SiteDailyStat"/>): a few rows a day, whatever the traffic.</summary>
public sealed class SiteStatisticsQuery(AppDbContext db, TimeProvider clock)
{
    public const int MaxDays = 366;
    public const int MaxTop = 100;

    /// <summary>Up to this many visits in a period, its distinct visitors are counted from the visits themselves.</summary>
    public const int ExactVisitorsUpTo = 20_000;

    public async Task<Result<SiteStatisticsResponse>> HandleAsync(Guid inboxId, DateOnly? from, DateOnly? to, int? top, CancellationToken cancellationToken)
    {
        if (!Reports.ReportPeriods.IsReportDay(from) || !Reports.ReportPeriods.IsReportDay(to))
        {
            return Failure.Invalid(Reports.ReportPeriods.IsReportDay(from) ? "to" : "from", Reports.ReportPeriods.DayRule);
        }

        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var last = to ?? today;
        var first = from ?? last.AddDays(-29);
        var count = top ?? 10;
        var errors = new FieldErrors();
        if (first > last)
        {
            errors.Add("from", "Must be on or before 'to'.");
        }
        else if (last.DayNumber - first.DayNumber + 1 > MaxDays)
        {
            errors.Add("from", $"A period is at most {MaxDays} days.");
        }

        if (count is < 1 or > MaxTop)
        {
            errors.Add("top", $"Must be between 1 and {MaxTop}.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        if (!await db.Inboxes.AnyAsync(i => i.Id == inboxId && i.Channel == InboxChannel.WebWidget, cancellationToken))
        {
            return Failure.NotFound("Web-widget inbox");
        }

        return await FiguresAsync(inboxId, first, last, count, cancellationToken);
    }

    /// <summary>The figures of a site known to exist, over a period already checked.</summary>
    internal async Task<SiteStatisticsResponse> FiguresAsync(Guid inboxId, DateOnly first, DateOnly last, int count, CancellationToken cancellationToken)
    {
        var days = await db.SiteDailyStats.AsNoTracking()
            .Where(s => s.InboxId == inboxId && s.Dimension == SiteDimension.Site && s.Day >= first && s.Day <= last)
            .ToListAsync(cancellationToken);
        var upToDate = !await db.StaleSiteDays.AnyAsync(d => d.InboxId == inboxId && d.Day >= first && d.Day <= last, cancellationToken);
        var visits = days.Sum(d => d.Visits);
        var conversations = days.Sum(d => d.Conversations);
        var estimated = first != last && visits > ExactVisitorsUpTo;
        var visitors = first == last ? days.Sum(d => d.Visitors)
            : estimated ? Estimate(days)
            : await DistinctVisitorsAsync(inboxId, first, last, cancellationToken);
        var totals = new SiteTotals(
            visitors, estimated, visits, days.Sum(d => d.PageViews),
            Rate(days.Sum(d => d.Bounces), visits), visits == 0 ? 0 : (double)days.Sum(d => d.VisitSeconds) / visits, conversations, Rate(conversations, visits));
        var byDay = days.ToDictionary(d => d.Day);
        var series = Enumerable.Range(0, last.DayNumber - first.DayNumber + 1).Select(first.AddDays)
            .Select(day => byDay.TryGetValue(day, out var d) ? new SiteDayFigures(day, d.Visitors, d.Visits, d.PageViews, d.Conversations) : new SiteDayFigures(day, 0, 0, 0, 0))
            .ToList();

        var range = db.SiteDailyStats.AsNoTracking().Where(s => s.InboxId == inboxId && s.Day >= first && s.Day <= last);
        // Both page lists come from one aggregation: it is the costliest part (a row per page and day).
        var pages = await PagesAsync(range, cancellationToken);
        var topPages = pages.OrderByDescending(p => p.PageViews).ThenByDescending(p => p.Visits).ThenBy(p => p.Url, StringComparer.Ordinal).Take(count).ToList();
        var beforeConversations = pages.Where(p => p.Conversations > 0)
            .OrderByDescending(p => p.Conversations).ThenByDescending(p => p.Visits).ThenBy(p => p.Url, StringComparer.Ordinal).Take(count).ToList();
        return new SiteStatisticsResponse(
            inboxId, first, last, upToDate, totals, series, topPages, beforeConversations,
            await SourcesAsync(range, SiteDimension.EntryPage, count, cancellationToken),
            await SourcesAsync(range, SiteDimension.Referrer, count, cancellationToken),
            await SourcesAsync(range, SiteDimension.UtmSource, count, cancellationToken),
            await SourcesAsync(range, SiteDimension.UtmCampaign, count, cancellationToken),
            await SourcesAsync(range, SiteDimension.Device, count, cancellationToken),
            await SourcesAsync(range, SiteDimension.Browser, count, cancellationToken),
            await SourcesAsync(range, SiteDimension.Os, count, cancellationToken),
            await SourcesAsync(range, SiteDimension.Country, count, cancellationToken));
    }

    private static long Estimate(List<SiteDailyStat> days)
    {
        var sketch = new VisitorSketch();
        foreach (var day in days.Where(d => d.VisitorSketch is not null))
        {
            sketch.Merge(VisitorSketch.From(day.VisitorSketch!));
        }

        return sketch.Estimate();
    }

    /// <summary>Counted as the rollups count a day's: the visitors of the visits begun in the period.</summary>
    private async Task<long> DistinctVisitorsAsync(Guid inboxId, DateOnly first, DateOnly last, CancellationToken cancellationToken)
    {
        var (start, end) = (first.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), last.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
        return await db.TrackedSessions.Where(s => s.InboxId == inboxId && s.StartedAt >= start && s.StartedAt < end)
            .Select(s => s.VisitorKey).Distinct().CountAsync(cancellationToken);
    }

    private static double Rate(int part, int whole) => whole == 0 ? 0 : (double)part / whole;

    private static async Task<List<PageFigures>> PagesAsync(IQueryable<SiteDailyStat> range, CancellationToken cancellationToken) =>
        (await range.Where(s => s.Dimension == SiteDimension.Page)
            .GroupBy(s => s.Key)
            .Select(g => new { Key = g.Key, PageViews = g.Sum(s => s.PageViews), Visits = g.Sum(s => s.Visits), Conversations = g.Sum(s => s.Conversations) })
            .ToListAsync(cancellationToken))
        .ConvertAll(p => new PageFigures(p.Key, p.PageViews, p.Visits, p.Conversations, Rate(p.Conversations, p.Visits)));

    private static async Task<List<SourceFigures>> SourcesAsync(IQueryable<SiteDailyStat> range, SiteDimension dimension, int count, CancellationToken cancellationToken) =>
        (await range.Where(s => s.Dimension == dimension)
            .GroupBy(s => s.Key)
            .Select(g => new { Key = g.Key, Visits = g.Sum(s => s.Visits), Bounces = g.Sum(s => s.Bounces), Conversations = g.Sum(s => s.Conversations) })
            .OrderByDescending(s => s.Visits).ThenBy(s => s.Key).Take(count)
            .ToListAsync(cancellationToken))
        .ConvertAll(s => new SourceFigures(s.Key, s.Visits, Rate(s.Bounces, s.Visits), s.Conversations, Rate(s.Conversations, s.Visits)));
}
