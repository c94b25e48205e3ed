using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Porchlight.Server.Features.Agents;
using StackExchange.Redis;

namespace Porchlight.Server.Hosting.Cluster;

/// <summary>
/// Presence across the cluster. Each node counts its own connections per agent, which stays the truth for that
/// node, and keeps a copy of those counts in Redis under its name; readers add up the copies of the nodes that are
/// alive (a node says so every heartbeat, and drops out three heartbeats after it died or lost Redis), so a node
/// that was killed takes its agents offline with it. The heartbeat rewrites the node's whole copy, so whatever a
/// failed write or a Redis restart lost is repaired within one interval. While Redis is away, answers come from this
/// node's own counts.
/// </summary>
public sealed class SharedPresenceStore(RedisLink redis, IOptions<ClusterOptions> options, ILogger<SharedPresenceStore> logger) : IPresenceStore
{
    // Shared by the scripts: an agent's total over the nodes that are alive, forgetting the counts of dead nodes.
    private const string LiveTotal = """
        local function now_ms()
          local t = redis.call('TIME')
          return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        end
        local function live_total(key, nodes, now)
          local fields = redis.call('HGETALL', key)
          local total = 0
          for i = 1, #fields, 2 do
            local expiry = redis.call('ZSCORE', nodes, fields[i])
            if expiry and tonumber(expiry) >= now then
              total = total + tonumber(fields[i + 1])
            else
              redis.call('HDEL', key, fields[i])
            end
          end
          return total
        end
        """ + "\n";

    // KEYS: agent's counts, workspace's agents, nodes, workspace's last activity, node's agents. ARGV: node, count, agent,
    // lifetime (ms), the agent as a member of the node's agents.
    private const string SetCountScript = LiveTotal + """
        local now = now_ms()
        redis.call('ZADD', KEYS[3], now + tonumber(ARGV[4]), ARGV[1])
        if tonumber(ARGV[2]) > 0 then
          redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
          redis.call('SADD', KEYS[2], ARGV[3])
          redis.call('SADD', KEYS[5], ARGV[5])
        else
          redis.call('HDEL', KEYS[1], ARGV[1])
          redis.call('SREM', KEYS[5], ARGV[5])
        end
        local total = live_total(KEYS[1], KEYS[3], now)
        if total == 0 then redis.call('HDEL', KEYS[4], ARGV[3]) end
        return total
        """;

    // KEYS: agent's counts, nodes.
    private const string TotalScript = LiveTotal + "return live_total(KEYS[1], KEYS[2], now_ms())";

    // KEYS: workspace's agents, nodes. ARGV: the key prefix of the workspace's agents' counts. Returns the connected ones.
    private const string ConnectedScript = LiveTotal + """
        local now = now_ms()
        local connected = {}
        for _, agent in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          if live_total(ARGV[1] .. agent, KEYS[2], now) > 0 then
            table.insert(connected, agent)
          else
            redis.call('SREM', KEYS[1], agent)
          end
        end
        return connected
        """;

    // KEYS: workspace's last activity. ARGV: agent, ticks. Keeps the later of two.
    private const string MarkActiveScript = """
        local before = redis.call('HGET', KEYS[1], ARGV[1])
        if not before or tonumber(before) < tonumber(ARGV[2]) then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
        """;

    // KEYS: nodes, node's agents, then for each entry its agent's counts and its workspace's agents. ARGV: node,
    // lifetime (ms), then per entry the count, the agent and the agent as a member of the node's agents.
    private const string HeartbeatScript = LiveTotal + """
        redis.call('ZADD', KEYS[1], now_ms() + tonumber(ARGV[2]), ARGV[1])
        for i = 3, #KEYS, 2 do
          local at = 3 + (i - 3) / 2 * 3
          redis.call('HSET', KEYS[i], ARGV[1], ARGV[at])
          redis.call('SADD', KEYS[i + 1], ARGV[at + 1])
          redis.call('SADD', KEYS[2], ARGV[at + 2])
        end
        """;

