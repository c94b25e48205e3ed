using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using Porchlight.Server.Data;

namespace Porchlight.Server.Hosting;

/// <summary>Health endpoints for orchestrators and Prometheus metrics for dashboards.</summary>
public static class ObservabilitySetup
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddPorchlightObservability(this IServiceCollection services)
    {
        services.AddSingleton<PorchlightMetrics>();
        services.AddHealthChecks()
            .AddDbContextCheck<AppDbContext>("database", tags: [ReadyTag])
            .AddCheck<MigrationsAppliedCheck>("migrations", tags: [ReadyTag]);
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .AddMeter(PorchlightMetrics.MeterName)
            .AddPrometheusExporter());
        return services;
    }

    public static void MapObservability(this WebApplication app)
    {
        // Live: the process answers. Ready: it can serve, i.e. the database is reachable and up to date.
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains(ReadyTag) }).AllowAnonymous();
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
    }
}

internal sealed class MigrationsAppliedCheck(AppDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        return pending.Count == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"{pending.Count} migration(s) pending; run `porchlight migrate`.");
    }
}
