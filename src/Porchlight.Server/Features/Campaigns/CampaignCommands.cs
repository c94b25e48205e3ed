using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Campaigns;

/// <summary>The workspace's campaigns, with their figures, and the changes to them.</summary>
public sealed class CampaignCommands(AppDbContext db, ActingAgent actor, TimeProvider clock, CampaignCache cache)
{
    public async Task<Result<List<CampaignResponse>>> ListAsync(Guid? inboxId, CancellationToken cancellationToken)
    {
        var campaigns = await db.Campaigns.AsNoTracking().Where(c => inboxId == null || c.InboxId == inboxId)
            .OrderBy(c => c.Name).ToListAsync(cancellationToken);
        return await WithFiguresAsync(campaigns, cancellationToken);
    }

    public async Task<Result<CampaignResponse>> GetAsync(Guid campaignId, CancellationToken cancellationToken) =>
        await db.Campaigns.AsNoTracking().FirstOrDefaultAsync(c => c.Id == campaignId, cancellationToken) is { } campaign
            ? (await WithFiguresAsync([campaign], cancellationToken))[0]
            : CampaignRules.NotFound;

    public async Task<Result<CampaignResponse>> CreateAsync(CampaignRequest request, CancellationToken cancellationToken)
    {
        var check = await CampaignRules.CheckAsync(db, actor, request, null, cancellationToken);
        if (!check.Succeeded)
        {
            return check.Failure!;
        }

        var campaign = Campaign.Create(actor.WorkspaceId, check.Value.InboxId, check.Value.Fields, clock.GetUtcNow().UtcDateTime);
        db.Campaigns.Add(campaign);
        await db.SaveChangesAsync(cancellationToken);
        cache.Forget(campaign.InboxId);
        return (await WithFiguresAsync([campaign], cancellationToken))[0];
    }

    public async Task<Result<CampaignResponse>> UpdateAsync(Guid campaignId, CampaignRequest request, CancellationToken cancellationToken)
    {
        if (await db.Campaigns.FirstOrDefaultAsync(c => c.Id == campaignId, cancellationToken) is not { } campaign)
        {
            return CampaignRules.NotFound;
        }

        var check = await CampaignRules.CheckAsync(db, actor, request, campaign.InboxId, cancellationToken);
        if (!check.Succeeded)
        {
            return check.Failure!;
        }

        campaign.Change(check.Value.Fields, clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        cache.Forget(campaign.InboxId);
        return (await WithFiguresAsync([campaign], cancellationToken))[0];
    }

    public async Task<Result<Done>> DeleteAsync(Guid campaignId, CancellationToken cancellationToken)
    {
        if (await db.Campaigns.FirstOrDefaultAsync(c => c.Id == campaignId, cancellationToken) is not { } campaign)
        {
            return CampaignRules.NotFound;
        }

        db.Campaigns.Remove(campaign);
        await db.SaveChangesAsync(cancellationToken);
        cache.Forget(campaign.InboxId);
        return new Done();
    }

    private async Task<List<CampaignResponse>> WithFiguresAsync(List<Campaign> campaigns, CancellationToken cancellationToken)
    {
        var ids = campaigns.Select(c => c.Id).ToList();
        var figures = await db.ProactiveMessages.AsNoTracking().Where(m => m.CampaignId != null && ids.Contains(m.CampaignId.Value))
            .GroupBy(m => m.CampaignId!.Value)
            .Select(g => new { Id = g.Key, Shown = g.Count(m => m.ShownAt != null), Opened = g.Count(m => m.OpenedAt != null), Replied = g.Count(m => m.RepliedAt != null) })
            .ToDictionaryAsync(f => f.Id, cancellationToken);
        return campaigns.ConvertAll(c =>
        {
            var f = figures.GetValueOrDefault(c.Id);
            return new CampaignResponse(
                c.Id, c.InboxId, c.Name, c.IsActive, c.UrlPattern, c.MinSecondsOnPage, c.MinVisits, c.EventName, c.Text, c.SenderId,
                f?.Shown ?? 0, f?.Opened ?? 0, f?.Replied ?? 0, c.CreatedAt, c.UpdatedAt);
        });
    }
}

/// <summary>An agent's message to a visitor who is on the site: it waits for their page to ask (within seconds).</summary>
public sealed class SendProactiveMessage(AppDbContext db, ActingAgent actor, TimeProvider clock)
{
    public async Task<Result<ProactiveMessageResponse>> HandleAsync(string visitorKey, ProactiveMessageRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().Required("text", request.Text, Campaign.MaxTextLength);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        // The tracker must know this browser on one of the workspace's sites (the one it visited latest, unless the request names one).
        var inboxId = await db.TrackedVisitors.Where(v => v.VisitorKey == visitorKey && (request.InboxId == null || v.InboxId == request.InboxId))
            .OrderByDescending(v => v.LatestVisitAt).Select(v => (Guid?)v.InboxId).FirstOrDefaultAsync(cancellationToken);
        if (inboxId is null)
        {
            return Failure.NotFound("The visitor");
        }

        var message = ProactiveMessage.ToVisitor(actor.WorkspaceId, inboxId.Value, visitorKey, actor.AgentId, request.Text!.Trim(), clock.GetUtcNow().UtcDateTime);
        db.ProactiveMessages.Add(message);
        await db.SaveChangesAsync(cancellationToken);
        return ProactiveMessageResponse.From(message);
    }
}