    // KEYS: nodes. ARGV: the key prefix of agents' counts, the key prefix of nodes' agents. Takes each node whose
    // heartbeat ran out off the list (one caller wins each) and returns its agents that are now connected nowhere.
    private const string ForgetDeadNodesScript = LiveTotal + """
        local now = now_ms()
        local gone = {}
        for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - 1)) do
          if redis.call('ZREM', KEYS[1], node) == 1 then
            local agents = ARGV[2] .. node
            for _, member in ipairs(redis.call('SMEMBERS', agents)) do
              if live_total(ARGV[1] .. member, KEYS[1], now) == 0 then table.insert(gone, member) end
            end
            redis.call('DEL', agents)
          end
        end
        return gone
        """;

    private readonly ConcurrentDictionary<(Guid WorkspaceId, Guid AgentId), int> _local = new();
    private readonly ConcurrentDictionary<(Guid WorkspaceId, Guid AgentId), DateTime> _localActive = new();
    private readonly TimeSpan _lifetime = options.Value.HeartbeatInterval * 3;

    public async ValueTask<bool> AddConnectionAsync(Guid workspaceId, Guid agentId)
    {
        var count = _local.AddOrUpdate((workspaceId, agentId), 1, (_, before) => before + 1);
        var total = await SharedOrAsync(() => SetCountAsync(workspaceId, agentId, count), count);
        return count == 1 && total == 1;
    }

    public async ValueTask<bool> RemoveConnectionAsync(Guid workspaceId, Guid agentId)
    {
        var key = (workspaceId, agentId);
        int count;
        while (true)
        {
            if (!_local.TryGetValue(key, out var before))
            {
                return false;
            }

            count = before - 1;
            if (count > 0 ? _local.TryUpdate(key, count, before) : _local.TryRemove(KeyValuePair.Create(key, before)))
            {
                break;
            }
        }

        if (count == 0)
        {
            _localActive.TryRemove(key, out _);
        }

        return await SharedOrAsync(() => SetCountAsync(workspaceId, agentId, count), count) == 0;
    }

    public async ValueTask<bool> IsConnectedAsync(Guid workspaceId, Guid agentId) =>
        await SharedOrAsync(
            async () => (long)await redis.Database.ScriptEvaluateAsync(TotalScript, [CountsKey(workspaceId, agentId), redis.Key("nodes")]),
            _local.GetValueOrDefault((workspaceId, agentId))) > 0;

    public async ValueTask<IReadOnlyCollection<Guid>> ConnectedAgentsAsync(Guid workspaceId)
    {
        try
        {
            var agents = (RedisResult[])(await redis.Database.ScriptEvaluateAsync(
                ConnectedScript, [AgentsKey(workspaceId), redis.Key("nodes")], [$"{redis.Key($"presence:{workspaceId}")}:"]))!;
            return [.. agents.Select(a => Guid.Parse((string)a!))];
        }
        catch (Exception e) when (RedisLink.IsOutage(e))
        {
            return [.. LocallyConnected(workspaceId)];
        }
    }

    public async ValueTask MarkActiveAsync(Guid workspaceId, Guid agentId, DateTime at)
    {
        _localActive.AddOrUpdate((workspaceId, agentId), at, (_, earlier) => at > earlier ? at : earlier);
        await SharedOrAsync(async () =>
        {
            await redis.Database.ScriptEvaluateAsync(MarkActiveScript, [ActiveKey(workspaceId)], [agentId.ToString(), at.Ticks]);
            return 0L;
        }, 0L);
    }

    public async ValueTask<IReadOnlyDictionary<Guid, DateTime>> LastActiveAsync(Guid workspaceId)
    {
        var connected = (await ConnectedAgentsAsync(workspaceId)).ToList();
        try
        {
            var ticks = await redis.Database.HashGetAsync(ActiveKey(workspaceId), [.. connected.Select(a => (RedisValue)a.ToString())]);
            return connected.Select((agent, i) => (agent, ticks[i]))
                .ToDictionary(x => x.agent, x => x.Item2.HasValue ? new DateTime((long)x.Item2, DateTimeKind.Utc) : default);
        }
        catch (Exception e) when (RedisLink.IsOutage(e))
        {
            return connected.ToDictionary(agent => agent, agent => _localActive.GetValueOrDefault((workspaceId, agent)));
        }
    }

