using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting.Cluster;

namespace Porchlight.Server.Features.Reports;

/// <summary>Whether the workspace's report facts are being worked out again, since when, and when that last finished.</summary>
public sealed record FactsRecomputeResponse(bool InProgress, DateTime? RequestedAt, DateTime? CompletedAt);

/// <summary>
/// Works every conversation's report facts out again from its event log (<see cref="ReportFacts"/>), in id order and in
/// batches, for the workspaces that asked: after their business hours, holidays or time zone changed (business times
/// and days depend on them), or on request. The progress is saved after each batch, so a restart goes on where it
/// stopped; a new request while one runs starts over. A conversation done twice (two nodes) comes out the same.
/// </summary>
public sealed class FactsRecompute(IServiceScopeFactory scopes, JobLeases leases, TimeProvider clock, IConfiguration configuration, ILogger<FactsRecompute> logger)
    : BackgroundService
{
    private const int Batch = 200;

    public async Task<FactsRecomputeResponse> StatusAsync(AppDbContext db, CancellationToken cancellationToken)
    {
        var workspace = await db.Workspaces.AsNoTracking().SingleAsync(cancellationToken);
        return new FactsRecomputeResponse(workspace.FactsRecomputeRequestedAt is not null, workspace.FactsRecomputeRequestedAt, workspace.FactsRecomputedAt);
    }

    public async Task<FactsRecomputeResponse> RequestAsync(AppDbContext db, CancellationToken cancellationToken)
    {
        var workspace = await db.Workspaces.SingleAsync(cancellationToken);
        workspace.RequestFactsRecompute(clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        return await StatusAsync(db, cancellationToken);
    }

    /// <returns>How many conversations it worked out again.</returns>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        List<Guid> workspaceIds;
        await using (var scope = scopes.CreateAsyncScope())
        {
            // Operator scope: every workspace that asked.
            workspaceIds = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Workspaces.IgnoreQueryFilters()
                .Where(w => w.FactsRecomputeRequestedAt != null).Select(w => w.Id).ToListAsync(cancellationToken);
        }

        var done = 0;
        foreach (var workspaceId in workspaceIds)
        {
            while (await NextBatchAsync(workspaceId, cancellationToken) is { } batch)
            {
                done += batch;
            }
        }

        return done;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => leases.RunAsync(
        nameof(FactsRecompute), configuration.GetValue("Reports:RecomputeInterval", TimeSpan.FromSeconds(10)), logger, "Recomputing report facts", RunAsync, stoppingToken);

    // One batch of the workspace's conversations after the saved progress; null once it has none left to do.
    private async Task<int?> NextBatchAsync(Guid workspaceId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var workspaces = db.Workspaces.IgnoreQueryFilters().Where(w => w.Id == workspaceId);
        if (await workspaces.Select(w => new { w.FactsRecomputeRequestedAt, w.FactsRecomputedUpTo }).SingleOrDefaultAsync(cancellationToken) is not
            { FactsRecomputeRequestedAt: { } requestedAt } progress)
        {
            return null;
        }

        var after = progress.FactsRecomputedUpTo ?? Guid.Empty;
        var ids = await db.Conversations.IgnoreQueryFilters().Where(c => c.WorkspaceId == workspaceId && c.Id.CompareTo(after) > 0)
            .OrderBy(c => c.Id).Take(Batch).Select(c => c.Id).ToListAsync(cancellationToken);
        var facts = scope.ServiceProvider.GetRequiredService<ReportFacts>();
        foreach (var id in ids)
        {
            await facts.RefreshAsync(id, cancellationToken);
        }

        // Saved only if nobody asked again meanwhile: a new request starts over from the first conversation.
        var current = workspaces.Where(w => w.FactsRecomputeRequestedAt == requestedAt);
        if (ids.Count < Batch)
        {
            await current.ExecuteUpdateAsync(set => set
                .SetProperty(w => w.FactsRecomputeRequestedAt, (DateTime?)null)
                .SetProperty(w => w.FactsRecomputedUpTo, (Guid?)null)
                .SetProperty(w => w.FactsRecomputedAt, clock.GetUtcNow().UtcDateTime), cancellationToken);
            return ids.Count == 0 ? null : ids.Count;
        }

        await current.ExecuteUpdateAsync(set => set.SetProperty(w => w.FactsRecomputedUpTo, ids[^1]), cancellationToken);
        return ids.Count;
    }
}
