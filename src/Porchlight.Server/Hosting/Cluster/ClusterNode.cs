namespace Porchlight.Server.Hosting.Cluster;

/// <summary>
/// This process's name among the nodes of a cluster: whose outbox claim, job lease or presence copy a row is.
/// Unique per start, so a restarted node is a new node and what the old one held expires.
/// </summary>
public sealed class ClusterNode
{
    public string Id { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..12]}";
}
