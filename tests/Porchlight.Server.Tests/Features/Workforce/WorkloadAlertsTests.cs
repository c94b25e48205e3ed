using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Workforce;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Workforce;

/// <summary>
/// Supervisors are told when an agent is overloaded: at a cap for longer than the workspace allows (with the cap lowered
/// while it lasts, when asked) or several upset customers in a row; once per overload, and dismissed by a supervisor.
/// </summary>
public abstract class WorkloadAlertsTests(PorchlightFactory factory, ShiftedClock clock) : ApiTestBase(factory)
{
    [Fact]
    public async Task AtCap_LongerThanTheWorkspaceAllows_OneAlertCapLoweredUntilItEndsThenDismissed()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (agentId, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        await using var atWork = await AtWorkAsync(workspace.WorkspaceId, agentId, agent);
        await owner.PutJsonAsync($"/api/v1/agents/{agentId}/caps", new { chat = 2 }).ExpectAsync(HttpStatusCode.OK);
        await SetAlertsAsync(owner, overloadMinutes: 30, difficultRun: 0, reduceCap: true);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (first, _) = await visitor.StartConversationAsync("My order never came.");
        var (second, _) = await visitor.StartConversationAsync("Also, the invoice is wrong.");
        await owner.PostJsonAsync($"/api/v1/conversations/{first}/assignment", new { assigneeId = agentId }).ExpectAsync(HttpStatusCode.OK);
        await owner.PostJsonAsync($"/api/v1/conversations/{second}/assignment", new { assigneeId = agentId }).ExpectAsync(HttpStatusCode.OK);

        // At the cap, but not for long yet.
        clock.Advance(TimeSpan.FromMinutes(20));
        await CheckAsync();
        Assert.Empty(await AlertsOfAsync(owner, agentId));

        clock.Advance(TimeSpan.FromMinutes(12));
        await CheckAsync();
        await CheckAsync();
        var alert = Assert.Single(await AlertsOfAsync(owner, agentId));
        Assert.Equal(("AtCap", "Chat", 2, true), (alert.Text("kind"), alert.Text("channel"), alert.GetProperty("count").GetInt32(), alert.GetProperty("capLowered").GetBoolean()));
        Assert.Equal(1, await ChatCapAsync(owner, agentId));
        // The agent sees on their own page what their supervisors were told, but not the workspace's alerts.
        Assert.Equal(alert.IdOf(), Assert.Single((await agent.GetJsonAsync("/api/v1/me/workload")).GetProperty("alerts").EnumerateArray()).IdOf());
        await agent.GetAsync("/api/v1/workforce/alerts", Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);

        // One conversation done: below the agent's own cap (the lowered one, 1 of 1, would keep itself full), so it ends and the cap comes back.
        await owner.PostJsonAsync($"/api/v1/conversations/{first}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);
        await CheckAsync();
        var ended = Assert.Single(await AlertsOfAsync(owner, agentId));
        Assert.NotEqual(JsonValueKind.Null, ended.GetProperty("endedAt").ValueKind);
        Assert.False(ended.GetProperty("capLowered").GetBoolean());
        Assert.Equal(2, await ChatCapAsync(owner, agentId));

        await agent.PostAsync($"/api/v1/workforce/alerts/{alert.IdOf()}/dismiss", null, Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);
        var dismissed = await owner.PostAsync($"/api/v1/workforce/alerts/{alert.IdOf()}/dismiss", null, Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.NotEqual(JsonValueKind.Null, dismissed.GetProperty("dismissedAt").ValueKind);
        Assert.Empty(await AlertsOfAsync(owner, agentId));
        await owner.PostAsync($"/api/v1/workforce/alerts/{alert.IdOf()}/dismiss", null, Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AtCap_DismissedWhileStillAtTheCap_RaisedAgainOnlyAfterAnotherWholeStretch()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (agentId, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        await using var atWork = await AtWorkAsync(workspace.WorkspaceId, agentId, agent);
        await owner.PutJsonAsync($"/api/v1/agents/{agentId}/caps", new { chat = 1 }).ExpectAsync(HttpStatusCode.OK);
        await SetAlertsAsync(owner, overloadMinutes: 10, difficultRun: 0, reduceCap: false);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        await TakenAsync(owner, visitor, agentId, "A long question about my warranty.");
        clock.Advance(TimeSpan.FromMinutes(11));
        await CheckAsync();
        var first = Assert.Single(await AlertsOfAsync(owner, agentId));
        Assert.False(first.GetProperty("capLowered").GetBoolean());

        await owner.PostAsync($"/api/v1/workforce/alerts/{first.IdOf()}/dismiss", null, Ct).ExpectAsync(HttpStatusCode.OK);
        clock.Advance(TimeSpan.FromMinutes(5));
        await CheckAsync();
        Assert.Empty(await AlertsOfAsync(owner, agentId));

        clock.Advance(TimeSpan.FromMinutes(6));
        await CheckAsync();
        Assert.NotEqual(first.IdOf(), Assert.Single(await AlertsOfAsync(owner, agentId)).IdOf());
    }

    [Fact]
    public async Task DifficultRun_ThreeUpsetCustomersInARow_AlertedOnceAndNotAgainAfterDismissal()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (agentId, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        await using var atWork = await AtWorkAsync(workspace.WorkspaceId, agentId, agent);
        await SetAlertsAsync(owner, overloadMinutes: 0, difficultRun: 3, reduceCap: false);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        await TakenAsync(owner, visitor, agentId, "Could you tell me the opening hours?");
        var upset = new List<Guid>();
        for (var i = 0; i < 2; i++)
        {
            upset.Add(await TakenAsync(owner, visitor, agentId, Upset));
        }

        await WaitForOutboxAsync(workspace.WorkspaceId);
        await CheckAsync();
        Assert.Empty(await AlertsOfAsync(owner, agentId));

        upset.Add(await TakenAsync(owner, visitor, agentId, Upset));
        await WaitForOutboxAsync(workspace.WorkspaceId);
        await CheckAsync();
        await CheckAsync();
        var alert = Assert.Single(await AlertsOfAsync(owner, agentId));
        Assert.Equal(("DifficultRun", 3), (alert.Text("kind"), alert.GetProperty("count").GetInt32()));

        // Dismissed: the same run does not come back on the next check.
        await owner.PostAsync($"/api/v1/workforce/alerts/{alert.IdOf()}/dismiss", null, Ct).ExpectAsync(HttpStatusCode.OK);
        await CheckAsync();
        Assert.Empty(await AlertsOfAsync(owner, agentId));
    }

    private const string Upset = "This is terrible, I am very angry and disappointed with the refund.";

    /// <summary>The agent connected, as at work: the check watches those at work (and those with an alert to end).</summary>
    private async Task<HubRecorder> AtWorkAsync(Guid workspaceId, Guid agentId, HttpClient agent)
    {
        var hub = await HubRecorder.ConnectAsync(Factory, "/hubs/agent", agent.DefaultRequestHeaders.Authorization!.Parameter!);
        var presence = Factory.Services.GetRequiredService<IPresenceStore>();
        await Eventually.WaitUntilAsync(async () => await presence.IsConnectedAsync(workspaceId, agentId), "the agent is connected");
        return hub;
    }

    private async Task CheckAsync() => await Factory.Services.GetRequiredService<OverloadWatch>().CheckAllAsync(Ct);

    private static async Task<List<JsonElement>> AlertsOfAsync(HttpClient owner, Guid agentId) =>
        [.. (await owner.GetJsonAsync("/api/v1/workforce/alerts")).EnumerateArray().Where(a => a.GetProperty("agentId").GetGuid() == agentId)];

    private static async Task<int> ChatCapAsync(HttpClient owner, Guid agentId) =>
        (await owner.GetJsonAsync($"/api/v1/agents/{agentId}/caps")).GetProperty("effective").GetProperty("chat").GetInt32();

    private static async Task SetAlertsAsync(HttpClient owner, int overloadMinutes, int difficultRun, bool reduceCap) =>
        await owner.PutJsonAsync("/api/v1/workforce/settings", new
        {
            serviceLevelPercent = 80, answerWithinSeconds = 30, maxOccupancyPercent = 85, shrinkagePercent = 30, historyWeeks = 8,
            overloadMinutes, difficultRun, reduceCapOnOverload = reduceCap,
        }).ExpectAsync(HttpStatusCode.OK);

    private static async Task<Guid> TakenAsync(HttpClient owner, TestVisitor visitor, Guid agentId, string message)
    {
        var (conversationId, _) = await visitor.StartConversationAsync(message);
        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/assignment", new { assigneeId = agentId }).ExpectAsync(HttpStatusCode.OK);
        return conversationId;
    }
}

public sealed class WorkloadAlertsSqliteTests(SqliteClockFixture fixture) : WorkloadAlertsTests(fixture.Factory, fixture.Clock), IClassFixture<SqliteClockFixture>;

public sealed class WorkloadAlertsPostgresTests(PostgresClockFixture fixture) : WorkloadAlertsTests(fixture.Factory, fixture.Clock), IClassFixture<PostgresClockFixture>;
