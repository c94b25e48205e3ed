using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Hosting.Cluster;

namespace Porchlight.Server.Features.Tracking;

/// <summary>
/// Deletes raw tracked events older than their inbox keeps them (<see cref="TrackingSettings.RetentionDays"/>), in
/// small batches so the writer and the app are never held up for long. Visits and visitors, the summaries reports
/// and the sidebar read, are kept, and so are the events of browsers linked to a contact under a legal hold. A workspace
/// policy for tracking events shorter than an inbox's setting is applied by the retention run (Retention/RetentionJob),
/// which reports it (decisions/0024).
/// </summary>
public sealed class TrackingRetention(IServiceScopeFactory scopes, JobLeases leases, TimeProvider clock, IConfiguration configuration, ILogger<TrackingRetention> logger)
    : BackgroundService
{
    private const int BatchSize = 5_000;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        leases.RunAsync(
            nameof(TrackingRetention), configuration.GetValue("Tracking:RetentionInterval", TimeSpan.FromHours(1)), logger, "Removing tracked events past their retention",
            PurgeAsync, stoppingToken);

    /// <summary>Removes every event past its inbox's retention; answers how many.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        List<(Guid Id, int Days)> inboxes;
        await using (var scope = scopes.CreateAsyncScope())
        {
            // Operator scope: every workspace's web-widget inboxes.
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            inboxes = (await db.Inboxes.IgnoreQueryFilters().AsNoTracking().Where(i => i.Channel == InboxChannel.WebWidget)
                    .Select(i => new { i.Id, i.Tracking }).ToListAsync(cancellationToken))
                .Select(i => (i.Id, i.Tracking.RetentionDays)).ToList();
        }

        var removed = 0;
        foreach (var (inboxId, days) in inboxes)
        {
            var cutoff = clock.GetUtcNow().UtcDateTime.AddDays(-days);
            int deleted;
            do
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                // The events of a browser linked to a contact under a legal hold stay (Retention/TrackingRetentionRules).
                deleted = await Retention.TrackingRetentionRules.DeleteBatchAsync(db, inboxId, cutoff, BatchSize, cancellationToken);
                removed += deleted;
            }
            while (deleted == BatchSize);
        }

        if (removed > 0 && logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("Removed {Count} tracked events past their inbox's retention.", removed);
        }

        return removed;
    }
}
