using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Reports;

/// <summary>
/// Rolls the days marked stale (<see cref="StaleReportDay"/>) up into <see cref="ReportRollup"/> rows, each day whole
/// and from its facts, so a day's rollup always equals a fresh count of its facts. Runs on a timer, and for a
/// workspace's days right before a report reads them, so a report is never older than the facts. Safe on several
/// nodes at once: a day rolled up twice comes out the same.
/// </summary>
public sealed class ReportRollups(IServiceScopeFactory scopes, TimeProvider clock, IConfiguration configuration, ILogger<ReportRollups> logger)
    : BackgroundService
{
    private const int BackfillBatch = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await BackfillAsync(stoppingToken);
        }
#pragma warning disable CA1031 // A failed backfill must not stop the rollups; the next start tries again.
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            logger.LogWarning(e, "Computing report facts of earlier conversations failed; trying again at the next start.");
        }

        await PeriodicJob.RunAsync(
            configuration.GetValue("Reports:RollupInterval", TimeSpan.FromSeconds(30)), clock, logger, "Rolling up report figures",
            ct => RollUpAsync(workspaceId: null, ct), stoppingToken);
    }

    /// <summary>
    /// Computes the facts of conversations whose log has entries but which have none (logged before the facts existed),
    /// in batches by key; answers how many it computed.
    /// </summary>
    public async Task<int> BackfillAsync(CancellationToken cancellationToken)
    {
        var done = 0;
        var after = Guid.Empty;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            // Operator scope: every workspace's conversations, a batch of keys at a time.
            var batch = await db.Conversations.IgnoreQueryFilters().Where(c => c.Id.CompareTo(after) > 0).OrderBy(c => c.Id).Take(BackfillBatch)
                .Select(c => new { c.Id, Missing = db.ConversationEvents.Any(e => e.ConversationId == c.Id) && !db.ReportFacts.Any(f => f.ConversationId == c.Id) })
                .ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                return done;
            }

            var facts = scope.ServiceProvider.GetRequiredService<ReportFacts>();
            foreach (var conversation in batch.Where(c => c.Missing))
            {
                await facts.RefreshAsync(conversation.Id, cancellationToken);
                done++;
            }

            after = batch[^1].Id;
        }
    }

    /// <summary>Rolls up every stale day, of one workspace or of all; answers how many days were rolled up.</summary>
    public async Task<int> RollUpAsync(Guid? workspaceId, CancellationToken cancellationToken)
    {
        List<StaleReportDay> stale;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            stale = await db.StaleReportDays.AsNoTracking().Where(d => workspaceId == null || d.WorkspaceId == workspaceId)
                .OrderBy(d => d.Day).ToListAsync(cancellationToken);
        }

        foreach (var day in stale)
        {
            await RollUpDayAsync(day, cancellationToken);
        }

        return stale.Count;
    }

    private async Task RollUpDayAsync(StaleReportDay stale, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var (workspaceId, day) = (stale.WorkspaceId, stale.Day);
        // Operator scope: the job reads one workspace's day, named by its key.
        var rows = (await db.ReportFacts.IgnoreQueryFilters().Where(f => f.WorkspaceId == workspaceId && f.Day == day)
                .GroupBy(f => new { f.InboxId, f.TeamId, f.AgentId, f.Metric, f.Bucket })
                .Select(g => new { g.Key, Count = g.Count(), Milliseconds = g.Sum(f => f.Milliseconds), BusinessMilliseconds = g.Sum(f => f.BusinessMilliseconds) })
                .ToListAsync(cancellationToken))
            .ConvertAll(g => ReportRollup.Of(workspaceId, day, g.Key.InboxId, g.Key.TeamId, g.Key.AgentId, g.Key.Metric, g.Key.Bucket, g.Count, g.Milliseconds, g.BusinessMilliseconds));

        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await db.ReportRollups.IgnoreQueryFilters().Where(r => r.WorkspaceId == workspaceId && r.Day == day).ExecuteDeleteAsync(cancellationToken);
            db.ReportRollups.AddRange(rows);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another node wrote the same day's rows meanwhile; the mark stays, and the next pass rolls the day up again.
                return;
            }

            await transaction.CommitAsync(cancellationToken);
        }

        // Cleared only if nothing marked the day again meanwhile; otherwise the next pass rolls it up once more.
        await db.StaleReportDays.Where(d => d.WorkspaceId == workspaceId && d.Day == day && d.Version == stale.Version).ExecuteDeleteAsync(cancellationToken);
    }
}
