using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Infrastructure;
using Porchlight.Testing;

namespace Porchlight.Server.Tests.Hosting.Cluster;

/// <summary>
/// Several nodes behind a load balancer, sharing PostgreSQL and Redis: what a client of one node does reaches the
/// clients of every other node live, and who is online is the same answer on every node.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(ClusterFixture cluster)
{
    private const string RedisConnected = "porchlight_cluster_redis_connected";

    [Fact]
    public async Task Chat_VisitorOnOneNodeAgentOnAnother_BothSeeEachOthersMessagesLive()
    {
        using var ownerOnB = cluster.Owner(cluster.NodeB);
        var (_, publicToken) = await ChatSetup.CreateWidgetInboxAsync(ownerOnB, "Cluster chat");
        await using var agentOnB = await HubRecorder.AgentAsync(cluster.NodeB.BaseAddress, cluster.OwnerToken);
        using var visitorOnA = await TestVisitor.StartAsync(cluster.NodeA.BaseAddress, publicToken);
        await using var visitorHubOnA = await HubRecorder.VisitorAsync(cluster.NodeA.BaseAddress, visitorOnA.Token);

        var (conversationId, _) = await visitorOnA.StartConversationAsync("Hello from node A");
        await agentOnB.WaitForAsync("MessageCreated", m => m.Text("text") == "Hello from node A", "the agent on node B hears the visitor on node A");

        var reply = await ownerOnB.PostJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { text = "Hello from node B" })
            .ExpectAsync(HttpStatusCode.Created);
        var heard = await visitorHubOnA.WaitForAsync("MessageCreated", m => m.Text("text") == "Hello from node B", "the visitor on node A hears the agent on node B");
        Assert.Equal(reply.GetProperty("sequence").GetInt64(), heard.GetProperty("sequence").GetInt64());

        // Exactly once each: the node that wrote a message does not hear it back from the other node as well.
        await agentOnB.DrainAsync();
        await visitorHubOnA.DrainAsync();
        Assert.Single(agentOnB.All("MessageCreated"), m => m.Text("text") == "Hello from node A");
        Assert.Single(visitorHubOnA.All("MessageCreated"), m => m.Text("text") == "Hello from node B");
    }

    [Fact]
    public async Task Presence_AgentConnectedToOneNode_IsOnlineOnEveryNodeAndAnnouncedOfflineSoonAfterItsNodeDies()
    {
        var nodeC = await cluster.StartNodeAsync();
        using var ownerOnA = cluster.Owner(cluster.NodeA);
        var ownerId = (await ownerOnA.GetJsonAsync("/api/v1/me")).IdOf();
        Assert.Equal("Offline", await PresenceAsync(ownerOnA, ownerId));

        var agentOnC = await HubRecorder.AgentAsync(nodeC.BaseAddress, cluster.OwnerToken);
        Assert.Equal("Online", await PresenceAsync(ownerOnA, ownerId));
        using var ownerOnB = cluster.Owner(cluster.NodeB);
        Assert.Equal("Online", await PresenceAsync(ownerOnB, ownerId));

        // Killed, the node cannot say its agent left; its entries stop counting three heartbeats (3 s here) later, and
        // a living node announces the departure: the status log's period ends then, not minutes later when the log
        // would notice by itself.
        await nodeC.KillAsync();
        await Eventually.ValueAsync(() => PresenceAsync(ownerOnA, ownerId), p => p == "Offline", "the agent of the dead node goes offline");
        await Eventually.WaitUntilAsync(async () =>
        {
            await using var db = cluster.NewDbContext();
            return !await db.AgentStatusPeriods.IgnoreQueryFilters().AnyAsync(p => p.AgentId == ownerId && p.EndedAt == null, TestContext.Current.CancellationToken);
        }, "the agent's status period ends when the departure is announced", TimeSpan.FromSeconds(15));
        await agentOnC.DisposeAsync();
    }

    [Fact]
    public async Task NodeKilled_WhileVisitorsOnItChatWithAnAgentOnAnother_EveryAcknowledgedMessageReachesTheAgentOnceInOrder()
    {
        var nodeC = await cluster.StartNodeAsync();
        using var ownerOnB = cluster.Owner(cluster.NodeB);
        var (_, publicToken) = await ChatSetup.CreateWidgetInboxAsync(ownerOnB, "Failover chat");
        await using var agentOnB = await HubRecorder.AgentAsync(cluster.NodeB.BaseAddress, cluster.OwnerToken);
        var conversations = new List<(HttpClient Visitor, Guid ConversationId)>();
        for (var i = 0; i < 4; i++)
        {
            var visitor = await TestVisitor.StartAsync(nodeC.BaseAddress, publicToken);
            conversations.Add((visitor.Http, (await visitor.StartConversationAsync("start")).ConversationId));
        }

        var acknowledged = new ConcurrentDictionary<string, (Guid ConversationId, long Sequence)>();
        var unanswered = new ConcurrentDictionary<string, (HttpClient Visitor, Guid ConversationId)>();
        using var streaming = new CancellationTokenSource();
        var streams = conversations.Select(c => CrashTests.StreamAsync(c.Visitor, c.ConversationId, acknowledged, unanswered, streaming.Token)).ToList();
        await Eventually.WaitUntilAsync(() => acknowledged.Count >= 200, "visitors on node C have chatted a while");
        await nodeC.KillAsync();
        await streaming.CancelAsync();
        await Task.WhenAll(streams);

        // The load balancer sends the same browsers to node A; each resends what it never saw acknowledged.
        var movedToA = conversations.ToDictionary(c => c.Visitor, c => new HttpClient { BaseAddress = cluster.NodeA.BaseAddress });
        foreach (var (before, after) in movedToA)
        {
            after.DefaultRequestHeaders.Authorization = before.DefaultRequestHeaders.Authorization;
        }

        foreach (var (clientId, (sender, conversationId)) in unanswered)
        {
            using var resent = await movedToA[sender].PostAsJsonAsync(
                $"/widget/v1/conversations/{conversationId}/messages", new { clientId, text = clientId }, TestContext.Current.CancellationToken);
            Assert.True(resent.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"The resend answered {resent.StatusCode}");
        }

        await agentOnB.DrainAsync();
        using var ownerOnA = cluster.Owner(cluster.NodeA);
        var heardLive = 0;
        foreach (var (visitor, conversationId) in conversations)
        {
            var stored = await CrashTests.ReadAllAsync(movedToA[visitor], conversationId);
            Assert.Equal(Enumerable.Range(1, stored.Count).Select(i => (long)i), stored.Select(m => m.Sequence));
            Assert.Equal(stored.Count, stored.Select(m => m.ClientId).Distinct().Count());
            Assert.All(acknowledged.Where(a => a.Value.ConversationId == conversationId), a => Assert.Contains((a.Key, a.Value.Sequence), stored));
            Assert.All(unanswered.Where(u => u.Value.ConversationId == conversationId), u => Assert.Contains(stored, m => m.ClientId == u.Key));

            // The agent's app shows what it heard live up to its first gap, then reads the rest from there, as after a
            // reconnection: together, every stored message once and in order.
            var live = agentOnB.All("MessageCreated").Where(m => m.GetProperty("conversationId").GetGuid() == conversationId)
                .Select(m => m.GetProperty("sequence").GetInt64()).ToList();
            Assert.Equal(live.Count, live.Distinct().Count());
            heardLive += live.Count;
            var seenInOrder = 0L;
            while (live.Contains(seenInOrder + 1))
            {
                seenInOrder++;
            }

            var caughtUp = await ReadAfterAsync(ownerOnA, conversationId, seenInOrder);
            Assert.Equal(stored.Select(m => m.Sequence), Enumerable.Range(1, (int)seenInOrder).Select(i => (long)i).Concat(caughtUp));
        }

        Assert.True(heardLive >= acknowledged.Count, $"The agent on node B heard {heardLive} messages live of {acknowledged.Count} acknowledged.");
        foreach (var client in movedToA.Keys.Concat(movedToA.Values))
        {
            client.Dispose();
        }
    }

    [Fact]
    public async Task Redis_AwayForAWhile_EachNodeKeepsServingItsClientsAndTheOthersCatchUpWhenItReturns()
    {
        using var ownerOnA = cluster.Owner(cluster.NodeA);
        var (_, publicToken) = await ChatSetup.CreateWidgetInboxAsync(ownerOnA, "Outage chat");
        await using var agentOnA = await HubRecorder.AgentAsync(cluster.NodeA.BaseAddress, cluster.OwnerToken);
        // An API client with SignalR's automatic reconnection, on the node that misses node A's events.
        await using var agentOnB = await HubRecorder.AgentAsync(cluster.NodeB.BaseAddress, cluster.OwnerToken, reconnect: true);
        using var visitorOnA = await TestVisitor.StartAsync(cluster.NodeA.BaseAddress, publicToken);
        await using var visitorHubOnA = await HubRecorder.VisitorAsync(cluster.NodeA.BaseAddress, visitorOnA.Token);
        var (conversationId, _) = await visitorOnA.StartConversationAsync("Before the outage");
        await agentOnB.WaitForAsync("MessageCreated", m => m.Text("text") == "Before the outage", "node B hears node A before the outage");
        var reconnectedOnB = new TaskCompletionSource();
        agentOnB.Connection.Reconnected += _ =>
        {
            reconnectedOnB.TrySetResult();
            return Task.CompletedTask;
        };

        await cluster.Redis.KillAsync();
        try
        {
            await Eventually.WaitUntilAsync(async () => await cluster.NodeA.MetricAsync(RedisConnected, TestContext.Current.CancellationToken) == "0", "node A reports Redis away on /metrics");
            for (var i = 1; i <= 3; i++)
            {
                (await visitorOnA.SendAsync(conversationId, $"During the outage {i}")).EnsureSuccessStatusCode();
                await agentOnA.WaitForAsync("MessageCreated", m => m.Text("text") == $"During the outage {i}", "the agent on the same node hears it live");
            }

            await ownerOnA.PostJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { text = "Answered during the outage" })
                .ExpectAsync(HttpStatusCode.Created);
            await visitorHubOnA.WaitForAsync("MessageCreated", m => m.Text("text") == "Answered during the outage", "the visitor on the same node hears it live");
            using var readiness = new HttpClient { BaseAddress = cluster.NodeB.BaseAddress };
            Assert.Equal(HttpStatusCode.OK, (await readiness.GetAsync("/health/ready", TestContext.Current.CancellationToken)).StatusCode);
        }
        finally
        {
            await cluster.Redis.StartAgainAsync();
        }

        // Back: node B closes its connections saying they may come back, so its clients reconnect by themselves and
        // read what they missed after their last sequence.
        await reconnectedOnB.Task.WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
        await agentOnB.DrainAsync();
        var lastSeen = agentOnB.All("MessageCreated").Max(m => m.GetProperty("sequence").GetInt64());
        using var ownerOnB = cluster.Owner(cluster.NodeB);
        var missed = await ownerOnB.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages?after={lastSeen}");
        Assert.Equal(
            ["During the outage 1", "During the outage 2", "During the outage 3", "Answered during the outage"],
            missed.EnumerateArray().Where(m => m.Text("kind") is "Incoming" or "Outgoing").Select(m => m.Text("text")));
        await Eventually.WaitUntilAsync(async () => await cluster.NodeA.MetricAsync(RedisConnected, TestContext.Current.CancellationToken) == "1", "node A reports Redis back on /metrics");

        (await visitorOnA.SendAsync(conversationId, "After the outage")).EnsureSuccessStatusCode();
        await agentOnB.WaitForAsync("MessageCreated", m => m.Text("text") == "After the outage", "node B's client hears node A live again");
    }

    [Fact]
    public async Task Node_StartedWhileRedisIsAway_ServesAndJoinsTheOthersWhenRedisIsBack()
    {
        // Node A closes its connections when Redis is back (its clients catch up by reconnecting): this one tells when.
        var beforeOnA = await HubRecorder.AgentAsync(cluster.NodeA.BaseAddress, cluster.OwnerToken);
        var rejoinedOnA = new TaskCompletionSource();
        beforeOnA.Connection.Closed += _ =>
        {
            rejoinedOnA.TrySetResult();
            return Task.CompletedTask;
        };

        await cluster.Redis.KillAsync();
        ServerProcess nodeC;
        try
        {
            nodeC = await cluster.StartNodeAsync(); // ready means /health/ready answered 200
        }
        finally
        {
            await cluster.Redis.StartAgainAsync();
        }

        await rejoinedOnA.Task.WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
        await beforeOnA.DisposeAsync();
        using var ownerOnC = cluster.Owner(nodeC);
        var (_, publicToken) = await ChatSetup.CreateWidgetInboxAsync(ownerOnC, "Late Redis");
        await Eventually.WaitUntilAsync(async () => await nodeC.MetricAsync(RedisConnected, TestContext.Current.CancellationToken) == "1", "node C reaches Redis once it is back");
        await using var agentOnA = await HubRecorder.AgentAsync(cluster.NodeA.BaseAddress, cluster.OwnerToken);
        await using var agentOnC = await HubRecorder.AgentAsync(nodeC.BaseAddress, cluster.OwnerToken);
        using var visitorOnC = await TestVisitor.StartAsync(nodeC.BaseAddress, publicToken);
        var (conversationId, _) = await visitorOnC.StartConversationAsync("Hello from the late node");
        await agentOnA.WaitForAsync("MessageCreated", m => m.Text("text") == "Hello from the late node", "node A hears node C");

        // And node C, which started without Redis, hears the others.
        using var ownerOnA = cluster.Owner(cluster.NodeA);
        await ownerOnA.PostJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { text = "Hello from node A" }).ExpectAsync(HttpStatusCode.Created);
        await agentOnC.WaitForAsync("MessageCreated", m => m.Text("text") == "Hello from node A", "node C hears node A");
    }

    [Fact]
    public async Task Postgres_Restarting_RequestsAnswer503AtOnceAndSucceedAgainOnTheirOwn()
    {
        using var ownerOnA = cluster.Owner(cluster.NodeA);
        var (_, publicToken) = await ChatSetup.CreateWidgetInboxAsync(ownerOnA, "Database restart");
        using var visitor = await TestVisitor.StartAsync(cluster.NodeA.BaseAddress, publicToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Before the restart");
        // A request that waited for the database instead of failing fast would fail the test here.
        using var impatient = new HttpClient { BaseAddress = cluster.NodeA.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        impatient.DefaultRequestHeaders.Authorization = visitor.Http.DefaultRequestHeaders.Authorization;
        var clientId = TestVisitor.NewClientId();

        await cluster.Postgres.StopAsync();
        try
        {
            using var refused = await impatient.PostAsJsonAsync(
                $"/widget/v1/conversations/{conversationId}/messages", new { clientId, text = "During the restart" }, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
            Assert.Equal("Temporarily unavailable", (await refused.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).Text("title"));
            using var readiness = await impatient.GetAsync("/health/ready", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness.StatusCode);
        }
        finally
        {
            await cluster.Postgres.StartAgainAsync();
        }

        // Back without a restart of the node; the browser's resend of the refused message is stored once.
        await Eventually.WaitUntilAsync(async () =>
        {
            using var resent = await visitor.SendAsync(conversationId, "During the restart", clientId);
            return resent.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK;
        }, "the node writes again once the database is back");
        Assert.Equal(
            ["Before the restart", "During the restart"],
            (await visitor.MessagesAsync(conversationId)).Where(m => m.Text("kind") == "incoming").Select(m => m.Text("text")));
    }

    [Fact]
    public async Task Backup_DumpOfTheDatabase_RestoresIntoANewDatabaseThatANodeServes()
    {
        using var ownerOnA = cluster.Owner(cluster.NodeA);
        var (_, publicToken) = await ChatSetup.CreateWidgetInboxAsync(ownerOnA, "Backed up");
        using var visitor = await TestVisitor.StartAsync(cluster.NodeA.BaseAddress, publicToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Keep this safe");
        await ownerOnA.PostJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { text = "Kept" }).ExpectAsync(HttpStatusCode.Created);

        var dump = await cluster.Postgres.DumpAsync("porchlight");
        var restoredDatabase = "restored_" + Guid.NewGuid().ToString("N")[..8];
        await cluster.Postgres.RestoreAsync(dump, restoredDatabase);
        var restored = await cluster.StartNodeAsync(restoredDatabase);

        // The same token signs in, and the conversation is there whole, on a node that knows only the restored copy.
        using var owner = cluster.Owner(restored);
        var thread = await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages");
        Assert.Equal(["Keep this safe", "Kept"], thread.EnumerateArray().Where(m => m.Text("kind") is "Incoming" or "Outgoing").Select(m => m.Text("text")));
        using var visitorOnRestored = new HttpClient { BaseAddress = restored.BaseAddress };
        visitorOnRestored.DefaultRequestHeaders.Authorization = visitor.Http.DefaultRequestHeaders.Authorization;
        using var resumed = await visitorOnRestored.PostAsJsonAsync(
            $"/widget/v1/conversations/{conversationId}/messages", new { clientId = TestVisitor.NewClientId(), text = "Still here" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, resumed.StatusCode);
    }

    // The value of porchlight_cluster_redis_connected on the node's Prometheus endpoint.
    private static async Task<IEnumerable<long>> ReadAfterAsync(HttpClient owner, Guid conversationId, long after)
    {
        var sequences = new List<long>();
        while (true)
        {
            var page = (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages?after={after}&limit=100")).EnumerateArray()
                .Select(m => m.GetProperty("sequence").GetInt64()).ToList();
            if (page.Count == 0)
            {
                return sequences;
            }

            sequences.AddRange(page);
            after = page[^1];
        }
    }

    private static async Task<string?> PresenceAsync(HttpClient owner, Guid agentId) =>
        (await owner.GetJsonAsync($"/api/v1/agents/{agentId}")).Text("presence");
}
