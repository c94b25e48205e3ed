using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Infrastructure;
using Porchlight.Testing;

namespace Porchlight.Server.Tests.Hosting.Cluster;

/// <summary>
/// Several nodes behind a load balancer, sharing PostgreSQL and Redis: what a client of one node does reaches the
/// clients of every other node live, and who is online is the same answer on every node.
/// </summary>
public sealed class ClusterTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task Chat_VisitorOnOneNodeAgentOnAnother_BothSeeEachOthersMessagesLive()
    {
        using var ownerOnB = cluster.Owner(cluster.NodeB);
        var (_, publicToken) = await ChatSetup.CreateWidgetInboxAsync(ownerOnB, "Cluster chat");
        await using var agentOnB = await HubRecorder.AgentAsync(cluster.NodeB.BaseAddress, cluster.OwnerToken);
        using var visitorOnA = await StartVisitorAsync(cluster.NodeA, publicToken);
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
    public async Task Presence_AgentConnectedToOneNode_IsOnlineOnEveryNodeAndOfflineSoonAfterItsNodeDies()
    {
        var nodeC = await cluster.StartNodeAsync();
        using var ownerOnA = cluster.Owner(cluster.NodeA);
        var ownerId = (await ownerOnA.GetJsonAsync("/api/v1/me")).IdOf();
        Assert.Equal("Offline", await PresenceAsync(ownerOnA, ownerId));

        var agentOnC = await HubRecorder.AgentAsync(nodeC.BaseAddress, cluster.OwnerToken);
        Assert.Equal("Online", await PresenceAsync(ownerOnA, ownerId));
        using var ownerOnB = cluster.Owner(cluster.NodeB);
        Assert.Equal("Online", await PresenceAsync(ownerOnB, ownerId));

        // Killed, the node cannot say its agent left; its entries stop counting three heartbeats (3 s here) later.
        await nodeC.KillAsync();
        await Eventually.ValueAsync(() => PresenceAsync(ownerOnA, ownerId), p => p == "Offline", "the agent of the dead node goes offline");
        await agentOnC.DisposeAsync();
    }

    private static async Task<string?> PresenceAsync(HttpClient owner, Guid agentId) =>
        (await owner.GetJsonAsync($"/api/v1/agents/{agentId}")).Text("presence");

    private static async Task<TestVisitor> StartVisitorAsync(ServerProcess node, string inboxToken)
    {
        var http = new HttpClient { BaseAddress = node.BaseAddress };
        using var response = await http.PostAsJsonAsync("/widget/v1/sessions", new { inboxToken }, TestContext.Current.CancellationToken);
        var session = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", session.Text("visitorToken"));
        return new TestVisitor(http, session.Text("visitorToken")!, session.GetProperty("visitorId").GetGuid());
    }
}
