using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Hosting.Cluster;

namespace Porchlight.Server.Features.Tracking;

/// <summary>
/// Rolls the days the writer marked stale (<see cref="StaleSiteDay"/>) up into <see cref="SiteDailyStat"/> rows,
/// each day whole and from scratch: its visits, its page views by address, and its chat conversations by the page
/// the visitor was on. An event that arrives late marks its day again, so the figures end up exactly what a fresh
/// count of the raw data gives. Safe on several nodes at once (a day rolled up twice comes out the same).
/// </summary>
public sealed class TrackingRollups(IServiceScopeFactory scopes, JobLeases leases, TimeProvider clock, IConfiguration configuration, ILogger<TrackingRollups> logger)
    : BackgroundService
{
    /// <summary>How long before a conversation began its visitor's page view still counts as the page they asked from.</summary>
    public static readonly TimeSpan ConversationPageWindow = TimeSpan.FromMinutes(30);

    private static readonly TimeSpan CommitLeeway = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan LongestWait = TimeSpan.FromHours(1);

    // How much of one core rolling days up again may take (Tracking:RollupShare): a day that took T to roll up waits
    // T × (1 / share − 1) before it is rolled up again. A busy site's today grows all day; rolled up from scratch at
    // every pass it would take more than a core by the evening (docs/tracker.md).
    private readonly double _share = Math.Clamp(configuration.GetValue("Tracking:RollupShare", 0.05), 0.0001, 1);

    // When each day rolled up lately may be rolled up again (Stopwatch timestamps).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(Guid InboxId, DateOnly Day), long> _notBefore = new();

    // Conversations begun since this time have not been looked at yet; on start, a day back covers a restart.
    private DateTime _conversationsSince = clock.GetUtcNow().UtcDateTime.AddDays(-1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        leases.RunAsync(
            nameof(TrackingRollups), configuration.GetValue("Tracking:RollupInterval", TimeSpan.FromMinutes(1)), logger, "Rolling up site statistics",
            RollUpAsync, stoppingToken);

    /// <summary>
    /// Rolls up every stale day whose turn has come (see <c>Tracking:RollupShare</c>); answers how many days were rolled
    /// up. A day left waiting stays marked, so its statistics say they are not up to date.
    /// </summary>
    public async Task<int> RollUpAsync(CancellationToken cancellationToken)
    {
        await MarkDaysWithNewConversationsAsync(cancellationToken);
        List<StaleSiteDay> stale;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            stale = await db.StaleSiteDays.AsNoTracking().OrderBy(d => d.Day).ToListAsync(cancellationToken);
        }

        var now = Stopwatch.GetTimestamp();
        foreach (var (day, turn) in _notBefore)
        {
            if (turn <= now)
            {
                _notBefore.TryRemove(day, out _);
            }
        }

        var rolled = 0;
        foreach (var day in stale.Where(d => !_notBefore.ContainsKey((d.InboxId, d.Day))))
        {
            var started = Stopwatch.GetTimestamp();
            await RollUpDayAsync(day, cancellationToken);
            var wait = Stopwatch.GetElapsedTime(started) * (1 / _share - 1);
            _notBefore[(day.InboxId, day.Day)] = Stopwatch.GetTimestamp() + (long)((wait < LongestWait ? wait : LongestWait).TotalSeconds * Stopwatch.Frequency);
            rolled++;
        }

        return rolled;
    }

    /// <summary>A conversation changes its day's figures without any event; its day is marked here.</summary>
    private async Task MarkDaysWithNewConversationsAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var since = _conversationsSince;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        // Operator scope: every workspace's tracked sites.
        var inboxIds = await db.Inboxes.IgnoreQueryFilters().Where(i => i.Channel == InboxChannel.WebWidget).Select(i => i.Id).ToListAsync(cancellationToken);
        var days = new List<(Guid, DateOnly)>();
        foreach (var inboxId in inboxIds)
        {
            var begun = await db.Conversations.IgnoreQueryFilters()
                .Where(c => c.InboxId == inboxId && c.CreatedAt >= since && c.Origin == ConversationOrigin.Chat)
                .Select(c => c.CreatedAt).ToListAsync(cancellationToken);
            days.AddRange(begun.Select(at => DateOnly.FromDateTime(at)).Distinct().Select(day => (inboxId, day)));
        }

        if (days.Count > 0)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = StaleSiteDay.MarkStatement(db);
            command.Transaction = transaction.GetDbTransaction();
            await StaleSiteDay.MarkAsync(db, command, days, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        // A conversation stamped before this pass may commit after its query; looking back a little finds it next time.
        _conversationsSince = now - CommitLeeway;
    }

    private async Task RollUpDayAsync(StaleSiteDay stale, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var (inboxId, day) = (stale.InboxId, stale.Day);
        var inbox = await db.Inboxes.IgnoreQueryFilters().AsNoTracking().Where(i => i.Id == inboxId)
            .Select(i => new { i.WorkspaceId, i.Tracking }).SingleOrDefaultAsync(cancellationToken);
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        // A day whose raw events retention has begun to remove is not counted again: its figures are all that is left. The
        // workspace's retention policy may be shorter than the inbox's own setting: the shorter one removes.
        if (inbox is not null
            && day > today.AddDays(-await Retention.TrackingRetentionRules.EffectiveDaysAsync(db, inbox.WorkspaceId, inbox.Tracking.RetentionDays, cancellationToken)))
        {
            var rows = await CountAsync(db, inbox.WorkspaceId, inboxId, day, cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.SiteDailyStats.IgnoreQueryFilters().Where(s => s.InboxId == inboxId && s.Day == day).ExecuteDeleteAsync(cancellationToken);
            db.SiteDailyStats.AddRange(rows);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another node wrote the same day's rows meanwhile; the mark stays, and the next pass counts the day again.
                return;
            }

            await transaction.CommitAsync(cancellationToken);
        }

        // Cleared only if nothing marked the day again meanwhile; otherwise the next pass rolls it up once more.
        await db.StaleSiteDays.Where(d => d.InboxId == inboxId && d.Day == day && d.Version == stale.Version).ExecuteDeleteAsync(cancellationToken);
    }

    private static async Task<List<SiteDailyStat>> CountAsync(AppDbContext db, Guid workspaceId, Guid inboxId, DateOnly day, CancellationToken cancellationToken)
    {
        var start = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var end = start.AddDays(1);
        var rows = new Dictionary<(SiteDimension, string), SiteDailyStat>();
        SiteDailyStat Row(SiteDimension dimension, string key)
        {
            if (!rows.TryGetValue((dimension, key), out var row))
            {
                rows[(dimension, key)] = row = SiteDailyStat.For(workspaceId, inboxId, day, dimension, key);
            }

            return row;
        }

        // Operator scope throughout: the job reads one inbox, named by its id.
        var visits = await db.TrackedSessions.IgnoreQueryFilters().AsNoTracking()
            .Where(s => s.InboxId == inboxId && s.StartedAt >= start && s.StartedAt < end)
            .Select(Visit.Of)
            .ToListAsync(cancellationToken);
        var sketch = new VisitorSketch();
        foreach (var visit in visits)
        {
            sketch.Add(visit.VisitorKey);
            var seconds = (long)(visit.LastSeenAt - visit.StartedAt).TotalSeconds;
            foreach (var (dimension, key) in visit.Dimensions())
            {
                Row(dimension, key).CountVisit(visit.PageViews, seconds);
            }
        }

        Row(SiteDimension.Site, "").CountVisitors(sketch, visits.Select(v => v.VisitorKey).Distinct().Count());

        var pages = await db.TrackedEvents.IgnoreQueryFilters()
            .Where(e => e.InboxId == inboxId && e.Type == TrackedEventType.PageView && e.ReceivedAt >= start && e.ReceivedAt < end && e.Url != null)
            .GroupBy(e => e.Url!)
            .Select(g => new { Url = g.Key, Views = g.Count(), Visits = g.Select(e => e.SessionKey).Distinct().Count() })
            .ToListAsync(cancellationToken);
        foreach (var page in pages)
        {
            Row(SiteDimension.Page, page.Url).CountPage(page.Views, page.Visits);
        }

        await CountConversationsAsync(db, inboxId, start, end, visits, Row, cancellationToken);
        return [.. rows.Values];
    }

    /// <summary>
    /// Each chat conversation begun on the day counts for the site, and, when its visitor's last page view before it
    /// was recent (<see cref="ConversationPageWindow"/>), for that page and for that visit's source, device and country.
    /// </summary>
    private static async Task CountConversationsAsync(
        AppDbContext db, Guid inboxId, DateTime start, DateTime end, List<Visit> visitsOfTheDay, Func<SiteDimension, string, SiteDailyStat> row, CancellationToken cancellationToken)
    {
        var conversations = await db.Conversations.IgnoreQueryFilters().AsNoTracking()
            .Where(c => c.InboxId == inboxId && c.CreatedAt >= start && c.CreatedAt < end && c.Origin == ConversationOrigin.Chat)
            .Select(c => new { c.ContactId, c.CreatedAt }).ToListAsync(cancellationToken);
        if (conversations.Count == 0)
        {
            return;
        }

        var contactIds = conversations.Select(c => c.ContactId).Distinct().ToList();
        var browsers = (await db.TrackedVisitors.IgnoreQueryFilters().AsNoTracking()
                .Where(v => v.InboxId == inboxId && v.ContactId != null && contactIds.Contains(v.ContactId.Value))
                .Select(v => new { ContactId = v.ContactId!.Value, v.VisitorKey }).ToListAsync(cancellationToken))
            .ToLookup(v => v.ContactId, v => v.VisitorKey);
        var visitsByKey = visitsOfTheDay.ToDictionary(v => v.SessionKey);
        foreach (var conversation in conversations)
        {
            row(SiteDimension.Site, "").CountConversation();
            var keys = browsers[conversation.ContactId].ToList();
            if (keys.Count == 0)
            {
                continue;
            }

            var since = conversation.CreatedAt - ConversationPageWindow;
            var page = await db.TrackedEvents.IgnoreQueryFilters().AsNoTracking()
                .Where(e => e.InboxId == inboxId && keys.Contains(e.VisitorKey) && e.ReceivedAt >= since && e.ReceivedAt <= conversation.CreatedAt
                    && e.Type == TrackedEventType.PageView && e.Url != null)
                .OrderByDescending(e => e.ReceivedAt).Select(e => new { e.Url, e.SessionKey }).FirstOrDefaultAsync(cancellationToken);
            if (page is null)
            {
                continue;
            }

            row(SiteDimension.Page, page.Url!).CountConversation();
            // The visit may have begun the day before; its source still counts for the conversation.
            var visit = visitsByKey.GetValueOrDefault(page.SessionKey)
                ?? await db.TrackedSessions.IgnoreQueryFilters().AsNoTracking().Where(s => s.InboxId == inboxId && s.SessionKey == page.SessionKey)
                    .Select(Visit.Of)
                    .SingleOrDefaultAsync(cancellationToken);
            foreach (var (dimension, key) in visit?.Dimensions().Where(d => d.Dimension is not (SiteDimension.Site or SiteDimension.EntryPage)) ?? [])
            {
                row(dimension, key).CountConversation();
            }
        }
    }

    private sealed record Visit(
        string SessionKey, string VisitorKey, DateTime StartedAt, DateTime LastSeenAt, int PageViews, string? EntryUrl, string? Referrer,
        string? UtmSource, string? UtmCampaign, string Device, string Browser, string Os, string? Country)
    {
        public const string Direct = "(direct)";

        public static readonly System.Linq.Expressions.Expression<Func<TrackedSession, Visit>> Of = s => new Visit(
            s.SessionKey, s.VisitorKey, s.StartedAt, s.LastSeenAt, s.PageViews, s.EntryUrl, s.Referrer, s.UtmSource, s.UtmCampaign, s.Device, s.Browser, s.Os, s.Country);

        /// <summary>Every row this visit counts in.</summary>
        public IEnumerable<(SiteDimension Dimension, string Key)> Dimensions()
        {
            yield return (SiteDimension.Site, "");
            if (EntryUrl is not null)
            {
                yield return (SiteDimension.EntryPage, EntryUrl);
            }

            yield return (SiteDimension.Referrer, ReferrerHost());
            if (!string.IsNullOrEmpty(UtmSource))
            {
                yield return (SiteDimension.UtmSource, UtmSource);
            }

            if (!string.IsNullOrEmpty(UtmCampaign))
            {
                yield return (SiteDimension.UtmCampaign, UtmCampaign);
            }

            yield return (SiteDimension.Device, Device);
            yield return (SiteDimension.Browser, Browser);
            yield return (SiteDimension.Os, Os);
            yield return (SiteDimension.Country, Country ?? "");
        }

        /// <summary>The referring site's host; none, or the site itself (a visit resumed after a pause), is direct.</summary>
        private string ReferrerHost()
        {
            if (!Uri.TryCreate(Referrer, UriKind.Absolute, out var referrer))
            {
                return Direct;
            }

            var entryHost = Uri.TryCreate(EntryUrl, UriKind.Absolute, out var entry) ? entry.Host : null;
            return string.Equals(referrer.Host, entryHost, StringComparison.OrdinalIgnoreCase) ? Direct : referrer.Host;
        }
    }
}
