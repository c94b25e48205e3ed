using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Workforce;

public static class WorkforceFeature
{
    public static IServiceCollection AddWorkforce(this IServiceCollection services) => services
        .AddScoped<StaffingTargets>()
        .AddScoped<ForecastAdjustments>()
        .AddScoped<GetStaffingPlan>()
        .AddScoped<Shifts>()
        .AddScoped<GetCoverage>()
        .AddScoped<GetAdherence>()
        .AddScoped<AgentHolds>()
        .AddScoped<GetAgentWorkload>()
        .AddScoped<WorkloadAlerts>()
        .AddSingleton<OverloadWatch>()
        .AddHostedService(sp => sp.GetRequiredService<OverloadWatch>())
        .AddScoped<SuggestSchedule>()
        .AddScoped<ApplySchedule>();

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
        workforce.MapGet("/coverage", async ([AsParameters] CoverageQuery query, GetCoverage useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(query, ct)).ToOk())
            .RequirePermission(Permission.ViewReports).Produces<CoverageResponse>();
        workforce.MapGet("/adherence", async ([AsParameters] AdherenceQuery query, GetAdherence useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(query, ct)).ToOk())
            .RequirePermission(Permission.ViewReports).Produces<AdherenceResponse>();
        workforce.MapGet("/agents/{agentId:guid}/workload", async (Guid agentId, [AsParameters] WorkloadQuery query, GetAgentWorkload useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(agentId, query, ct)).ToOk())
            .RequirePermission(Permission.ViewReports).Produces<AgentWorkloadResponse>();
        workforce.MapGet("/alerts", async (WorkloadAlerts useCase, CancellationToken ct) => TypedResults.Ok(await useCase.ListAsync(ct)))
            .RequirePermission(Permission.ViewReports).Produces<List<WorkloadAlertResponse>>();
        workforce.MapPost("/alerts/{alertId:guid}/dismiss", async (Guid alertId, WorkloadAlerts useCase, CancellationToken ct) =>
                (await useCase.DismissAsync(alertId, ct)).ToOk())
            .RequirePermission(Permission.ManageWorkforce).Produces<WorkloadAlertResponse>();
        // Every agent's own figures, whatever their role: their page is about them, not a ranking.
        api.MapGet("/me/workload", async ([AsParameters] WorkloadQuery query, GetAgentWorkload useCase, CancellationToken ct) =>
                (await useCase.MineAsync(query, ct)).ToOk())
            .WithTags("Profile").RequirePermission(Permission.ViewWorkspace).Produces<AgentWorkloadResponse>();

        workforce.MapGet("/shifts", async (Guid? agentId, Shifts useCase, CancellationToken ct) => TypedResults.Ok(await useCase.ListAsync(agentId, ct)))
            .RequirePermission(Permission.ViewReports).Produces<List<ShiftResponse>>();
        workforce.MapPost("/shifts", async (ShiftRequest request, Shifts useCase, CancellationToken ct) =>
                (await useCase.CreateAsync(request, ct)).ToHttp(s => TypedResults.Created($"/api/v1/workforce/shifts/{s.Id}", s)))
            .RequirePermission(Permission.ManageWorkforce).Produces<ShiftResponse>(StatusCodes.Status201Created);
        workforce.MapPut("/shifts/{shiftId:guid}", async (Guid shiftId, ShiftRequest request, Shifts useCase, CancellationToken ct) =>
                (await useCase.UpdateAsync(shiftId, request, ct)).ToOk())
            .RequirePermission(Permission.ManageWorkforce).Produces<ShiftResponse>();
        workforce.MapDelete("/shifts/{shiftId:guid}", async (Guid shiftId, Shifts useCase, CancellationToken ct) =>
                (await useCase.DeleteAsync(shiftId, ct)).ToNoContent())
            .RequirePermission(Permission.ManageWorkforce).Produces(StatusCodes.Status204NoContent);
        workforce.MapGet("/time-off", async (Guid? agentId, Shifts useCase, CancellationToken ct) => TypedResults.Ok(await useCase.ListTimeOffAsync(agentId, ct)))
            .RequirePermission(Permission.ViewReports).Produces<List<TimeOffResponse>>();
        workforce.MapPost("/time-off", async (TimeOffRequest request, Shifts useCase, CancellationToken ct) =>
                (await useCase.AddTimeOffAsync(request, ct)).ToHttp(t => TypedResults.Created($"/api/v1/workforce/time-off/{t.Id}", t)))
            .RequirePermission(Permission.ManageWorkforce).Produces<TimeOffResponse>(StatusCodes.Status201Created);
        workforce.MapDelete("/time-off/{timeOffId:guid}", async (Guid timeOffId, Shifts useCase, CancellationToken ct) =>
                (await useCase.DeleteTimeOffAsync(timeOffId, ct)).ToNoContent())
            .RequirePermission(Permission.ManageWorkforce).Produces(StatusCodes.Status204NoContent);

        // A suggestion changes nothing, but it is a planner's tool: it needs the permission to act on it.
        workforce.MapPost("/schedule/suggestion", async (ScheduleSuggestionRequest request, SuggestSchedule useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(request, ct)).ToOk())
            .RequirePermission(Permission.ManageWorkforce).Produces<ScheduleSuggestionResponse>();
        workforce.MapPost("/schedule", async (ApplyScheduleRequest request, ApplySchedule useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(request, ct)).ToHttp(s => TypedResults.Created("/api/v1/workforce/shifts", s)))
            .RequirePermission(Permission.ManageWorkforce).Produces<List<ShiftResponse>>(StatusCodes.Status201Created);
    }
}
