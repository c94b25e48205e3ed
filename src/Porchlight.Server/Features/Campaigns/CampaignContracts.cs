using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Campaigns;

/// <summary>A campaign with what it achieved: visitors it was shown to, who opened the chat from it, who answered.</summary>
public sealed record CampaignResponse(
    Guid Id, Guid InboxId, string Name, bool IsActive, string UrlPattern, int MinSecondsOnPage, int MinVisits, string? EventName, string Text,
    Guid SenderId, int Shown, int Opened, int Replied, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>
/// Create or replace a campaign. <c>urlPattern</c>: empty for every page, a path (<c>/pricing*</c>) or an address
/// (<c>https://shop.example/help/*</c>), <c>*</c> for any text. <c>senderId</c>: an active agent of the workspace;
/// the caller by default.
/// </summary>
public sealed record CampaignRequest(
    Guid? InboxId, string? Name, bool? IsActive, string? UrlPattern, int? MinSecondsOnPage, int? MinVisits, string? EventName, string? Text, Guid? SenderId);

/// <summary>
/// A message from the caller to one visitor on the site now; shown on their page within seconds. <c>inboxId</c>: the
/// site, when the same browser is known on several of the workspace's sites (by default the one it was seen on last).
/// </summary>
public sealed record ProactiveMessageRequest(Guid? InboxId, string? Text);

public sealed record ProactiveMessageResponse(Guid Id, Guid InboxId, string VisitorKey, string Text, DateTime CreatedAt, DateTime? ShownAt, DateTime? OpenedAt, DateTime? RepliedAt, Guid? ConversationId)
{
    public static ProactiveMessageResponse From(ProactiveMessage m) =>
        new(m.Id, m.InboxId, m.VisitorKey, m.Text, m.CreatedAt, m.ShownAt, m.OpenedAt, m.RepliedAt, m.ConversationId);
}

internal static class CampaignRules
{
    public const int MaxSecondsOnPage = 3600;
    public const int MaxVisits = 1000;

    public static Failure NotFound => Failure.NotFound("The campaign");

    /// <summary>Checks the request; the inbox must be a website inbox of the workspace and the sender one of its active agents.</summary>
    public static async Task<Result<(Guid InboxId, CampaignFields Fields)>> CheckAsync(
        AppDbContext db, ActingAgent actor, CampaignRequest request, Guid? inboxOfExisting, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .Required("name", request.Name, Campaign.MaxNameLength)
            .Required("text", request.Text, Campaign.MaxTextLength)
            .MaxLength("urlPattern", request.UrlPattern, Campaign.MaxPatternLength)
            .MaxLength("eventName", request.EventName, Tracking.TrackedEvent.MaxNameLength);
        var pattern = request.UrlPattern?.Trim() ?? "";
        if (pattern.Length > 0 && !pattern.StartsWith('/') && !pattern.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            && !pattern.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add("urlPattern", "Start with / for a path (/pricing*) or with https:// for a whole address.");
        }

        if (request.MinSecondsOnPage is < 0 or > MaxSecondsOnPage)
        {
            errors.Add("minSecondsOnPage", $"Between 0 and {MaxSecondsOnPage}.");
        }

        if (request.MinVisits is < 0 or > MaxVisits)
        {
            errors.Add("minVisits", $"Between 0 and {MaxVisits}.");
        }

        var inboxId = inboxOfExisting ?? request.InboxId;
        if (inboxOfExisting is null && request.InboxId is null)
        {
            errors.Add("inboxId", "Required.");
        }
        else if (inboxOfExisting is null && !await db.Inboxes.AnyAsync(i => i.Id == request.InboxId && i.Channel == InboxChannel.WebWidget, cancellationToken))
        {
            errors.Add("inboxId", "No website inbox of this workspace has this id.");
        }

        var senderId = request.SenderId ?? actor.AgentId;
        if (!await db.Set<Agent>().AnyAsync(a => a.Id == senderId && a.IsActive, cancellationToken))
        {
            errors.Add("senderId", "No active agent of this workspace has this id.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var eventName = string.IsNullOrWhiteSpace(request.EventName) ? null : request.EventName.Trim();
        return (inboxId!.Value, new CampaignFields(
            request.Name!.Trim(), request.IsActive ?? true, pattern, request.MinSecondsOnPage ?? 0, request.MinVisits ?? 0, eventName, request.Text!.Trim(), senderId));
    }
}
