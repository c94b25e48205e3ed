using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;

namespace Porchlight.Server.Features.Campaigns;

/// <summary>What the visitor's page shows: the message, and whom it is from.</summary>
public sealed record ProactiveOffer(Guid Id, string Text, string SenderName);

/// <summary>A site's active campaigns, kept in memory so a page asking costs no database read unless one applies.</summary>
public sealed class CampaignCache(IServiceScopeFactory scopes, TimeProvider clock)
{
    // Changes made on another node are seen within this time.
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<Guid, (IReadOnlyList<ActiveCampaign> Campaigns, DateTimeOffset Until)> _known = new();

    public async ValueTask<IReadOnlyList<ActiveCampaign>> ForAsync(Guid inboxId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_known.TryGetValue(inboxId, out var known) && known.Until > now)
        {
            return known.Campaigns;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        // Operator scope: the inbox is named by its site token, already resolved.
        var campaigns = (await db.Campaigns.IgnoreQueryFilters().AsNoTracking().Where(c => c.InboxId == inboxId && c.IsActive)
                .OrderBy(c => c.CreatedAt).ToListAsync(cancellationToken))
            .ConvertAll(c => new ActiveCampaign(c, Campaign.PatternFor(c.UrlPattern)));
        _known[inboxId] = (campaigns, now + Lifetime);
        return campaigns;
    }

    public void Forget(Guid inboxId) => _known.TryRemove(inboxId, out _);
}

public sealed record ActiveCampaign(Campaign Campaign, Regex Pattern)
{
    public bool Applies(string? url, int secondsOnPage, int visits, string? eventName) =>
        (Campaign.UrlPattern.Length == 0 || (url is not null && Pattern.IsMatch(url)))
        && secondsOnPage >= Campaign.MinSecondsOnPage
        && visits >= Campaign.MinVisits
        && (Campaign.EventName is null || string.Equals(Campaign.EventName, eventName, StringComparison.Ordinal));
}

/// <summary>
/// Answers a visitor's page asking whether a message waits for them (the loader asks on each page, after each event
/// the site reports, and every 15 seconds while the page is in view): first a message an agent sent them, then the
/// first campaign that applies and that they have not seen. Whatever is answered counts as shown.
/// </summary>
public sealed class ProactiveOffers(IServiceScopeFactory scopes, CampaignCache campaigns, TimeProvider clock)
{
    public async Task<ProactiveOffer?> FindAsync(
        Guid inboxId, string visitorKey, string? url, int secondsOnPage, int visits, string? eventName, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        // Operator scope throughout: the site's inbox and the visitor's key name the rows.
        var waiting = await db.ProactiveMessages.IgnoreQueryFilters()
            .Where(m => m.InboxId == inboxId && m.VisitorKey == visitorKey && m.ShownAt == null)
            .OrderBy(m => m.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        if (waiting is not null)
        {
            waiting.Shown(now);
            await db.SaveChangesAsync(cancellationToken);
            return await OfferAsync(db, waiting, cancellationToken);
        }

        foreach (var active in await campaigns.ForAsync(inboxId, cancellationToken))
        {
            if (!active.Applies(url, secondsOnPage, visits, eventName)
                || await db.ProactiveMessages.IgnoreQueryFilters().AnyAsync(m => m.CampaignId == active.Campaign.Id && m.VisitorKey == visitorKey, cancellationToken))
            {
                continue;
            }

            var message = ProactiveMessage.Of(active.Campaign, visitorKey, now);
            db.ProactiveMessages.Add(message);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // The visitor's other tab (or another node) was offered it at the same moment: shown once, there.
                db.ChangeTracker.Clear();
                continue;
            }

            return await OfferAsync(db, message, cancellationToken);
        }

        return null;
    }

    /// <summary>The message as the visitor's page shows it, with its sender's name.</summary>
    internal static async Task<ProactiveOffer> OfferAsync(AppDbContext db, ProactiveMessage message, CancellationToken cancellationToken)
    {
        var sender = await db.Set<Agent>().IgnoreQueryFilters().Where(a => a.Id == message.SenderId).Select(a => a.DisplayName).FirstOrDefaultAsync(cancellationToken);
        return new ProactiveOffer(message.Id, message.Text, sender ?? "");
    }
}
