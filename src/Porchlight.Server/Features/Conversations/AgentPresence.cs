using System.Collections.Concurrent;

namespace Porchlight.Server.Features.Conversations;

/// <summary>
/// Which agents have the app or an agent-hub connection open on this node, counted per connection so a
/// second tab closing does not take an agent offline. The widget offers live chat only while someone is here.
/// </summary>
public sealed class AgentPresence
{
    private readonly ConcurrentDictionary<(Guid WorkspaceId, Guid AgentId), int> _connections = new();

    public void Connected(Guid workspaceId, Guid agentId) =>
        _connections.AddOrUpdate((workspaceId, agentId), 1, (_, count) => count + 1);

    public void Disconnected(Guid workspaceId, Guid agentId)
    {
        var key = (workspaceId, agentId);
        if (_connections.AddOrUpdate(key, 0, (_, count) => Math.Max(0, count - 1)) == 0)
        {
            _connections.TryRemove(new KeyValuePair<(Guid, Guid), int>(key, 0));
        }
    }

    public bool IsOnline(Guid workspaceId, Guid agentId) => _connections.GetValueOrDefault((workspaceId, agentId)) > 0;

    public bool AnyOnline(Guid workspaceId) => _connections.Any(c => c.Key.WorkspaceId == workspaceId && c.Value > 0);
}
