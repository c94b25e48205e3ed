namespace Porchlight.Server.Hosting.Cluster;

/// <summary>
/// The one scale-out switch (the <c>Redis</c> section): with a connection string, nodes that share one PostgreSQL
/// database also share live events and presence through Redis. Without one, a single node keeps both in memory.
/// </summary>
public sealed class ClusterOptions
{
    public const string Section = "Redis";

    /// <summary>A StackExchange.Redis configuration string: <c>host:port</c>, or Sentinel with <c>serviceName=…</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Put before every key and channel, so several Porchlight installations can share one Redis.</summary>
    public string ChannelPrefix { get; set; } = "porchlight";

    /// <summary>How often a node says it is alive; a node silent for three of these is taken for dead.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    public bool Enabled => !string.IsNullOrWhiteSpace(ConnectionString);
}
