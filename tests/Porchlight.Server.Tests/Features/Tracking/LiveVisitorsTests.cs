using Microsoft.Extensions.Time.Testing;
using Porchlight.Server.Features.Tracking;

namespace Porchlight.Server.Tests.Features.Tracking;

/// <summary>Who is on the site now: the page shown, in view or not, and dropping off after five silent minutes.</summary>
public sealed class LiveVisitorsTests
{
    private static readonly TrackingSite Site = new(Guid.NewGuid(), Guid.NewGuid(), TrackingSettings.Default);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Saw_LateLeaveOfThePreviousPage_KeepsTheNewPageInView()
    {
        var live = new LiveVisitors(_clock);

        See(live, Event("pageview", "https://shop.example/a", sentAt: 0));
        See(live, Event("pageview", "https://shop.example/b", sentAt: 900));
        See(live, Event("leave", "https://shop.example/a", sentAt: 800)); // sent as page a unloaded, arrived last
        var afterLateLeave = Assert.Single(live.Online(Site.WorkspaceId));
        See(live, Event("leave", "https://shop.example/b", sentAt: 5000));
        var afterLeave = Assert.Single(live.Online(Site.WorkspaceId));

        Assert.Equal(("https://shop.example/b", true), (afterLateLeave.Url, afterLateLeave.InView));
        Assert.Equal(("https://shop.example/b", false), (afterLeave.Url, afterLeave.InView));
    }

    [Fact]
    public void Online_AfterFiveSilentMinutes_TheVisitorDropsOff()
    {
        var live = new LiveVisitors(_clock);
        See(live, Event("pageview", "https://shop.example/", sentAt: 0));

        _clock.Advance(TimeSpan.FromMinutes(4));
        var stillThere = live.Online(Site.WorkspaceId).Count;
        _clock.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(1, stillThere);
        Assert.Empty(live.Online(Site.WorkspaceId));
        Assert.Empty(live.Online(Guid.NewGuid()));
    }

    private TrackedEvent Event(string type, string url, long sentAt) => TrackedEvent.From(
        Site, "v_12345678", "s_12345678", UserAgents.Read(TrackingIngestionTests.DesktopChrome),
        new TrackerEvent(type, url, null, null, null, null, null, null, null, type == "leave" ? 1000 : null),
        _clock.GetUtcNow().UtcDateTime, DateTime.UnixEpoch.AddMilliseconds(1_764_676_800_000 + sentAt));

    private static void See(LiveVisitors live, TrackedEvent done)
    {
        var visitor = TrackedVisitor.Create(done.WorkspaceId, done.InboxId, done.VisitorKey, done.ReceivedAt);
        var visit = TrackedSession.Begin(done, isReturning: false, ipAddress: null, country: null);
        live.Saw(visitor, visit, done);
    }
}
