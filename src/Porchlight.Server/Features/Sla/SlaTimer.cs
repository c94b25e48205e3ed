using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Sla;

/// <summary>
/// Gives each running SLA clock its warning and its breach when their time comes, once: the clock is re-read under
/// its lock and marked in the same commit as the event, so two nodes running this job never both announce it.
/// The events (stored in the outbox) drive escalation and notifications.
/// </summary>
public sealed class SlaTimer(IServiceScopeFactory scopes, TimeProvider clock, PorchlightMetrics metrics, IConfiguration configuration, ILogger<SlaTimer> logger)
    : BackgroundService
{
    private const int BatchSize = 200;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicJob.RunAsync(
            configuration.GetValue("Sla:CheckInterval", TimeSpan.FromSeconds(10)), clock, logger, "Checking SLA clocks", FireDueAsync, stoppingToken);

    /// <summary>Warns and breaches every clock whose moment has come by now, in batches.</summary>
    public async Task FireDueAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            List<(Guid Id, Guid WorkspaceId)> due;
            await using (var scope = scopes.CreateAsyncScope())
            {
                // Operator scope: the one look-up across workspaces; each clock is then handled in its own.
                var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                due = (await db.SlaClocks.IgnoreQueryFilters()
                        .Where(c => c.Outcome == null && (c.WarnAt <= now || (c.BreachedAt == null && c.DueAt <= now)))
                        .OrderBy(c => c.Id).Take(BatchSize)
                        .Select(c => new { c.Id, c.WorkspaceId }).ToListAsync(cancellationToken))
                    .Select(c => (c.Id, c.WorkspaceId)).ToList();
            }

            foreach (var (id, workspaceId) in due)
            {
                await FireAsync(id, workspaceId, now, cancellationToken);
            }

            if (due.Count < BatchSize)
            {
                return;
            }
        }
    }

    private async Task FireAsync(Guid clockId, Guid workspaceId, DateTime now, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspaceId);
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await RowLocks.LockAsync<SlaClock>(db, clockId, cancellationToken);
        if (await db.SlaClocks.FirstOrDefaultAsync(c => c.Id == clockId, cancellationToken) is not { } slaClock)
        {
            return;
        }

        // A clock that passed both moments between two checks breaches without a warning first: the warning would be stale.
        var counter = slaClock.Breach(now) ? metrics.SlaBreaches : slaClock.Warn(now) ? metrics.SlaWarnings : null;
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        counter?.Add(1, new TagList { { "metric", slaClock.Metric.ToString() } });
    }
}
