using System.Collections.Concurrent;

namespace Porchlight.Server.Features.Tracking;

/// <summary>
/// Requests per minute the tracking endpoint takes from one client address (<c>Security:WidgetRequestsPerMinute</c>,
/// as the widget) and for one site (<c>Tracking:RequestsPerMinutePerSite</c>), in fixed one-minute windows. Counted
/// with atomic increments and no lock: the endpoint answers thousands of requests a second, and a shared lock was
/// where its threads queued.
/// </summary>
public sealed class TrackingLimits(IConfiguration configuration, TimeProvider clock)
{
    private readonly int _perAddress = configuration.GetValue("Security:WidgetRequestsPerMinute", 600);
    private readonly int _perSite = configuration.GetValue("Tracking:RequestsPerMinutePerSite", 60_000);
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);
    private long _minute;

    /// <summary>Counts a request; false when the address or the site has used its minute's allowance.</summary>
    public bool TryTake(string address, string site)
    {
        var minute = clock.GetUtcNow().ToUnixTimeSeconds() / 60;
        if (Interlocked.Exchange(ref _minute, minute) != minute)
        {
            _counters.Clear(); // A new window: everyone starts again (at most one request of the old one slips in).
        }

        // The site's count is only spent by requests the address limit let through.
        return Take("a:" + address, _perAddress) && Take("s:" + site, _perSite);
    }

    /// <summary>Seconds until the current window ends, for Retry-After.</summary>
    public int SecondsLeft() => 60 - (int)(clock.GetUtcNow().ToUnixTimeSeconds() % 60);

    private bool Take(string key, int limit) => Interlocked.Increment(ref _counters.GetOrAdd(key, static _ => new Counter()).Value) <= limit;

    private sealed class Counter
    {
        public int Value;
    }
}