    /// <summary>Says this node is alive and rewrites its copy of its counts and its agents' last activity.</summary>
    public async Task HeartbeatAsync()
    {
        var entries = _local.ToArray();
        var keys = new List<RedisKey> { redis.Key("nodes"), NodeAgentsKey(redis.NodeId) };
        var values = new List<RedisValue> { redis.NodeId, (long)_lifetime.TotalMilliseconds };
        foreach (var ((workspaceId, agentId), count) in entries)
        {
            keys.Add(CountsKey(workspaceId, agentId));
            keys.Add(AgentsKey(workspaceId));
            values.Add(count);
            values.Add(agentId.ToString());
            values.Add(Member(workspaceId, agentId));
        }

        await redis.Database.ScriptEvaluateAsync(HeartbeatScript, [.. keys], [.. values]);
        foreach (var ((workspaceId, agentId), at) in _localActive.ToArray())
        {
            await redis.Database.ScriptEvaluateAsync(MarkActiveScript, [ActiveKey(workspaceId)], [agentId.ToString(), at.Ticks]);
        }
    }

    /// <summary>
    /// Takes the nodes that stopped saying they are alive off the list, and returns their agents who are now connected
    /// nowhere, for someone to announce: the node that held their connections cannot. Each dead node is taken by one
    /// caller only, so each departure is announced once.
    /// </summary>
    public async Task<IReadOnlyList<(Guid WorkspaceId, Guid AgentId)>> ForgetDeadNodesAsync()
    {
        var gone = (RedisResult[])(await redis.Database.ScriptEvaluateAsync(
            ForgetDeadNodesScript, [redis.Key("nodes")], [(string)redis.Key("presence:")!, (string)redis.Key("nodeagents:")!]))!;
        return [.. gone.Select(member => ((string)member!).Split(':')).Select(ids => (Guid.Parse(ids[0]), Guid.Parse(ids[1])))];
    }

    /// <summary>A node stopping on purpose (an upgrade) takes its agents' connections out at once, not after its lifetime.</summary>
    public async Task LeaveAsync()
    {
        await redis.Database.SortedSetRemoveAsync(redis.Key("nodes"), redis.NodeId);
        await redis.Database.KeyDeleteAsync(NodeAgentsKey(redis.NodeId));
    }

    private async Task<long> SetCountAsync(Guid workspaceId, Guid agentId, int count) =>
        (long)await redis.Database.ScriptEvaluateAsync(
            SetCountScript,
            [CountsKey(workspaceId, agentId), AgentsKey(workspaceId), redis.Key("nodes"), ActiveKey(workspaceId), NodeAgentsKey(redis.NodeId)],
            [redis.NodeId, count, agentId.ToString(), (long)_lifetime.TotalMilliseconds, Member(workspaceId, agentId)]);

    private async Task<long> SharedOrAsync(Func<Task<long>> shared, long local)
    {
        try
        {
            return await shared();
        }
        catch (Exception e) when (RedisLink.IsOutage(e))
        {
            logger.LogDebug(e, "Presence answered from this node's own connections: Redis is away.");
            return local;
        }
    }

    private IEnumerable<Guid> LocallyConnected(Guid workspaceId) => _local.Keys.Where(k => k.WorkspaceId == workspaceId).Select(k => k.AgentId);

    // An agent among a node's agents: the part of its counts key after "presence:".
    private static string Member(Guid workspaceId, Guid agentId) => $"{workspaceId}:{agentId}";

    private RedisKey CountsKey(Guid workspaceId, Guid agentId) => redis.Key($"presence:{Member(workspaceId, agentId)}");

    private RedisKey NodeAgentsKey(string node) => redis.Key($"nodeagents:{node}");

    private RedisKey AgentsKey(Guid workspaceId) => redis.Key($"presence:{workspaceId}");

    private RedisKey ActiveKey(Guid workspaceId) => redis.Key($"active:{workspaceId}");
}
