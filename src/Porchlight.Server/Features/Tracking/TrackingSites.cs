using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Inboxes;

namespace Porchlight.Server.Features.Tracking;

/// <summary>The web-widget inbox a tracker's site token names, with its tracking rules.</summary>
public sealed record TrackingSite(Guid WorkspaceId, Guid InboxId, TrackingSettings Settings);

/// <summary>
/// Site tokens resolved once and kept in memory, so a tracking hit reads nothing from the database: an answer
/// (a site, or that there is none) is kept for a few minutes, after which a removed inbox stops being tracked.
/// A change of the inbox's settings on this node takes effect at once (<see cref="Forget"/>). The widget asks by the
/// inbox's id as well (a visitor token names its inbox by id), kept in the same table under a key no token can have.
/// </summary>
public sealed class TrackingSites(IServiceScopeFactory scopes, TimeProvider clock)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<string, (TrackingSite? Site, DateTimeOffset Until)> _known = new(StringComparer.Ordinal);

    public ValueTask<TrackingSite?> FindAsync(string token, CancellationToken cancellationToken) =>
        token.StartsWith(IdKeyMark)
            ? ValueTask.FromResult<TrackingSite?>(null) // never an inbox, and must not overwrite the entry of an id
            : FindAsync(token, i => i.PublicToken == token, cancellationToken);

    public ValueTask<TrackingSite?> FindAsync(Guid inboxId, CancellationToken cancellationToken) =>
        FindAsync(IdKey(inboxId), i => i.Id == inboxId, cancellationToken);

    private async ValueTask<TrackingSite?> FindAsync(string key, System.Linq.Expressions.Expression<Func<Inbox, bool>> inbox, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_known.TryGetValue(key, out var known) && known.Until > now)
        {
            return known.Site;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var site = await db.Inboxes.IgnoreQueryFilters().AsNoTracking()
            .Where(inbox).Where(i => i.Channel == InboxChannel.WebWidget)
            .Select(i => new TrackingSite(i.WorkspaceId, i.Id, i.Tracking))
            .FirstOrDefaultAsync(cancellationToken);
        if (_known.Count >= MaxEntries)
        {
            _known.Clear(); // Made-up tokens must not grow this without bound.
        }

        _known[key] = (site, now + Lifetime);
        return site;
    }

    public void Forget(string token, Guid inboxId)
    {
        _known.TryRemove(token, out _);
        _known.TryRemove(IdKey(inboxId), out _);
    }

    // Public tokens are base64url (letters, digits, '-' and '_'): a key that starts with '#' is never one.
    private const char IdKeyMark = '#';

    private static string IdKey(Guid inboxId) => IdKeyMark + inboxId.ToString("N");
}
