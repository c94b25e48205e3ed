using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting.Cluster;

namespace Porchlight.Server.Features.Quality;

/// <summary>
/// Draws each workspace's sample once a week: on the first pass after a week ends in the workspace's time zone, for
/// every workspace whose sampling is on. Safe on several nodes: a draw holds the workspace's sampling row, and a second
/// draw of the same week finds the agents' reviews there already.
/// </summary>
public sealed class WeeklySampling(IServiceScopeFactory scopes, JobLeases leases, TimeProvider clock, IConfiguration configuration, ILogger<WeeklySampling> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => leases.RunAsync(
        nameof(WeeklySampling), configuration.GetValue("Quality:SamplingInterval", TimeSpan.FromHours(1)), logger, "Sampling conversations for review", DrawDueAsync, stoppingToken);

    /// <summary>Draws the last full week of every workspace that samples and has not drawn it yet; answers how many workspaces it drew.</summary>
    public async Task<int> DrawDueAsync(CancellationToken cancellationToken)
    {
        List<(Guid WorkspaceId, DateOnly? LastDrawnWeek)> sampling;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            sampling = [.. (await db.QualitySamplings.IgnoreQueryFilters().AsNoTracking().Where(s => s.IsEnabled)
                .Select(s => new { s.WorkspaceId, s.LastDrawnWeek }).ToListAsync(cancellationToken)).Select(s => (s.WorkspaceId, s.LastDrawnWeek))];
        }

        var drawn = 0;
        foreach (var (workspaceId, lastDrawnWeek) in sampling)
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspaceId);
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var today = (await db.Workspaces.AsNoTracking().SingleAsync(cancellationToken)).Calendar().DayOf(clock.GetUtcNow().UtcDateTime);
            var lastWeek = Reports.ReportPeriods.WeekOf(today).AddDays(-7);
            if (lastDrawnWeek >= lastWeek)
            {
                continue;
            }

            var result = await scope.ServiceProvider.GetRequiredService<ReviewSampler>().DrawAsync(new DrawRequest(lastWeek), cancellationToken);
            if (result.Succeeded)
            {
                drawn++;
            }
            else
            {
                logger.LogWarning("Sampling the week of {Week} for workspace {WorkspaceId} failed: {Reason}", lastWeek, workspaceId, result.Failure!.Detail);
            }
        }

        return drawn;
    }
}
