using StackExchange.Redis;

namespace Porchlight.Server.Hosting.Cluster;

/// <summary>
/// This node's connection to Redis and its name in the cluster. Commands fail at once while Redis is away instead
/// of queueing (callers fall back to this node's own view), and the link reconnects by itself; whether it is up
/// is exported as <c>porchlight.cluster.redis_connected</c> for alerting.
/// </summary>
public sealed class RedisLink : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _connection;
    private readonly string _prefix;

    private RedisLink(ConnectionMultiplexer connection, string prefix, string nodeId)
    {
        _connection = connection;
        _prefix = prefix;
        NodeId = nodeId;
    }

    /// <summary>This node's <see cref="ClusterNode.Id"/>, which marks its messages and its presence copy.</summary>
    public string NodeId { get; }

    public bool IsConnected => _connection.IsConnected;

    public IDatabase Database => _connection.GetDatabase();

    public ISubscriber Subscriber => _connection.GetSubscriber();

    public event EventHandler? Restored;

    public event EventHandler? Lost;

    /// <summary>Redis cannot be reached now (as opposed to a command it refused, which is a defect to surface).</summary>
    public static bool IsOutage(Exception e) => e is RedisConnectionException or RedisTimeoutException or TimeoutException;

    public RedisKey Key(string name) => $"{_prefix}:{name}";

    public RedisChannel Channel(string name) => RedisChannel.Literal($"{_prefix}:{name}");

    public static RedisLink Connect(ClusterOptions options, ClusterNode node)
    {
        var configuration = ConfigurationOptions.Parse(options.ConnectionString!);
        // Start without Redis if it is away (it is a degraded mode, not a reason to stay down), and never wait
        // for it: a command while the link is down fails at once, and the caller uses what this node knows.
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ConnectTimeout = 2_000;
        configuration.SyncTimeout = 2_000;
        configuration.AsyncTimeout = 2_000;
        configuration.ClientName = "porchlight";
        // Try again every second: while the link is down, this node's clients miss what the other nodes send.
        configuration.ReconnectRetryPolicy = new LinearRetry(1_000);
        var link = new RedisLink(ConnectionMultiplexer.Connect(configuration), options.ChannelPrefix, node.Id);
        link._connection.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Subscription)
            {
                link.Restored?.Invoke(link, EventArgs.Empty);
            }
        };
        link._connection.ConnectionFailed += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Subscription)
            {
                link.Lost?.Invoke(link, EventArgs.Empty);
            }
        };
        return link;
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
}
