using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Widget;

/// <summary>A question of the pre-chat form as the widget renders it; <c>type</c> in lower case.</summary>
public sealed record WidgetPreChatField(string Key, string Label, string Type, bool Required, string? Placeholder, IReadOnlyList<string>? Options)
{
    public static WidgetPreChatField From(PreChatField field) =>
        new(field.Key, field.Label, field.Type.ToString().ToLowerInvariant(), field.Required, field.Placeholder, field.Options);
}

public sealed record WidgetConfigResponse(
    string Name,
    string Color,
    string Position,
    string Greeting,
    string WelcomeText,
    IReadOnlyList<WidgetPreChatField> PreChatFields,
    bool RequireIdentityVerification,
    bool AgentsAvailable,
    WidgetTracking Tracking,
    IReadOnlyList<string> Labels,
    bool KnowledgeBase,
    bool Assistant,
    bool Survey);

/// <summary>What the loader's tracker needs: <c>mode</c> on, cookieless or off, and whether to wait for <c>Porchlight.consent(true)</c>.</summary>
public sealed record WidgetTracking(string Mode, bool RequireConsent);

/// <summary><c>trackerVisitor</c>: the tracker's id for this browser, when the site tracks it, so its pages show beside the chat.</summary>
public sealed record StartSessionRequest(string? InboxToken, string? VisitorToken, string? TrackerVisitor = null);

public sealed record SessionResponse(string VisitorToken, Guid VisitorId);

/// <summary>What the loader and the frame read before a visitor has written anything.</summary>
public sealed class GetWidgetConfig(AppDbContext db, TenantScope tenant, AgentPresence presence)
{
    /// <summary>
    /// The launcher's words in the loader's language (open, close, unread, dismiss, the frame's title), served here
    /// so the loader carries no translations of its own (its size budget).
    /// </summary>
    private static readonly Dictionary<string, string[]> LauncherLabels = new(StringComparer.OrdinalIgnoreCase)
    {
        ["en"] = ["Open chat", "Close chat", "unread", "Dismiss", "Chat"],
        ["de"] = ["Chat öffnen", "Chat schließen", "ungelesen", "Schließen", "Chat"],
    };

    public async Task<Result<WidgetConfigResponse>> HandleAsync(string inboxToken, string? locale, CancellationToken cancellationToken)
    {
        if (await WidgetInboxes.FindAsync(db, tenant, inboxToken, cancellationToken) is not { } inbox)
        {
            return Failure.NotFound("The inbox");
        }

        var widget = inbox.Widget;
        return new WidgetConfigResponse(
            inbox.Name, widget.Color, widget.Position.ToString().ToLowerInvariant(), widget.Greeting, widget.WelcomeText,
            [.. inbox.PreChatForm.Asked.Select(WidgetPreChatField.From)], inbox.RequireIdentityVerification,
            await presence.AnyoneOnlineAsync(db, inbox.WorkspaceId, cancellationToken),
            new WidgetTracking(inbox.Tracking.Mode.ToString().ToLowerInvariant(), inbox.Tracking.RequireConsent),
            LauncherLabels.GetValueOrDefault(locale ?? "en") ?? LauncherLabels["en"],
            await db.Articles.AnyAsync(a => a.Status == KnowledgeBase.ArticleStatus.Published, cancellationToken),
            await db.AssistantFlows.AnyAsync(f => f.InboxId == inbox.Id && f.IsEnabled, cancellationToken),
            await db.SurveySettings.AnyAsync(Surveys.SurveyQueries.Asking(inbox.Id), cancellationToken));
    }
}

/// <summary>Gives a browser its visitor token: the same visitor again when its token is still good for the inbox.</summary>
public sealed class StartVisitorSession(
    AppDbContext db, TenantScope tenant, VisitorTokens tokens, Tracking.LinkTrackedVisitor trackedVisitors, Tracking.DailySalts salts)
{
    /// <summary>
    /// <paramref name="browser"/>: where the request came from, by which a cookieless site's visitor is known today;
    /// null for a browser that asks not to be tracked, whose chat is then linked to no pages.
    /// </summary>
    public async Task<Result<SessionResponse>> HandleAsync(StartSessionRequest request, Tracking.TrackedBrowser? browser, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.InboxToken))
        {
            return Failure.Invalid("inboxToken", "Required.");
        }

        if (await WidgetInboxes.FindAsync(db, tenant, request.InboxToken, cancellationToken) is not { } inbox)
        {
            return Failure.NotFound("The inbox");
        }

        var visitor = tokens.Read(request.VisitorToken) is { } known && known.InboxId == inbox.Id
            ? known
            : VisitorTokens.NewAnonymous(inbox.WorkspaceId, inbox.Id);
        var tracked = (inbox.Tracking.Mode, browser) switch
        {
            (_, null) => null,
            (Tracking.TrackingMode.On, _) => request.TrackerVisitor,
            (Tracking.TrackingMode.Cookieless, _) => await salts.CookielessVisitorAsync(inbox.Id, browser, cancellationToken),
            _ => null,
        };
        if (tracked is not null)
        {
            await trackedVisitors.LinkAsync(inbox.WorkspaceId, inbox.Id, tracked, visitor.ContactId, cancellationToken);
        }

        return new SessionResponse(tokens.Issue(visitor), visitor.ContactId);
    }
}

internal static class WidgetInboxes
{
    /// <summary>The web-widget inbox a public token names, with the tenant scope entered for its workspace.</summary>
    public static async Task<Inbox?> FindAsync(AppDbContext db, TenantScope tenant, string inboxToken, CancellationToken cancellationToken)
    {
        var inbox = await db.Inboxes.IgnoreQueryFilters().AsNoTracking()
            .FirstOrDefaultAsync(i => i.PublicToken == inboxToken && i.Channel == InboxChannel.WebWidget, cancellationToken);
        if (inbox is not null)
        {
            tenant.Enter(inbox.WorkspaceId);
        }

        return inbox;
    }
}
