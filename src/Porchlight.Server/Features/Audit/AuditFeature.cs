using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Audit;

public static class AuditFeature
{
    public static IServiceCollection AddAudit(this IServiceCollection services) => services
        .AddScoped<AuditActor>()
        .AddScoped<AuditInterceptor>()
        .AddScoped<ListAuditEntries>()
        .AddScoped<RecordAuthEvent>()
        .AddScoped<VerifyAuditChain>()
        .AddScoped<ExportAuditEntries>()
        .AddSingleton<AuditSealer>()
        .AddHostedService(sp => sp.GetRequiredService<AuditSealer>());

    public static void MapAudit(this RouteGroupBuilder api)
    {
        var audit = api.MapGroup("/audit").WithTags("Audit");
        audit.MapGet("", async (int? limit, string? cursor, string? action, ListAuditEntries useCase, CancellationToken ct) =>
                await ProblemResults.PagedAsync(limit, cursor, page => useCase.HandleAsync(page, action, ct)))
            .RequirePermission(Permission.ViewAudit).Produces<Page<AuditEntryResponse>>();
        audit.MapGet("/verification", async (VerifyAuditChain useCase, CancellationToken ct) => TypedResults.Ok(await useCase.HandleAsync(ct)))
            .RequirePermission(Permission.ViewAudit).Produces<AuditChainReport>();
        audit.MapGet("/export.json", async (DateTime? from, DateTime? to, ExportAuditEntries useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(AuditExportFormat.Json, from, to, ct)).ToHttp(json =>
                    TypedResults.File(System.Text.Encoding.UTF8.GetBytes(json), "application/json; charset=utf-8", "audit.json")))
            .RequirePermission(Permission.ViewAudit).Produces<List<AuditEntryResponse>>();
        audit.MapGet("/export.csv", async (DateTime? from, DateTime? to, ExportAuditEntries useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(AuditExportFormat.Csv, from, to, ct)).ToHttp(csv =>
                    TypedResults.File(System.Text.Encoding.UTF8.GetBytes(csv), "text/csv; charset=utf-8", "audit.csv")))
            .RequirePermission(Permission.ViewAudit).Produces<string>(contentType: "text/csv");
    }
}
