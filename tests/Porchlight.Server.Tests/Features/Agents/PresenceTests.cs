using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Agents;

/// <summary>
/// Teammates see each other's presence (Online, Away, Offline) live on the agent hub and in the agents list;
/// the widget offers live chat only while someone is Online.
/// </summary>
public abstract class PresenceTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    private const string Event = "PresenceChanged";

    [Fact]
    public async Task PresenceChanged_TeammateConnectsGoesAwayAndLeaves_WorkspaceHearsEachChange()
    {
        var (workspace, _) = await NewWorkspaceAsync();
        var (agentId, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var agentToken = TokenOf(agent);
        await using var owner = await ListenAsync(workspace.OwnerToken);

        var connection = await ListenAsync(agentToken);
        await owner.WaitForAsync(Event, Is(agentId, "Online"), "the teammate's first connection is announced as Online");

        await agent.PutJsonAsync("/api/v1/me/availability", new { availability = "Away" }).ExpectAsync(HttpStatusCode.OK);
        await owner.WaitForAsync(Event, Is(agentId, "Away"), "the teammate's new status is announced");

        await connection.DisposeAsync();
        await owner.WaitForAsync(Event, Is(agentId, "Offline"), "the teammate's last disconnect is announced as Offline");
        Assert.Equal(["Online", "Away", "Offline"], owner.All(Event).Where(e => AgentOf(e) == agentId).Select(e => e.Text("presence")));
    }

    [Fact]
    public async Task PresenceChanged_SecondConnectionCloses_AgentStaysOnlineUntilTheLast()
    {
        var (workspace, _) = await NewWorkspaceAsync();
        var (agentId, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var agentToken = TokenOf(agent);
        await using var owner = await ListenAsync(workspace.OwnerToken);
        var first = await ListenAsync(agentToken);
        var second = await ListenAsync(agentToken);
        await owner.WaitForAsync(Event, Is(agentId, "Online"), "the teammate comes online");

        await second.DisposeAsync();
        // Still connected through the first tab: a new status is announced, not an Offline.
        await agent.PutJsonAsync("/api/v1/me/availability", new { availability = "Away" }).ExpectAsync(HttpStatusCode.OK);
        await owner.WaitForAsync(Event, Is(agentId, "Away"), "the teammate is still here and Away");
        await first.DisposeAsync();

        await owner.WaitForAsync(Event, Is(agentId, "Offline"), "the last connection takes the teammate offline");
        Assert.Equal(["Online", "Away", "Offline"], owner.All(Event).Where(e => AgentOf(e) == agentId).Select(e => e.Text("presence")));
    }

    [Fact]
    public async Task ListAgents_ConnectedAwayAndDisconnectedAgents_ShowPresenceAndTheChosenStatus()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (agentId, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var me = await agent.PutJsonAsync("/api/v1/me/availability", new { availability = "away" }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Away", me.Text("availability"));
        Assert.Equal("Offline", me.Text("presence"));

        await using (await ListenAsync(TokenOf(agent)))
        {
            var listed = Assert.Single(await owner.ListAllAsync("/api/v1/agents"), a => a.IdOf() == agentId);
            Assert.Equal("Away", listed.Text("presence"));
            Assert.Equal("Away", listed.Text("availability"));
            Assert.Equal("Offline", Assert.Single(await owner.ListAllAsync("/api/v1/agents"), a => a.IdOf() == workspace.OwnerId).Text("presence"));
        }

        await Eventually.WaitUntilAsync(async () => await PresenceInListAsync(owner, agentId) == "Offline", "the agent's disconnect is noticed");
        // The chosen status outlives the connection: the agent is Away again when they come back.
        Assert.Equal("Away", (await owner.GetJsonAsync($"/api/v1/agents/{agentId}")).Text("availability"));
    }

    [Fact]
    public async Task WidgetConfig_OnlyAwayAgentsConnected_ReportsNoAgentAvailable()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await owner.PutJsonAsync("/api/v1/me/availability", new { availability = "Away" }).ExpectAsync(HttpStatusCode.OK);
        using var anyone = Factory.CreateClient();
        await using var hub = await ListenAsync(workspace.OwnerToken);

        await hub.WaitForAsync(Event, Is(workspace.OwnerId, "Away"), "the owner is connected and Away");
        Assert.False(await AgentsAvailableAsync(anyone, inboxToken));

        await owner.PutJsonAsync("/api/v1/me/availability", new { availability = "Online" }).ExpectAsync(HttpStatusCode.OK);
        Assert.True(await AgentsAvailableAsync(anyone, inboxToken));
    }

    [Theory]
    [InlineData("""{"availability": "Busy"}""", "$.availability")]
    [InlineData("""{"availability": 1}""", "$.availability")]
    [InlineData("""{}""", "availability")]
    public async Task SetAvailability_BadStatus_Returns400WithFieldErrorAndChangesNothing(string body, string field)
    {
        var (workspace, _) = await NewWorkspaceAsync();
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);

        await agent.SendRawAsync(HttpMethod.Put, "/api/v1/me/availability", body).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, field);

        Assert.Equal("Online", (await agent.GetJsonAsync("/api/v1/me")).Text("availability"));
    }

    [Fact]
    public async Task SetAvailability_ReadOnlyToken_IsForbidden()
    {
        var (workspace, _) = await NewWorkspaceAsync();
        var (_, _, reader) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent, ["read"]);

        await reader.PutJsonAsync("/api/v1/me/availability", new { availability = "Away" }).ExpectProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task PresenceChanged_AgentOfAnotherWorkspace_NeverReceivesIt()
    {
        var (workspace, _) = await NewWorkspaceAsync();
        var (other, _) = await NewWorkspaceAsync("Elsewhere Inc");
        var (agentId, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (otherAgentId, _, otherAgent) = await NewAgentAsync(other.WorkspaceId, AgentRole.Agent);
        await using var owner = await ListenAsync(workspace.OwnerToken);
        await using var outsider = await ListenAsync(other.OwnerToken);

        var connection = await ListenAsync(TokenOf(agent));
        await agent.PutJsonAsync("/api/v1/me/availability", new { availability = "Away" }).ExpectAsync(HttpStatusCode.OK);
        await connection.DisposeAsync();
        await owner.WaitForAsync(Event, Is(agentId, "Offline"), "the own workspace heard the whole story");

        // An event of the outsider's own workspace, sent after all of the above: once it arrived, the others would have too.
        await using (await ListenAsync(TokenOf(otherAgent)))
        {
            await outsider.WaitForAsync(Event, Is(otherAgentId, "Online"), "the outsider hears their own teammate");
        }

        Assert.DoesNotContain(outsider.All(Event), e => AgentOf(e) == agentId);
        Assert.DoesNotContain(owner.All(Event), e => AgentOf(e) == otherAgentId);
    }

    private async Task<HubRecorder> ListenAsync(string token)
    {
        var recorder = await HubRecorder.ConnectAsync(Factory, "/hubs/agent", token, Event);
        // A no-op round trip: afterwards the connection has joined its workspace's group.
        await recorder.Connection.InvokeAsync("Typing", Guid.Empty, false, Ct);
        return recorder;
    }

    private static string TokenOf(HttpClient client) => client.DefaultRequestHeaders.Authorization!.Parameter!;

    private static Func<JsonElement, bool> Is(Guid agentId, string presence) =>
        e => AgentOf(e) == agentId && e.Text("presence") == presence;

    private static Guid AgentOf(JsonElement notice) => notice.GetProperty("agentId").GetGuid();

    private static async Task<string?> PresenceInListAsync(HttpClient client, Guid agentId) =>
        Assert.Single(await client.ListAllAsync("/api/v1/agents"), a => a.IdOf() == agentId).Text("presence");

    private static async Task<bool> AgentsAvailableAsync(HttpClient anyone, string inboxToken) =>
        (await anyone.GetJsonAsync($"/widget/v1/inboxes/{inboxToken}")).GetProperty("agentsAvailable").GetBoolean();
}

public sealed class PresenceSqliteTests(SqliteApiFixture fixture) : PresenceTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class PresencePostgresTests(PostgresApiFixture fixture) : PresenceTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
