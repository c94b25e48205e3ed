using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting.Cluster;

namespace Porchlight.Server.Features.Agents;

/// <summary>
/// Sets an Online agent Away after the workspace's minutes without activity in an open app page, so a desk left
/// with the inbox open stops receiving conversations. Only connected agents are looked at: one who closed the app
/// is offline already. Coming back is one click in the top bar.
/// </summary>
public sealed class AutoAway(IServiceScopeFactory scopes, AgentPresence presence, JobLeases leases, TimeProvider clock, IConfiguration configuration, ILogger<AutoAway> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        leases.RunAsync(
            nameof(AutoAway), configuration.GetValue("Agents:AutoAwayCheckInterval", TimeSpan.FromSeconds(30)), logger, "Setting idle agents Away", SetIdleAwayAsync, stoppingToken);

    public async Task SetIdleAwayAsync(CancellationToken cancellationToken)
    {
        List<(Guid Id, int Minutes)> workspaces;
        await using (var scope = scopes.CreateAsyncScope())
        {
            // Operator scope: the one look-up across workspaces; each change then runs in its own.
            workspaces = (await scope.ServiceProvider.GetRequiredService<AppDbContext>().Workspaces
                    .Where(w => w.AutoAwayMinutes > 0).Select(w => new { w.Id, w.AutoAwayMinutes }).ToListAsync(cancellationToken))
                .ConvertAll(w => (w.Id, w.AutoAwayMinutes));
        }

        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var (workspaceId, minutes) in workspaces)
        {
            var idle = (await presence.LastActiveAsync(workspaceId)).Where(a => now - a.Value >= TimeSpan.FromMinutes(minutes)).Select(a => a.Key).ToList();
            if (idle.Count == 0)
            {
                continue;
            }

            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspaceId);
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var agents = await db.Agents.Where(a => idle.Contains(a.Id) && a.Availability == AgentAvailability.Online).ToListAsync(cancellationToken);
            foreach (var agent in agents)
            {
                agent.SetAvailability(AgentAvailability.Away);
            }

            await db.SaveChangesAsync(cancellationToken);
            foreach (var agentId in agents.Select(a => a.Id))
            {
                await presence.AvailabilityChangedAsync(workspaceId, agentId);
            }

            if (agents.Count > 0 && logger.IsEnabled(LogLevel.Information))
            {
                logger.LogInformation("{Count} agents of workspace {WorkspaceId} were idle for {Minutes} minutes and are now Away.", agents.Count, workspaceId, minutes);
            }
        }
    }
}
