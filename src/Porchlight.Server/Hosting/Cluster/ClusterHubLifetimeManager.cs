using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace Porchlight.Server.Hosting.Cluster;

/// <summary>
/// A hub's connections across the cluster. Each node keeps its own connections and groups (SignalR's default
/// manager); a send is delivered to this node's connections at once and then passed over the bus for the other
/// nodes to deliver to theirs. Unlike SignalR's Redis backplane, which routes even a node's own sends through
/// Redis, a node whose link to Redis is lost keeps serving its own clients.
/// </summary>
public sealed class ClusterHubLifetimeManager<THub> : HubLifetimeManager<THub>
    where THub : Hub
{
    private static readonly ClientContract Contract = ClientContract.OfHub(typeof(THub));
    private static readonly string Topic = "hub:" + typeof(THub).Name;

    private readonly DefaultHubLifetimeManager<THub> _local;
    private readonly HubConnectionStore _connections = new();
    private readonly IClusterBus _bus;
    private readonly JsonSerializerOptions _json;

    public ClusterHubLifetimeManager(ILogger<DefaultHubLifetimeManager<THub>> localLogger, IClusterBus bus, IOptions<JsonHubProtocolOptions> json)
    {
        _local = new DefaultHubLifetimeManager<THub>(localLogger);
        _bus = bus;
        _json = json.Value.PayloadSerializerOptions;
        bus.Subscribe(Topic, DeliverFromAnotherNodeAsync);
        bus.Rejoined += (_, _) => CloseLocalConnections();
    }

    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        _connections.Add(connection);
        return _local.OnConnectedAsync(connection);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        _connections.Remove(connection);
        return _local.OnDisconnectedAsync(connection);
    }

    // Hubs add their own connection to a group as it connects, so groups never need to reach another node.
    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        _local.AddToGroupAsync(connectionId, groupName, cancellationToken);

    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        _local.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);

    public override async Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        await _local.SendAllAsync(methodName, args, cancellationToken);
        await ShareAsync(Audience.All, [], [], methodName, args);
    }

    public override async Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default)
    {
        await _local.SendAllExceptAsync(methodName, args, excludedConnectionIds, cancellationToken);
        await ShareAsync(Audience.All, [], excludedConnectionIds, methodName, args);
    }

    public override async Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        await _local.SendConnectionAsync(connectionId, methodName, args, cancellationToken);
        await ShareAsync(Audience.Connections, [connectionId], [], methodName, args);
    }

    public override async Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        await _local.SendConnectionsAsync(connectionIds, methodName, args, cancellationToken);
        await ShareAsync(Audience.Connections, connectionIds, [], methodName, args);
    }

    public override async Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        await _local.SendGroupAsync(groupName, methodName, args, cancellationToken);
        await ShareAsync(Audience.Groups, [groupName], [], methodName, args);
    }

    public override async Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        await _local.SendGroupsAsync(groupNames, methodName, args, cancellationToken);
        await ShareAsync(Audience.Groups, groupNames, [], methodName, args);
    }

    public override async Task SendGroupExceptAsync(
        string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default)
    {
        await _local.SendGroupExceptAsync(groupName, methodName, args, excludedConnectionIds, cancellationToken);
        await ShareAsync(Audience.Groups, [groupName], excludedConnectionIds, methodName, args);
    }

    public override async Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        await _local.SendUserAsync(userId, methodName, args, cancellationToken);
        await ShareAsync(Audience.Users, [userId], [], methodName, args);
    }

    public override async Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        await _local.SendUsersAsync(userIds, methodName, args, cancellationToken);
        await ShareAsync(Audience.Users, userIds, [], methodName, args);
    }

    // Results from clients (InvokeAsync on a client) are not used by Porchlight's hubs; they stay on the node.
    public override Task<T> InvokeConnectionAsync<T>(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken) =>
        _local.InvokeConnectionAsync<T>(connectionId, methodName, args, cancellationToken);

    public override Task SetConnectionResultAsync(string connectionId, CompletionMessage result) => _local.SetConnectionResultAsync(connectionId, result);

    public override bool TryGetReturnType(string invocationId, out Type type) => _local.TryGetReturnType(invocationId, out type!);

    /// <summary>
    /// After the link to the other nodes was lost, this node's clients may have missed their events: closing their
    /// connections makes them reconnect and ask for everything after the last sequence they saw, the same path as
    /// a dropped network, so no event needs keeping while Redis is away.
    /// </summary>
    private void CloseLocalConnections()
    {
        foreach (var connection in _connections)
        {
            connection.Abort();
        }
    }

    private Task ShareAsync(Audience audience, IReadOnlyList<string> targets, IReadOnlyList<string> excluded, string method, object?[] args) =>
        !_bus.IsShared ? Task.CompletedTask : _bus.PublishAsync(Topic, JsonSerializer.Serialize(
            new SharedSend(audience, targets, excluded, new ClientCall(method, ClientContract.Write(args, _json)))));

    private Task DeliverFromAnotherNodeAsync(string payload)
    {
        var shared = JsonSerializer.Deserialize<SharedSend>(payload) ?? throw new JsonException("An empty live event.");
        var args = Contract.Read(shared.Call, _json);
        var method = shared.Call.Method;
        return shared.Audience switch
        {
            Audience.All when shared.Excluded.Count > 0 => _local.SendAllExceptAsync(method, args, shared.Excluded),
            Audience.All => _local.SendAllAsync(method, args),
            Audience.Connections => _local.SendConnectionsAsync(shared.Targets, method, args),
            Audience.Groups when shared.Excluded.Count > 0 => _local.SendGroupExceptAsync(shared.Targets[0], method, args, shared.Excluded),
            Audience.Groups => _local.SendGroupsAsync(shared.Targets, method, args),
            Audience.Users => _local.SendUsersAsync(shared.Targets, method, args),
            _ => throw new JsonException($"Unknown audience {shared.Audience}."),
        };
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
