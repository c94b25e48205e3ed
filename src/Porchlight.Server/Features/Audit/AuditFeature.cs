using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Audit;

public static class AuditFeature
{
    public static IServiceCollection AddAudit(this IServiceCollection services) => services
        .AddScoped<AuditActor>()
        .AddScoped<AuditInterceptor>()
        .AddScoped<ListAuditEntries>()
        .AddScoped<RecordAuthEvent>();

    public static void MapAudit(this RouteGroupBuilder api) =>
        api.MapGet("/audit", async (int? limit, string? cursor, string? action, ListAuditEntries useCase, CancellationToken ct) =>
                await ProblemResults.PagedAsync(limit, cursor, page => useCase.HandleAsync(page, action, ct)))
            .WithTags("Audit").RequirePermission(Permission.ViewAudit).Produces<Page<AuditEntryResponse>>();
}
