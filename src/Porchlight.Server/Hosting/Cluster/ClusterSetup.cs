using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Widget;

namespace Porchlight.Server.Hosting.Cluster;

public static class ClusterSetup
{
    /// <summary>
    /// What every node has, clustered or not: its name, and the leases that keep scheduled jobs on one node.
    /// Registered before the features, so the leases are handed back only after their jobs have stopped.
    /// </summary>
    public static IServiceCollection AddClusterNode(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ClusterOptions>().Bind(configuration.GetSection(ClusterOptions.Section));
        return services
            .AddSingleton<ClusterNode>()
            .AddSingleton<JobLeases>()
            .AddHostedService(sp => sp.GetRequiredService<JobLeases>());
    }

    /// <summary>
    /// The scale-out switch: with <c>Redis:ConnectionString</c>, hub sends, agent-app live events and presence are
    /// shared with the other nodes; without it, the single-node implementations stay. Either way the agent and
    /// visitor hubs send through <see cref="ClusterHubLifetimeManager{THub}"/>, which never lets a slow client hold up
    /// the others (Blazor's own hub serves each circuit on its node and never sends to groups). Registered after the
    /// features, so its registrations replace theirs.
    /// </summary>
    public static IServiceCollection AddCluster(this IServiceCollection services, IConfiguration configuration)
    {
        services
            .AddSingleton<HubLifetimeManager<AgentHub>, ClusterHubLifetimeManager<AgentHub>>()
            .AddSingleton<HubLifetimeManager<VisitorHub>, ClusterHubLifetimeManager<VisitorHub>>();
        if (configuration.GetSection(ClusterOptions.Section).Get<ClusterOptions>() is not { Enabled: true })
        {
            return services.AddSingleton<IClusterBus, SingleNodeBus>();
        }

        return services
            .AddSingleton(sp => RedisLink.Connect(sp.GetRequiredService<IOptions<ClusterOptions>>().Value, sp.GetRequiredService<ClusterNode>()))
            .AddSingleton<IClusterBus, RedisClusterBus>()
            .AddSingleton<SharedPresenceStore>()
            .Replace(ServiceDescriptor.Singleton<IPresenceStore>(sp => sp.GetRequiredService<SharedPresenceStore>()))
            .AddHostedService<ClusterHeartbeat>();
    }
}
