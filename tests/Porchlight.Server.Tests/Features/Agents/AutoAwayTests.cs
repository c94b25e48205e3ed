using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Hosting.Cluster;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Agents;

/// <summary>An Online agent with the app open but no sign of life for the workspace's minutes is set Away; an active one is not.</summary>
public abstract class AutoAwayTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task AutoAway_IdleForTheWorkspacesMinutes_SetsOnlyTheIdleAgentAwayAndTeammatesHearIt()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (idleId, _, idle) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (busyId, _, busy) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        await using var idleHub = await HubRecorder.AgentAsync(Factory, idle.DefaultRequestHeaders.Authorization!.Parameter!);
        await using var busyHub = await HubRecorder.AgentAsync(Factory, busy.DefaultRequestHeaders.Authorization!.Parameter!);
        await using var ownerHub = await HubRecorder.ConnectAsync(Factory, "/hubs/agent", workspace.OwnerToken, "PresenceChanged");
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(Porchlight.Server.Features.Workspaces.Workspace.DefaultAutoAwayMinutes + 1));
        // The busy agent did something five minutes before "later"; the idle one nothing since connecting.
        await Factory.Services.GetRequiredService<IPresenceStore>().MarkActiveAsync(workspace.WorkspaceId, busyId, later.GetUtcNow().UtcDateTime.AddMinutes(-5));

        await AutoAwayAt(later).SetIdleAwayAsync(Ct);

        Assert.Equal("Away", (await owner.GetJsonAsync($"/api/v1/agents/{idleId}")).Text("availability"));
        Assert.Equal("Online", (await owner.GetJsonAsync($"/api/v1/agents/{busyId}")).Text("availability"));
        await ownerHub.WaitForAsync("PresenceChanged", n => n.GetProperty("agentId").GetGuid() == idleId && n.Text("presence") == "Away", "teammates hear that the idle agent is Away");
    }

    [Fact]
    public async Task AutoAway_WorkspaceTurnedItOff_LeavesIdleAgentsOnline()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (idleId, _, idle) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var settings = await owner.GetJsonAsync("/api/v1/workspace");
        await owner.PutJsonAsync("/api/v1/workspace", new
        {
            name = settings.Text("name"), timeZone = settings.Text("timeZone"), businessHours = settings.GetProperty("businessHours"), autoAwayMinutes = 0,
        }).ExpectAsync(HttpStatusCode.OK);
        await using var idleHub = await HubRecorder.AgentAsync(Factory, idle.DefaultRequestHeaders.Authorization!.Parameter!);

        await AutoAwayAt(new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(1))).SetIdleAwayAsync(Ct);

        Assert.Equal("Online", (await owner.GetJsonAsync($"/api/v1/agents/{idleId}")).Text("availability"));
        Assert.Equal(0, (await owner.GetJsonAsync("/api/v1/workspace")).GetProperty("autoAwayMinutes").GetInt32());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(481)]
    [InlineData(3)]
    public async Task UpdateWorkspace_AutoAwayOutOfRange_Returns400AndChangesNothing(int minutes)
    {
        var (_, owner) = await NewWorkspaceAsync();
        var settings = await owner.GetJsonAsync("/api/v1/workspace");

        await owner.PutJsonAsync("/api/v1/workspace", new
        {
            name = settings.Text("name"), timeZone = settings.Text("timeZone"), businessHours = settings.GetProperty("businessHours"), autoAwayMinutes = minutes,
        }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "autoAwayMinutes");

        Assert.Equal(15, (await owner.GetJsonAsync("/api/v1/workspace")).GetProperty("autoAwayMinutes").GetInt32());
    }

    // The job as the server runs it, but reading the time from a clock the test moved on.
    private AutoAway AutoAwayAt(TimeProvider clock) => new(
        Factory.Services.GetRequiredService<IServiceScopeFactory>(),
        Factory.Services.GetRequiredService<AgentPresence>(),
        Factory.Services.GetRequiredService<JobLeases>(),
        clock,
        Factory.Services.GetRequiredService<IConfiguration>(),
        NullLogger<AutoAway>.Instance);
}

public sealed class AutoAwaySqliteTests(SqliteApiFixture fixture) : AutoAwayTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class AutoAwayPostgresTests(PostgresApiFixture fixture) : AutoAwayTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
