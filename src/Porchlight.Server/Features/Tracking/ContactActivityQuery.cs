using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Tracking;

/// <summary>A page the visitor viewed, and how long it was in view (null while it still is, or when the tracker could not tell).</summary>
public sealed record VisitStep(DateTime At, string Kind, string? Url, string? Title, int? DurationMs, string? Name, IReadOnlyDictionary<string, string>? Properties);

/// <summary>One visit with its source, software and, for the latest visits, every page and event in order.</summary>
public sealed record VisitResponse(
    DateTime StartedAt,
    DateTime LastSeenAt,
    string? EntryUrl,
    string? ExitUrl,
    int PageViews,
    bool IsReturning,
    string? Referrer,
    string? UtmSource,
    string? UtmCampaign,
    string Browser,
    string Os,
    string Device,
    string? Country,
    IReadOnlyList<VisitStep>? Steps);

/// <summary>The page a visitor has in view right now: the last thing the tracker heard was this page, moments ago.</summary>
public sealed record CurrentPage(string Url, string? Title, DateTime Since);

/// <summary>What a contact did on the site: now, first source, and their latest visits (newest first).</summary>
public sealed record ContactActivityResponse(
    CurrentPage? CurrentPage,
    DateTime? FirstSeenAt,
    int Visits,
    string? FirstReferrer,
    string? FirstUtmSource,
    string? FirstUtmCampaign,
    IReadOnlyList<VisitResponse> LatestVisits);

/// <summary>
/// A contact's page history, from every browser linked to it. Reads visit rows for the list and the events of
/// the latest few visits for their trails, so it costs the same for a contact with years of history.
/// </summary>
public sealed class ContactActivityQuery(AppDbContext db, TimeProvider clock)
{
    /// <summary>A visitor silent for this long is no longer counted as on the page (a tab left open sends nothing).</summary>
    public static readonly TimeSpan OnlineWindow = TimeSpan.FromMinutes(5);

    public const int ListedVisits = 10;
    public const int VisitsWithSteps = 3;
    public const int MaxSteps = 200;

    public async Task<Result<ContactActivityResponse>> HandleAsync(Guid contactId, CancellationToken cancellationToken)
    {
        if (!await db.Contacts.AnyAsync(c => c.Id == contactId, cancellationToken))
        {
            return Failure.NotFound("The contact");
        }

        // The visit count, the visits and their steps from one snapshot: the tracking writer commits all three together.
        await using var snapshot = await SnapshotReads.BeginAsync(db, cancellationToken);
        var visitors = await db.TrackedVisitors.AsNoTracking().Where(v => v.ContactId == contactId).ToListAsync(cancellationToken);
        if (visitors.Count == 0)
        {
            return new ContactActivityResponse(null, null, 0, null, null, null, []);
        }

        var (inboxIds, keys) = Keys(visitors.Select(v => (v.InboxId, v.VisitorKey)));
        var sessions = await db.TrackedSessions.AsNoTracking()
            .Where(s => inboxIds.Contains(s.InboxId) && keys.Contains(s.VisitorKey))
            .OrderByDescending(s => s.StartedAt).Take(ListedVisits)
            .ToListAsync(cancellationToken);
        var detailed = sessions.Take(VisitsWithSteps).Select(s => s.SessionKey).ToList();
        var events = await db.TrackedEvents.AsNoTracking()
            .Where(e => inboxIds.Contains(e.InboxId) && keys.Contains(e.VisitorKey) && detailed.Contains(e.SessionKey))
            .OrderByDescending(e => e.Id).Take(MaxSteps)
            .ToListAsync(cancellationToken);
        var bySession = events.GroupBy(e => e.SessionKey).ToDictionary(g => g.Key, g => Steps([.. g.OrderBy(e => e.SentAt ?? e.ReceivedAt).ThenBy(e => e.Id)]));

        var first = visitors.MinBy(v => v.FirstSeenAt)!;
        var visits = sessions.ConvertAll(s => new VisitResponse(
            s.StartedAt, s.LastSeenAt, s.EntryUrl, s.ExitUrl, s.PageViews, s.IsReturning, s.Referrer, s.UtmSource, s.UtmCampaign,
            s.Browser, s.Os, s.Device, s.Country, bySession.GetValueOrDefault(s.SessionKey)));
        return new ContactActivityResponse(
            Current(events, clock.GetUtcNow().UtcDateTime), first.FirstSeenAt, visitors.Sum(v => v.Visits),
            first.FirstReferrer, first.FirstUtmSource, first.FirstUtmCampaign, visits);
    }

