using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using MudBlazor;
using MudBlazor.Services;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Components;

/// <summary>One entry of the app's navigation. Features add theirs in <see cref="AppShell.AddAppShell"/>'s registry.</summary>
public sealed record NavItem(string Title, string Href, string Icon, Permission Permission, string Group = "", int Order = 0)
{
    public bool IsVisibleTo(ClaimsPrincipal user) =>
        PorchlightClaims.Grants(user, Permission);
}

/// <summary>The navigation that later features plug into: they add items, the shell renders them.</summary>
public sealed class AppNavigation
{
    private readonly List<NavItem> _items = [];

    public IReadOnlyList<NavItem> Items => [.. _items.OrderBy(i => i.Group.Length > 0).ThenBy(i => i.Order)];

    public AppNavigation Add(NavItem item)
    {
        _items.Add(item);
        return this;
    }
}

public static class PorchlightTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1F6FEB",
            AppbarBackground = "#FFFFFF",
            AppbarText = "#1C2128",
            Background = "#F6F8FA",
            DrawerBackground = "#FFFFFF",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["Inter", "Segoe UI", "system-ui", "-apple-system", "sans-serif"] },
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "8px" },
    };
}

/// <summary>The client address of the Blazor circuit, for the audit trail of actions taken in the app.</summary>
public sealed class CircuitClient
{
    public string? IpAddress { get; set; }
}

internal sealed class CircuitClientHandler(CircuitClient client, IHttpContextAccessor http) : CircuitHandler
{
    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        client.IpAddress ??= http.HttpContext?.Connection.RemoteIpAddress?.ToString();
        return Task.CompletedTask;
    }
}

/// <summary>
/// Runs a use case from a component the way an HTTP request would: in its own DI scope (a circuit
/// lives for hours and must not hold one DbContext), acting as the signed-in agent.
/// </summary>
public sealed class UseCaseRunner(IServiceScopeFactory scopes, AuthenticationStateProvider authentication, CircuitClient client)
{
    public async Task<TResult> RunAsync<TUseCase, TResult>(Func<TUseCase, Task<TResult>> action)
        where TUseCase : notnull
    {
        var state = await authentication.GetAuthenticationStateAsync();
        await using var scope = scopes.CreateAsyncScope();
        if (!scope.ServiceProvider.GetRequiredService<ActingAgent>().Enter(state.User, client.IpAddress))
        {
            throw new InvalidOperationException("Use cases run from the app need a signed-in agent.");
        }

        return await action(scope.ServiceProvider.GetRequiredService<TUseCase>());
    }
}

