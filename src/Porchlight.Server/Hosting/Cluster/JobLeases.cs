using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Porchlight.Server.Data;

namespace Porchlight.Server.Hosting.Cluster;

/// <summary>
/// Runs a scheduled job on one node of the cluster at a time. The lease lives in the database every node already
/// shares, not in Redis, so jobs keep running while Redis is away. Its holder renews it on every pass; when the
/// holder dies, the lease runs out and the next node to look takes it; a node that stops hands its leases back.
/// A single node (no Redis configured) takes no lease at all.
/// </summary>
public sealed class JobLeases(IServiceScopeFactory scopes, ClusterNode node, TimeProvider clock, IOptions<ClusterOptions> cluster) : IHostedService
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The loop of a scheduled job (<see cref="PeriodicJob"/>) whose passes run on one node of the cluster at a time.
    /// </summary>
    public Task RunAsync(
        string job, TimeSpan interval, ILogger logger, string what, Func<CancellationToken, Task> pass, CancellationToken stoppingToken) =>
        PeriodicJob.RunAsync(interval, clock, logger, what, async cancellationToken =>
        {
            if (await HoldAsync(job, interval, cancellationToken))
            {
                await pass(cancellationToken);
            }
        }, stoppingToken);

    /// <summary>
    /// Whether this node runs the job's next pass: always on a single node; in a cluster, while it holds the lease.
    /// The lease outlasts two intervals (and a grace), so a holder that is merely slow keeps it, and a dead one's
    /// job moves within that time.
    /// </summary>
    public async Task<bool> HoldAsync(string job, TimeSpan interval, CancellationToken cancellationToken) =>
        !cluster.Value.Enabled || await TryHoldAsync(job, interval * 2 + Grace, cancellationToken);

    /// <summary>Takes or renews the job's lease for <paramref name="lifetime"/>; false while another node holds it.</summary>
    public async Task<bool> TryHoldAsync(string job, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        var taken = await db.JobLeases.Where(l => l.Job == job && (l.Holder == node.Id || l.Until < now))
            .ExecuteUpdateAsync(set => set.SetProperty(l => l.Holder, node.Id).SetProperty(l => l.Until, now + lifetime), cancellationToken);
        if (taken == 1)
        {
            return true;
        }

        if (await db.JobLeases.AnyAsync(l => l.Job == job, cancellationToken))
        {
            return false;
        }

        db.JobLeases.Add(new JobLease(job, node.Id, now + lifetime));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            return false; // Another node created it first, and holds it.
        }
    }

    /// <summary>Hands this node's leases back, so the others take its jobs at once (a rolling upgrade stops nodes one by one).</summary>
    public async Task ReleaseAllAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var past = clock.GetUtcNow().UtcDateTime.AddSeconds(-1);
        await scope.ServiceProvider.GetRequiredService<AppDbContext>().JobLeases.Where(l => l.Holder == node.Id)
            .ExecuteUpdateAsync(set => set.SetProperty(l => l.Until, past), cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (cluster.Value.Enabled)
        {
            await ReleaseAllAsync(cancellationToken);
        }
    }
}
