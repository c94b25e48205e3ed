using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Workforce;

public static class WorkforceFeature
{
    public static IServiceCollection AddWorkforce(this IServiceCollection services) => services
        .AddScoped<StaffingTargets>()
        .AddScoped<ForecastAdjustments>()
        .AddScoped<GetStaffingPlan>();

    public static void MapWorkforce(this RouteGroupBuilder api)
    {
        var workforce = api.MapGroup("/workforce").WithTags("Workforce");
        workforce.MapGet("/settings", async (StaffingTargets useCase, CancellationToken ct) => TypedResults.Ok(await useCase.GetAsync(ct)))
            .RequirePermission(Permission.ViewReports).Produces<StaffingSettingsResponse>();
        workforce.MapPut("/settings", async (StaffingSettingsRequest request, StaffingTargets useCase, CancellationToken ct) =>
                (await useCase.SetAsync(request, ct)).ToOk())
            .RequirePermission(Permission.ManageWorkforce).Produces<StaffingSettingsResponse>();
        workforce.MapGet("/adjustments", async (ForecastAdjustments useCase, CancellationToken ct) => TypedResults.Ok(await useCase.ListAsync(ct)))
            .RequirePermission(Permission.ViewReports).Produces<List<ForecastAdjustmentResponse>>();
        workforce.MapPost("/adjustments", async (ForecastAdjustmentRequest request, ForecastAdjustments useCase, CancellationToken ct) =>
                (await useCase.AddAsync(request, ct)).ToHttp(a => TypedResults.Created($"/api/v1/workforce/adjustments/{a.Id}", a)))
            .RequirePermission(Permission.ManageWorkforce).Produces<ForecastAdjustmentResponse>(StatusCodes.Status201Created);
        workforce.MapDelete("/adjustments/{adjustmentId:guid}", async (Guid adjustmentId, ForecastAdjustments useCase, CancellationToken ct) =>
                (await useCase.DeleteAsync(adjustmentId, ct)).ToNoContent())
            .RequirePermission(Permission.ManageWorkforce).Produces(StatusCodes.Status204NoContent);
        workforce.MapGet("/plan", async ([AsParameters] StaffingPlanQuery query, GetStaffingPlan useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(query, ct)).ToOk())
            .RequirePermission(Permission.ViewReports).Produces<StaffingPlanResponse>();
    }
}
