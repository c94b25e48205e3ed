using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.DashboardApps;

public static class DashboardAppsFeature
{
    public static IServiceCollection AddDashboardApps(this IServiceCollection services) => services.AddScoped<DashboardApps>();

    /// <summary>The dashboard apps API (docs/dashboard-apps.md): every agent reads them, those who manage the workspace keep them.</summary>
    public static void MapDashboardApps(this RouteGroupBuilder api)
    {
        var apps = api.MapGroup("/dashboard-apps").WithTags("Dashboard apps");
        apps.MapGet("", async (DashboardApps useCase, CancellationToken ct) => TypedResults.Ok(await useCase.ListAsync(ct)))
            .RequirePermission(Permission.ViewConversations).Produces<List<DashboardAppView>>();
        apps.MapPost("", async (DashboardAppRequest request, DashboardApps useCase, CancellationToken ct) =>
                (await useCase.CreateAsync(request, ct)).ToHttp(a => TypedResults.Created($"/api/v1/dashboard-apps/{a.Id}", a)))
            .RequirePermission(Permission.ManageWorkspace).Produces<DashboardAppView>(StatusCodes.Status201Created);
        apps.MapPut("/{appId:guid}", async (Guid appId, DashboardAppRequest request, DashboardApps useCase, CancellationToken ct) =>
                (await useCase.UpdateAsync(appId, request, ct)).ToOk())
            .RequirePermission(Permission.ManageWorkspace).Produces<DashboardAppView>();
        apps.MapDelete("/{appId:guid}", async (Guid appId, DashboardApps useCase, CancellationToken ct) => (await useCase.DeleteAsync(appId, ct)).ToNoContent())
            .RequirePermission(Permission.ManageWorkspace);
    }
}
