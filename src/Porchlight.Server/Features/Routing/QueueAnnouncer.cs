using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Widget;

namespace Porchlight.Server.Features.Routing;

/// <summary>
/// Tells each waiting visitor their place in line and the estimated wait whenever either changes, and that the
/// wait is over when an agent takes the conversation (a notice without a place). Runs after every pass over a
/// team's queue; remembers what each visitor was last told, so an unchanged place is not sent again.
/// </summary>
public sealed class QueueAnnouncer
{
    private readonly IHubContext<VisitorHub, IVisitorClient> _visitors;
    private readonly ConcurrentDictionary<Guid, Told> _told = new();

    // How many wait in each team's queue as of its latest pass on this node, for the queue-length gauge.
    private readonly ConcurrentDictionary<Guid, int> _waiting = new();

    public QueueAnnouncer(IHubContext<VisitorHub, IVisitorClient> visitors, IMeterFactory meterFactory)
    {
        _visitors = visitors;
        meterFactory.Create(Hosting.PorchlightMetrics.MeterName).CreateObservableGauge(
            "porchlight.routing.waiting",
            () => _waiting.Select(w => new Measurement<int>(w.Value, new KeyValuePair<string, object?>("team", w.Key.ToString()))),
            description: "Conversations waiting in each team's queue.");
    }

    public async Task AnnounceAsync(AppDbContext db, QueueEstimates estimates, Guid teamId, CancellationToken cancellationToken)
    {
        var places = await estimates.PlacesAsync(teamId, cancellationToken);
        _waiting[teamId] = places.Count;
        var unknown = places.Keys.Where(id => !_told.ContainsKey(id)).ToList();
        var addresses = await db.Conversations.AsNoTracking().Where(c => unknown.Contains(c.Id))
            .Select(c => new { c.Id, c.InboxId, c.ContactId }).ToDictionaryAsync(c => c.Id, c => VisitorHub.ContactGroup(c.InboxId, c.ContactId), cancellationToken);

        foreach (var (conversationId, place) in places)
        {
            var told = _told.GetValueOrDefault(conversationId);
            if (told?.Place == place && told.TeamId == teamId)
            {
                continue;
            }

            var group = told?.Group ?? addresses.GetValueOrDefault(conversationId);
            if (group is null)
            {
                continue; // Gone since the queue was read.
            }

            _told[conversationId] = new Told(teamId, group, place);
            await _visitors.Clients.Group(group).QueueChanged(new QueueNotice(conversationId, place.Position, place.EstimatedWaitSeconds));
        }

        foreach (var (conversationId, told) in _told.Where(t => t.Value.TeamId == teamId && !places.ContainsKey(t.Key)).ToList())
        {
            _told.TryRemove(conversationId, out _);
            await _visitors.Clients.Group(told.Group).QueueChanged(new QueueNotice(conversationId, null, null));
        }
    }

    private sealed record Told(Guid TeamId, string Group, QueuePlace Place);
}
