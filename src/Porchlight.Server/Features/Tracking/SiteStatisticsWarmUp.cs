using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Tracking;

/// <summary>
/// Answers one site's last 30 days once when the server starts, so the first person to open the analytics page does
/// not wait for the statistics queries to be compiled and the answer's JSON contract to be built (docs/benchmarks.md).
/// Only where some site has figures: without any, there is nobody to wait and nothing to warm.
/// </summary>
public sealed class SiteStatisticsWarmUp(IServiceScopeFactory scopes, TimeProvider clock, ILogger<SiteStatisticsWarmUp> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // SQLite answers synchronously: without this the warm-up would hold the server's start up.
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            // Operator scope: any site with figures will do, whichever workspace it belongs to.
            var site = await db.SiteDailyStats.IgnoreQueryFilters().AsNoTracking()
                .Select(s => new { s.WorkspaceId, s.InboxId }).FirstOrDefaultAsync(stoppingToken);
            if (site is null)
            {
                return;
            }

            scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(site.WorkspaceId);
            var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
            var figures = await scope.ServiceProvider.GetRequiredService<SiteStatisticsQuery>().FiguresAsync(site.InboxId, today.AddDays(-29), today, 10, stoppingToken);
            // Written as the API writes it, so the answer's JSON contract is built too.
            var json = scope.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(figures, json);
        }
#pragma warning disable CA1031 // A warm-up that fails costs the first reader some time, never the server its start.
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            logger.LogWarning(e, "Warming the site statistics up failed; the first request will compile them.");
        }
    }
}