public static class AppShell
{
    public static IServiceCollection AddAppShell(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        // Server-rendered pages (the help center) write letters of every language as themselves, not as &#x…;
        // references: smaller pages that read right in their source. Markup characters are escaped as always.
        services.AddWebEncoders(encoders => encoders.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.AddCascadingAuthenticationState();
        services.AddMudServices();
        services.AddHttpContextAccessor();
        services.AddScoped<CircuitClient>();
        services.AddScoped<CircuitHandler, CircuitClientHandler>();
        services.AddScoped<UseCaseRunner>();
        services.AddScoped<FileDownloads>();
        services.AddSingleton(new AppNavigation()
            .Add(new NavItem("Home", "/", Icons.Material.Outlined.Home, Permission.ViewWorkspace))
            .Add(new NavItem("Inbox", "/inbox", Icons.Material.Outlined.Forum, Permission.ViewConversations, Order: 10))
            .Add(new NavItem("Knowledge base", "/knowledge-base", Icons.Material.Outlined.MenuBook, Permission.ViewConversations, Order: 15))
            .Add(new NavItem("Contacts", "/contacts", Icons.Material.Outlined.Contacts, Permission.ViewConversations, Order: 17))
            .Add(new NavItem("Visitors", "/visitors", Icons.Material.Outlined.Language, Permission.ViewConversations, Order: 20))
            .Add(new NavItem("Reports", "/reports", Icons.Material.Outlined.BarChart, Permission.ViewReports, Order: 25))
            .Add(new NavItem("Quality", "/quality", Icons.Material.Outlined.FactCheck, Permission.ReviewQuality, Order: 27))
            .Add(new NavItem("My feedback", "/my-feedback", Icons.Material.Outlined.RateReview, Permission.ViewConversations, Order: 28))
            .Add(new NavItem("My workload", "/my-workload", Icons.Material.Outlined.Timelapse, Permission.ViewWorkspace, Order: 29))
            .Add(new NavItem("Site analytics", "/analytics", Icons.Material.Outlined.Insights, Permission.ViewReports, Order: 30))
            .Add(new NavItem("Live queues", "/supervision", Icons.Material.Outlined.MonitorHeart, Permission.ViewReports, Order: 40))
            .Add(new NavItem("Staffing", "/workforce", Icons.Material.Outlined.CalendarMonth, Permission.ViewReports, Order: 45))
            .Add(new NavItem("Workspace", "/settings/workspace", Icons.Material.Outlined.Business, Permission.ManageWorkspace, "Settings", 10))
            .Add(new NavItem("Agents", "/settings/agents", Icons.Material.Outlined.People, Permission.ViewWorkspace, "Settings", 20))
            .Add(new NavItem("Teams", "/settings/teams", Icons.Material.Outlined.Groups, Permission.ViewWorkspace, "Settings", 30))
            .Add(new NavItem("Inboxes", "/settings/inboxes", Icons.Material.Outlined.Inbox, Permission.ViewWorkspace, "Settings", 40))
            .Add(new NavItem("Service levels", "/settings/sla", Icons.Material.Outlined.Timer, Permission.ManageRouting, "Settings", 41))
            .Add(new NavItem("Proactive messages", "/settings/campaigns", Icons.Material.Outlined.Campaign, Permission.ManageInboxes, "Settings", 42))
            .Add(new NavItem("Automation", "/settings/automation", Icons.Material.Outlined.AutoMode, Permission.ManageRouting, "Settings", 43))
            .Add(new NavItem("Webhooks", "/settings/webhooks", Icons.Material.Outlined.Webhook, Permission.ManageWorkspace, "Settings", 44))
            .Add(new NavItem("Dashboard apps", "/settings/dashboard-apps", Icons.Material.Outlined.Widgets, Permission.ManageWorkspace, "Settings", 44))
            .Add(new NavItem("Assistant", "/settings/assistant", Icons.Material.Outlined.SmartToy, Permission.ManageAssistant, "Settings", 47))
            .Add(new NavItem("Intents", "/settings/intents", Icons.Material.Outlined.Psychology, Permission.ManageAssistant, "Settings", 48))
            .Add(new NavItem("Help center", "/settings/help-center", Icons.Material.Outlined.Public, Permission.ManageKnowledgeBase, "Settings", 46))
            .Add(new NavItem("Canned responses", "/settings/canned-responses", Icons.Material.Outlined.Quickreply, Permission.HandleConversations, "Settings", 45))
            .Add(new NavItem("Audit trail", "/settings/audit", Icons.Material.Outlined.History, Permission.ViewAudit, "Settings", 50))
            .Add(new NavItem("Retention", "/settings/retention", Icons.Material.Outlined.AutoDelete, Permission.ManageRetention, "Settings", 51))
            .Add(new NavItem("Profile & API tokens", "/settings/profile", Icons.Material.Outlined.AccountCircle, Permission.ManageOwnProfile, "Settings", 60)));
        return services;
    }

    public static void MapAppShell(this WebApplication app)
    {
        app.MapStaticAssets();
        // Blazor would write a policy of its own (frame-ancestors only), and an endpoint's own policy is kept; the app's
        // whole policy, frame-ancestors 'none' included, comes from SecurityHeaders on every page instead.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(server => server.ContentSecurityFrameAncestorsPolicy = null);
    }
}
