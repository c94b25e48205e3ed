using System.Collections.Concurrent;

namespace Porchlight.Server.Features.Tracking;

/// <summary>
/// Visits of cookieless visitors, who keep no visit id of their own: an event within 30 minutes of the visitor's
/// previous one continues that visit, a later one begins a new visit. Kept in memory on the node that answers,
/// so a restart begins new visits, as does a visitor whose requests are spread over several nodes.
/// </summary>
public sealed class Sessionizer
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(30);
    private const int SweepAbove = 100_000;

    private readonly ConcurrentDictionary<(Guid Inbox, string Visitor), (string Session, DateTime LastAt)> _visits = new();

    public int Count => _visits.Count;

    /// <summary>The visit an event of <paramref name="visitorKey"/> at <paramref name="at"/> belongs to.</summary>
    public string SessionFor(Guid inboxId, string visitorKey, DateTime at)
    {
        if (_visits.Count > SweepAbove)
        {
            Sweep(at);
        }

        var visit = _visits.AddOrUpdate(
            (inboxId, visitorKey),
            static (_, at) => (NewKey(), at),
            static (_, current, at) => at - current.LastAt > Timeout ? (NewKey(), at) : (current.Session, at > current.LastAt ? at : current.LastAt),
            at);
        return visit.Session;
    }

    /// <summary>Forgets visits that have ended, so memory holds only the visitors of the last half hour.</summary>
    public void Sweep(DateTime now)
    {
        foreach (var (key, visit) in _visits)
        {
            if (now - visit.LastAt > Timeout)
            {
                _visits.TryRemove(KeyValuePair.Create(key, visit));
            }
        }
    }

    private static string NewKey() => "c_" + Guid.NewGuid().ToString("N");
}
