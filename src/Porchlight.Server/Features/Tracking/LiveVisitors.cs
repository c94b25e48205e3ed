using System.Collections.Concurrent;

namespace Porchlight.Server.Features.Tracking;

/// <summary>A visitor the tracker heard from in the last minutes, as the Visitors page shows them.</summary>
public sealed record LiveVisitor(
    Guid WorkspaceId,
    Guid InboxId,
    string VisitorKey,
    Guid? ContactId,
    string? Url,
    string? Title,
    DateTime PageSince,
    DateTime? PageSentAt,
    bool InView,
    DateTime VisitStartedAt,
    DateTime LastSeenAt,
    bool IsReturning,
    int Visits,
    string Browser,
    string Os,
    string Device,
    string? Country);

/// <summary>
/// Who is on the site right now, kept in memory from what the tracking writer stored: each visitor's current page
/// and visit, forgotten after five minutes of silence. Each node knows the visitors whose events it stored.
/// </summary>
public sealed class LiveVisitors(TimeProvider clock)
{
    private const int SweepAbove = 50_000;
    private const int SweepCheckEvery = 1024;
    private readonly ConcurrentDictionary<(Guid Inbox, string Visitor), LiveVisitor> _visitors = new();

    // A concurrent dictionary's Count takes every one of its locks (hundreds once it has grown): checked on every
    // event, it took about a sixth of the tracking writer's time under load, so it is looked at once in a while.
    private int _sawSinceCheck;

    /// <summary>Takes in one stored event of a visitor, with their visitor and visit rows as they are after it.</summary>
    public void Saw(TrackedVisitor visitor, TrackedSession visit, TrackedEvent done)
    {
        if (Interlocked.Increment(ref _sawSinceCheck) % SweepCheckEvery == 0 && _visitors.Count > SweepAbove)
        {
            Sweep();
        }

        _visitors.AddOrUpdate(
            (done.InboxId, done.VisitorKey),
            static (_, state) => Next(null, state.visitor, state.visit, state.done),
            static (_, current, state) => Next(current, state.visitor, state.visit, state.done),
            (visitor, visit, done));
    }

    /// <summary>
    /// A page still open: the visitor stays on the site, and on that page in view if it is the one shown. Answers their
    /// number of visits (1 for a visitor this node has not stored events of yet).
    /// </summary>
    public int KeepAlive(Guid inboxId, string visitorKey, string? url)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        while (_visitors.TryGetValue((inboxId, visitorKey), out var current))
        {
            var next = current with { LastSeenAt = now > current.LastSeenAt ? now : current.LastSeenAt, InView = current.InView || current.Url == url };
            if (_visitors.TryUpdate((inboxId, visitorKey), next, current))
            {
                return Math.Max(1, next.Visits);
            }
        }

        return 1;
    }

    /// <summary>The workspace's visitors heard from within <see cref="ContactActivityQuery.OnlineWindow"/>, the latest first.</summary>
    public IReadOnlyList<LiveVisitor> Online(Guid workspaceId, Guid? inboxId = null)
    {
        var since = clock.GetUtcNow().UtcDateTime - ContactActivityQuery.OnlineWindow;
        return [.. _visitors.Values
            .Where(v => v.WorkspaceId == workspaceId && (inboxId is null || v.InboxId == inboxId) && v.LastSeenAt >= since)
            .OrderByDescending(v => v.LastSeenAt)];
    }

    /// <summary>Forgets a visitor at once (their tracking data was erased); this node's memory only, like all of this.</summary>
    public void Forget(Guid inboxId, string visitorKey) => _visitors.TryRemove((inboxId, visitorKey), out _);

    public void Sweep()
    {
        var since = clock.GetUtcNow().UtcDateTime - ContactActivityQuery.OnlineWindow;
        foreach (var (key, visitor) in _visitors)
        {
            if (visitor.LastSeenAt < since)
            {
                _visitors.TryRemove(KeyValuePair.Create(key, visitor));
            }
        }
    }

    // A page view moves the visitor to its page unless the browser sent it before the page already shown (a late
    // beacon); a leave of the page shown means it is no longer in view (the tab hidden or closed).
    private static LiveVisitor Next(LiveVisitor? current, TrackedVisitor visitor, TrackedSession visit, TrackedEvent done)
    {
        var (url, title, since, sentAt, inView) = current is null
            ? (null, null, done.ReceivedAt, null, false)
            : (current.Url, current.Title, current.PageSince, current.PageSentAt, current.InView);
        if (done.Type == TrackedEventType.PageView && (sentAt is null || done.SentAt is null || done.SentAt >= sentAt))
        {
            (url, title, since, sentAt, inView) = (done.Url, done.Title, done.ReceivedAt, done.SentAt, true);
        }
        else if (done.Type == TrackedEventType.PageLeave && done.Url == url)
        {
            inView = false;
        }

        return new LiveVisitor(
            done.WorkspaceId, done.InboxId, done.VisitorKey, visitor.ContactId, url, title, since, sentAt, inView, visit.StartedAt,
            current is null || done.ReceivedAt > current.LastSeenAt ? done.ReceivedAt : current.LastSeenAt,
            visit.IsReturning, visitor.Visits, visit.Browser, visit.Os, visit.Device, visit.Country);
    }
}
