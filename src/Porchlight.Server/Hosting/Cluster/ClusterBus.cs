using System.Diagnostics.Metrics;

namespace Porchlight.Server.Hosting.Cluster;

/// <summary>
/// Carries live events to the other nodes of the cluster. A publisher always delivers to its own node's clients
/// itself first, so the bus only ever adds the other nodes: while Redis is away each node keeps serving its own
/// clients, and what the others missed they catch up from the database (see <see cref="Rejoined"/>).
/// </summary>
public interface IClusterBus
{
    /// <summary>False on a single node: there is nobody to tell, and publishers skip the work of encoding.</summary>
    bool IsShared { get; }

    /// <summary>Raised when the link to the other nodes came back after being lost: events may have been missed.</summary>
    event EventHandler? Rejoined;

    /// <summary>Sends to every other node; never throws (a lost event is caught up on <see cref="Rejoined"/>).</summary>
    Task PublishAsync(string topic, string payload);

    /// <summary>Messages of other nodes on the topic, one at a time in the order they were published.</summary>
    void Subscribe(string topic, Func<string, Task> handler);
}

/// <summary>The bus of a single node: there are no other nodes.</summary>
public sealed class SingleNodeBus : IClusterBus
{
    public bool IsShared => false;

    public event EventHandler? Rejoined
    {
        add { }
        remove { }
    }

    public Task PublishAsync(string topic, string payload) => Task.CompletedTask;

    public void Subscribe(string topic, Func<string, Task> handler)
    {
    }
}

/// <summary>The bus over Redis pub/sub. A message carries its node, so a node skips its own (it delivered them already).</summary>
public sealed class RedisClusterBus : IClusterBus, IDisposable
{
    private readonly RedisLink _redis;
    private readonly ILogger<RedisClusterBus> _logger;
    private readonly Counter<long> _publishFailures;
    private readonly Lock _waitingLock = new();
    private readonly List<(string Topic, Func<string, Task> Handler)> _waiting = [];
    private readonly Timer _retry;

    public RedisClusterBus(RedisLink redis, IMeterFactory meters, ILogger<RedisClusterBus> logger)
    {
        _redis = redis;
        _logger = logger;
        // Redis tells of a link that came back, not of one that was never up: topics still waiting are tried every second.
        _retry = new Timer(_ => ListenToWaitingTopics(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        var meter = meters.Create(PorchlightMetrics.MeterName);
        _publishFailures = meter.CreateCounter<long>(
            "porchlight.cluster.publish_failures", description: "Live events this node could not pass to the other nodes (Redis away).");
        meter.CreateObservableGauge(
            "porchlight.cluster.redis_connected", () => redis.IsConnected ? 1 : 0,
            description: "1 while this node reaches Redis; 0 means live events stay on this node. Alert on it.");
        redis.Lost += (_, _) => logger.LogWarning("Lost Redis: live events reach only this node's clients until it returns.");
        redis.Restored += (_, _) =>
        {
            logger.LogInformation("Redis is back: the nodes share live events again; clients catch up on what they missed.");
            ListenToWaitingTopics();
            Rejoined?.Invoke(this, EventArgs.Empty);
        };
    }

    public bool IsShared => true;

    public event EventHandler? Rejoined;

    public async Task PublishAsync(string topic, string payload)
    {
        try
        {
            await _redis.Subscriber.PublishAsync(_redis.Channel(topic), $"{_redis.NodeId}\n{payload}");
        }
        catch (Exception e) when (RedisLink.IsOutage(e))
        {
            _publishFailures.Add(1);
            _logger.LogDebug(e, "A live event stayed on this node.");
        }
    }

    /// <summary>
    /// Listens now, or, while Redis is away (a node may start before it), as soon as it is back: a node must come up
    /// and serve its own clients without Redis rather than fail and restart in a loop.
    /// </summary>
    public void Subscribe(string topic, Func<string, Task> handler)
    {
        try
        {
            Listen(topic, handler);
        }
        catch (Exception e) when (RedisLink.IsOutage(e))
        {
            _logger.LogWarning("Redis is away: this node hears the others' live events on {Topic} once it is back.", topic);
            lock (_waitingLock)
            {
                _waiting.Add((topic, handler));
            }
        }
    }

    public void Dispose() => _retry.Dispose();

    private void ListenToWaitingTopics()
    {
        List<(string Topic, Func<string, Task> Handler)> waiting;
        lock (_waitingLock)
        {
            if (_waiting.Count == 0 || !_redis.IsConnected)
            {
                return;
            }

            waiting = [.. _waiting];
            _waiting.Clear();
        }

        foreach (var (topic, handler) in waiting)
        {
            Subscribe(topic, handler);
        }
    }

    private void Listen(string topic, Func<string, Task> handler)
    {
        var ownPrefix = _redis.NodeId + "\n";
        // A message queue hands messages over one at a time, in order; a plain handler may run them concurrently.
        _redis.Subscriber.Subscribe(_redis.Channel(topic)).OnMessage(async message =>
        {
            var text = (string?)message.Message;
            if (text is null || text.StartsWith(ownPrefix, StringComparison.Ordinal))
            {
                return;
            }

            try
            {
                await handler(text[(text.IndexOf('\n', StringComparison.Ordinal) + 1)..]);
            }
#pragma warning disable CA1031 // One bad message must not stop the node from hearing the next ones.
            catch (Exception e)
#pragma warning restore CA1031
            {
                _logger.LogWarning(e, "A live event from another node could not be delivered here.");
            }
        });
    }
}