    /// <summary>The language the contact's browser reported most recently (the tracker sends it with its events); null when unknown.</summary>
    public async Task<string?> LatestLanguageAsync(Guid contactId, CancellationToken cancellationToken)
    {
        var visitors = await db.TrackedVisitors.AsNoTracking().Where(v => v.ContactId == contactId).Select(v => new { v.InboxId, v.VisitorKey }).ToListAsync(cancellationToken);
        if (visitors.Count == 0)
        {
            return null;
        }

        var (inboxIds, keys) = Keys(visitors.Select(v => (v.InboxId, v.VisitorKey)));
        return await db.TrackedEvents.AsNoTracking()
            .Where(e => inboxIds.Contains(e.InboxId) && keys.Contains(e.VisitorKey) && e.Language != null)
            .OrderByDescending(e => e.Id).Select(e => e.Language).FirstOrDefaultAsync(cancellationToken);
    }

    // A contact's browsers as the two lists their sessions and events are looked up by.
    private static (List<Guid> InboxIds, List<string> Keys) Keys(IEnumerable<(Guid InboxId, string VisitorKey)> visitors)
    {
        var all = visitors.ToList();
        return ([.. all.Select(v => v.InboxId).Distinct()], [.. all.Select(v => v.VisitorKey)]);
    }

    /// <summary>
    /// Page views and custom events in the order given (the browser's). A page's time in view is the sum of the leaves reported for it: a page
    /// hidden and shown again reports each stretch in view. A leave counts for the latest view of its address, as a
    /// leave sent while a page unloads can arrive after the next page's view. A page without a leave (browsers drop
    /// some that are sent while a page unloads) is counted until the next page view of the visit.
    /// </summary>
    public static List<VisitStep> Steps(IReadOnlyList<TrackedEvent> events)
    {
        var steps = new List<VisitStep>();
        var latestView = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var done in events)
        {
            switch (done.Type)
            {
                case TrackedEventType.PageView:
                    latestView[done.Url ?? ""] = steps.Count;
                    steps.Add(new VisitStep(done.ReceivedAt, "page", done.Url, done.Title, null, null, null));
                    break;
                case TrackedEventType.PageLeave when latestView.TryGetValue(done.Url ?? "", out var index):
                    steps[index] = steps[index] with { DurationMs = (steps[index].DurationMs ?? 0) + (done.DurationMs ?? 0) };
                    break;
                case TrackedEventType.Custom:
                    steps.Add(new VisitStep(done.ReceivedAt, "event", done.Url, null, null, done.Name, done.Properties));
                    break;
            }
        }

        var pages = steps.Select((step, index) => (step, index)).Where(p => p.step.Kind == "page").ToList();
        for (var i = 0; i < pages.Count - 1; i++)
        {
            if (pages[i].step.DurationMs is null)
            {
                steps[pages[i].index] = pages[i].step with { DurationMs = (int)(pages[i + 1].step.At - pages[i].step.At).TotalMilliseconds };
            }
        }

        return steps;
    }

    /// <summary>The page in view now: the newest event is a page view (not a leave) and recent.</summary>
    private static CurrentPage? Current(List<TrackedEvent> newestFirst, DateTime now)
    {
        var last = newestFirst.Where(e => e.Type != TrackedEventType.Custom).MaxBy(e => (e.SentAt ?? e.ReceivedAt, e.Id));
        if (last is not { Type: TrackedEventType.PageView, Url: { } url } || now - last.ReceivedAt > OnlineWindow)
        {
            return null;
        }

        return new CurrentPage(url, last.Title, last.ReceivedAt);
    }
}
