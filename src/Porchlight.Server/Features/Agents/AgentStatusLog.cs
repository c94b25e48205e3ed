using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting.Cluster;

namespace Porchlight.Server.Features.Agents;

/// <summary>
/// Keeps agents' <see cref="AgentStatusPeriod"/> rows in step with their presence: each announced change ends the open
/// period and begins one with the new status (none while Offline); every minute the open periods of connected agents
/// are confirmed and those of agents gone without a word (a node that stopped) are ended when they were last seen.
/// </summary>
public sealed class AgentStatusLog(IServiceScopeFactory scopes, IPresenceStore store, JobLeases leases, TimeProvider clock, IConfiguration configuration, ILogger<AgentStatusLog> logger)
    : BackgroundService
{
    /// <summary>How long an open period may go unconfirmed before it is ended at its last sighting.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(2);

    /// <summary>Records that the agent's presence is now <paramref name="presence"/>, under the agent's row lock, so two nodes never open two periods.</summary>
    public async Task RecordAsync(Guid workspaceId, Guid agentId, PresenceStatus presence, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspaceId);
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await RowLocks.LockAsync<Agent>(db, agentId, cancellationToken);
        var open = await db.AgentStatusPeriods.Where(p => p.AgentId == agentId && p.EndedAt == null).ToListAsync(cancellationToken);
        if (open is [{ } current] && current.Status == presence)
        {
            return;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        open.ForEach(p => p.End(now));
        if (presence != PresenceStatus.Offline)
        {
            db.AgentStatusPeriods.Add(AgentStatusPeriod.Begin(workspaceId, agentId, presence, now));
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Confirms the open periods of connected agents and ends the others at their last sighting (after <see cref="Grace"/>).</summary>
    public async Task KeepAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        // Operator scope: every workspace's open periods.
        var open = await db.AgentStatusPeriods.IgnoreQueryFilters().Where(p => p.EndedAt == null)
            .Select(p => new { p.Id, p.WorkspaceId, p.AgentId, p.LastSeenAt }).ToListAsync(cancellationToken);
        foreach (var workspace in open.GroupBy(p => p.WorkspaceId))
        {
            var connected = (await store.ConnectedAgentsAsync(workspace.Key)).ToHashSet();
            var seen = workspace.Where(p => connected.Contains(p.AgentId)).Select(p => p.Id).ToList();
            var gone = workspace.Where(p => !connected.Contains(p.AgentId) && p.LastSeenAt < now - Grace).Select(p => p.Id).ToList();
            await db.AgentStatusPeriods.IgnoreQueryFilters().Where(p => seen.Contains(p.Id) && p.EndedAt == null)
                .ExecuteUpdateAsync(set => set.SetProperty(p => p.LastSeenAt, now), cancellationToken);
            await db.AgentStatusPeriods.IgnoreQueryFilters().Where(p => gone.Contains(p.Id) && p.EndedAt == null)
                .ExecuteUpdateAsync(set => set.SetProperty(p => p.EndedAt, p => p.LastSeenAt), cancellationToken);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => leases.RunAsync(
        nameof(AgentStatusLog), configuration.GetValue("Agents:StatusKeepInterval", TimeSpan.FromMinutes(1)), logger, "Keeping agents' status periods", KeepAsync, stoppingToken);
}
