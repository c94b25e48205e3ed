using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace Porchlight.Server.Hosting.Cluster;

/// <summary>
/// A hub's connections across the cluster (a single node is a cluster of one). Each node keeps its own connections,
/// groups and users; a send is handed to this node's connections at once and then passed over the bus for the other
/// nodes to hand to theirs. Unlike SignalR's Redis backplane, which routes even a node's own sends through Redis, a
/// node whose link to Redis is lost keeps serving its own clients. Each connection is written through its own
/// <see cref="ConnectionSender"/>, so a slow client never holds up a send to the others.
/// </summary>
public sealed class ClusterHubLifetimeManager<THub> : HubLifetimeManager<THub>
    where THub : Hub
{
    /// <summary>Messages that may wait for one connection that cannot keep up before it is closed.</summary>
    public const string QueueSetting = "Limits:HubSendQueue";

    private static readonly ClientContract Contract = ClientContract.OfHub(typeof(THub));
    private static readonly string Topic = "hub:" + typeof(THub).Name;

    private readonly ConcurrentDictionary<string, ConnectionSender> _connections = new();
    // Members by group name and by user id. Changed only under the lock, so a set left empty is removed safely;
    // sends read them without it.
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, ConnectionSender>> _groups = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, ConnectionSender>> _users = new();
    private readonly Lock _membership = new();
    private readonly int _queue;
    private readonly IClusterBus _bus;
    private readonly JsonSerializerOptions _json;
    private readonly Counter<long> _slowClosed;
    private readonly ILogger _logger;

    public ClusterHubLifetimeManager(
        IClusterBus bus, IOptions<JsonHubProtocolOptions> json, IConfiguration configuration, IMeterFactory meters, ILogger<ClusterHubLifetimeManager<THub>> logger)
    {
        _bus = bus;
        _json = json.Value.PayloadSerializerOptions;
        _queue = configuration.GetValue(QueueSetting, 1000);
        _slowClosed = meters.Create(PorchlightMetrics.MeterName).CreateCounter<long>(
            "porchlight.hub.slow_connections_closed", description: "Hub connections closed because they fell too far behind what was sent to them.");
        _logger = logger;
        bus.Subscribe(Topic, DeliverFromAnotherNodeAsync);
        bus.Rejoined += (_, _) => CloseLocalConnections();
    }

    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        var sender = new ConnectionSender(connection, _queue, Overflowed);
        _connections[connection.ConnectionId] = sender;
        if (connection.UserIdentifier is { } user)
        {
            lock (_membership)
            {
                Join(_users, user, sender);
            }
        }

        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        if (_connections.TryRemove(connection.ConnectionId, out var sender))
        {
            lock (_membership)
            {
                foreach (var group in sender.Groups)
                {
                    Leave(_groups, group, connection.ConnectionId);
                }

                if (connection.UserIdentifier is { } user)
                {
                    Leave(_users, user, connection.ConnectionId);
                }
            }
        }

        return Task.CompletedTask;
    }

    // Hubs add their own connection to a group as it connects, so groups never need to reach another node.
    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        if (_connections.TryGetValue(connectionId, out var sender))
        {
            lock (_membership)
            {
                if (sender.Groups.Add(groupName))
                {
                    Join(_groups, groupName, sender);
                }
            }
        }

        return Task.CompletedTask;
    }

    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        if (_connections.TryGetValue(connectionId, out var sender))
        {
            lock (_membership)
            {
                if (sender.Groups.Remove(groupName))
                {
                    Leave(_groups, groupName, connectionId);
                }
            }
        }

        return Task.CompletedTask;
    }

    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(Audience.All, [], [], methodName, args);

    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        SendAsync(Audience.All, [], excludedConnectionIds, methodName, args);

    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(Audience.Connections, [connectionId], [], methodName, args);

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(Audience.Connections, connectionIds, [], methodName, args);

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(Audience.Groups, [groupName], [], methodName, args);

    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(Audience.Groups, groupNames, [], methodName, args);

    public override Task SendGroupExceptAsync(
        string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        SendAsync(Audience.Groups, [groupName], excludedConnectionIds, methodName, args);

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(Audience.Users, [userId], [], methodName, args);

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(Audience.Users, userIds, [], methodName, args);

    // Porchlight's hubs never ask a client for a result.
    public override Task<T> InvokeConnectionAsync<T>(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Porchlight's hubs do not ask clients for results.");

    public override Task SetConnectionResultAsync(string connectionId, CompletionMessage result) => Task.CompletedTask;

    public override bool TryGetReturnType(string invocationId, [NotNullWhen(true)] out Type? type)
    {
        type = null;
        return false;
    }

    private Task SendAsync(Audience audience, IReadOnlyList<string> targets, IReadOnlyList<string> excluded, string method, object?[] args)
    {
        Deliver(audience, targets, excluded, method, args);
        return !_bus.IsShared ? Task.CompletedTask : _bus.PublishAsync(Topic, JsonSerializer.Serialize(
            new SharedSend(audience, targets, excluded, new ClientCall(method, ClientContract.Write(args, _json)))));
    }

    /// <summary>Hands a send to this node's connections in the audience, each once; none of them is waited for.</summary>
    private void Deliver(Audience audience, IReadOnlyList<string> targets, IReadOnlyList<string> excluded, string method, object?[] args)
    {
        var recipients = audience switch
        {
            Audience.All => _connections.Values,
            Audience.Connections => targets.Select(id => _connections.GetValueOrDefault(id)).OfType<ConnectionSender>(),
            Audience.Groups => Members(_groups, targets),
            Audience.Users => Members(_users, targets),
            _ => throw new JsonException($"Unknown audience {audience}."),
        };
        // Serialised once per protocol, however many connections receive it.
        var message = new SerializedHubMessage(new InvocationMessage(method, args));
        foreach (var recipient in recipients)
        {
            if (excluded.Count == 0 || !excluded.Contains(recipient.Connection.ConnectionId))
            {
                recipient.Send(message);
            }
        }
    }

    private static IEnumerable<ConnectionSender> Members(ConcurrentDictionary<string, ConcurrentDictionary<string, ConnectionSender>> sets, IReadOnlyList<string> names)
    {
        var members = names.Select(name => sets.GetValueOrDefault(name)).OfType<ConcurrentDictionary<string, ConnectionSender>>().SelectMany(set => set.Values);
        return names.Count == 1 ? members : members.Distinct();
    }

    private static void Join(ConcurrentDictionary<string, ConcurrentDictionary<string, ConnectionSender>> sets, string name, ConnectionSender sender) =>
        sets.GetOrAdd(name, _ => new())[sender.Connection.ConnectionId] = sender;

    private static void Leave(ConcurrentDictionary<string, ConcurrentDictionary<string, ConnectionSender>> sets, string name, string connectionId)
    {
        if (sets.TryGetValue(name, out var set) && set.TryRemove(connectionId, out _) && set.IsEmpty)
        {
            sets.TryRemove(name, out _);
        }
    }

    private void Overflowed(HubConnectionContext connection)
    {
        _slowClosed.Add(1);
        _logger.LogWarning("Closed hub connection {ConnectionId}: it fell {Queue} messages behind what was sent to it.", connection.ConnectionId, _queue);
        _ = CloseToReconnectAsync(connection, "Fell behind: reconnect and read what came after the last sequence you saw.");
    }

    /// <summary>
    /// After the link to the other nodes was lost, this node's clients may have missed their events: closing their
    /// connections makes them reconnect and ask for everything after the last sequence they saw, the same path as
    /// a dropped network, so no event needs keeping while Redis is away.
    /// </summary>
    private void CloseLocalConnections()
    {
        foreach (var sender in _connections.Values)
        {
            _ = CloseToReconnectAsync(sender.Connection, "The nodes were apart: reconnect and read what came after the last sequence you saw.");
        }
    }

    /// <summary>
    /// Closes a connection whose client should come back. SignalR's clients with automatic reconnection reconnect
    /// after a close message only when it allows them to, and the one SignalR sends for an aborted connection does
    /// not; so this one is written first. A connection that cannot take even that within a second is aborted all the
    /// same, and its client sees a dropped link, after which it reconnects too.
    /// </summary>
    private static async Task CloseToReconnectAsync(HubConnectionContext connection, string reason)
    {
        try
        {
            await connection.WriteAsync(new CloseMessage(reason, allowReconnect: true)).AsTask().WaitAsync(TimeSpan.FromSeconds(1));
        }
        catch (TimeoutException)
        {
            // Too far behind to take it; the abort below drops the link.
        }
        finally
        {
            connection.Abort();
        }
    }

    private Task DeliverFromAnotherNodeAsync(string payload)
    {
        var shared = JsonSerializer.Deserialize<SharedSend>(payload) ?? throw new JsonException("An empty live event.");
        Deliver(shared.Audience, shared.Targets, shared.Excluded, shared.Call.Method, Contract.Read(shared.Call, _json));
        return Task.CompletedTask;
    }

    public enum Audience
    {
        All,
        Connections,
        Groups,
        Users,
    }

    public sealed record SharedSend(Audience Audience, IReadOnlyList<string> Targets, IReadOnlyList<string> Excluded, ClientCall Call);
}
