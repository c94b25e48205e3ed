using Microsoft.Extensions.Options;
using Porchlight.Server.Features.Agents;

namespace Porchlight.Server.Hosting.Cluster;

/// <summary>
/// Keeps this node counted as alive (with its agents' connections) while it runs, and leaves when it stops. Each beat
/// also looks for nodes that died without leaving and announces their agents who went offline with them.
/// </summary>
public sealed class ClusterHeartbeat(
    SharedPresenceStore presence, AgentPresence agents, IOptions<ClusterOptions> options, TimeProvider clock, ILogger<ClusterHeartbeat> logger)
    : BackgroundService
{
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await presence.LeaveAsync();
        }
        catch (Exception e) when (RedisLink.IsOutage(e))
        {
            logger.LogInformation(e, "Could not tell Redis this node stopped; its entries expire on their own.");
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await BeatAsync(stoppingToken);
        await PeriodicJob.RunAsync(options.Value.HeartbeatInterval, clock, logger, "The cluster heartbeat", BeatAsync, stoppingToken);
    }

    private async Task BeatAsync(CancellationToken cancellationToken)
    {
        try
        {
            await presence.HeartbeatAsync();
            foreach (var (workspaceId, agentId) in await presence.ForgetDeadNodesAsync())
            {
                await agents.NodeLeftAsync(workspaceId, agentId);
            }
        }
        catch (Exception e) when (RedisLink.IsOutage(e))
        {
            logger.LogDebug(e, "No heartbeat: Redis is away.");
        }
    }
}
