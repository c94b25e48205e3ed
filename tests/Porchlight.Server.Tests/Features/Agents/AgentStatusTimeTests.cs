using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Agents;

/// <summary>
/// Agents' status time: each connected stretch with one status is recorded, a break is not worked time, and the agents
/// report turns the hours worked into resolved conversations per hour and, with the workspace's hourly cost, the cost
/// of a resolved conversation. A period left open by a node that stopped is ended when the agent was last seen.
/// </summary>
public abstract class AgentStatusTimeTests(PorchlightFactory factory, ShiftedClock clock) : ApiTestBase(factory)
{
    [Fact]
    public async Task AgentsReport_ThreeHoursOnlineAndABreak_WorkedHoursResolvedPerHourAndCost()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (agentId, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var settings = await owner.GetJsonAsync("/api/v1/workspace");
        await owner.PutJsonAsync("/api/v1/workspace", new
        {
            name = settings.Text("name"), timeZone = "UTC", businessHours = settings.GetProperty("businessHours"), agentHourlyCost = 30m,
        }).ExpectAsync(HttpStatusCode.OK);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);

        await using (await HubRecorder.ConnectAsync(Factory, "/hubs/agent", agent.DefaultRequestHeaders.Authorization!.Parameter!))
        {
            await WaitForStatusAsync(workspace.WorkspaceId, agentId, PresenceStatus.Online);
            using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
            var (conversationId, _) = await visitor.StartConversationAsync("Can I change my order?");
            await agent.ReplyAsync(conversationId, "Done!").ExpectAsync(HttpStatusCode.Created);
            await agent.PostJsonAsync($"/api/v1/conversations/{conversationId}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);
            clock.Advance(TimeSpan.FromHours(2));
            await agent.PutJsonAsync("/api/v1/me/availability", new { availability = "Break" }).ExpectAsync(HttpStatusCode.OK);
            await WaitForStatusAsync(workspace.WorkspaceId, agentId, PresenceStatus.Break);
            clock.Advance(TimeSpan.FromMinutes(30));
            await agent.PutJsonAsync("/api/v1/me/availability", new { availability = "Online" }).ExpectAsync(HttpStatusCode.OK);
            await WaitForStatusAsync(workspace.WorkspaceId, agentId, PresenceStatus.Online);
            clock.Advance(TimeSpan.FromHours(1));
        }

        await WaitForStatusAsync(workspace.WorkspaceId, agentId, null);
        var report = await Eventually.ValueAsync(() => owner.GetJsonAsync("/api/v1/reports/agents"),
            r => r.GetProperty("total").GetProperty("resolvedConversations").GetInt32() == 1, "the resolve is counted");

        var time = report.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("id").ValueKind != JsonValueKind.Null && r.GetProperty("id").GetGuid() == agentId)
            .GetProperty("time");
        Assert.Equal((3.0, 0.5), (time.GetProperty("workedHours").GetDouble(), time.GetProperty("breakHours").GetDouble()));
        Assert.Equal(0.33, time.GetProperty("resolvedPerWorkedHour").GetDouble());
        // 30 an hour for 3 hours worked, one resolve (the seconds the test itself takes pass on the clock too).
        Assert.InRange(time.GetProperty("costPerResolved").GetDecimal(), 90.00m, 90.05m);
        Assert.Equal(3.0, report.GetProperty("totalTime").GetProperty("workedHours").GetDouble());
        var csv = (await owner.GetAsync("/api/v1/reports/agents.csv", Ct).ExpectAsync(HttpStatusCode.OK)).GetString()!;
        Assert.Contains("hours_worked", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keep_AnOpenPeriodOfAnAgentNoLongerConnected_EndsItWhenTheAgentWasLastSeen()
    {
        var (workspace, _) = await NewWorkspaceAsync();
        var (agentId, _, _) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var lastSeen = clock.GetUtcNow().UtcDateTime;
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            // As a node leaves it when it stops: open, with nobody connected any more.
            scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspace.WorkspaceId);
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            db.AgentStatusPeriods.Add(AgentStatusPeriod.Begin(workspace.WorkspaceId, agentId, PresenceStatus.Online, lastSeen));
            await db.SaveChangesAsync(Ct);
        }

        clock.Advance(AgentStatusLog.Grace + TimeSpan.FromMinutes(1));
        await Factory.Services.GetRequiredService<AgentStatusLog>().KeepAsync(Ct);

        var period = await PeriodsAsync(workspace.WorkspaceId, agentId);
        // PostgreSQL keeps microseconds.
        Assert.Equal(lastSeen, Assert.Single(period).EndedAt!.Value, TimeSpan.FromMilliseconds(1));
    }

    private async Task<List<AgentStatusPeriod>> PeriodsAsync(Guid workspaceId, Guid agentId)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspaceId);
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().AgentStatusPeriods.AsNoTracking()
            .Where(p => p.AgentId == agentId).OrderBy(p => p.StartedAt).ToListAsync(Ct);
    }

    // The presence is recorded as it is announced, a moment after the change: null waits for no open period (offline).
    private Task WaitForStatusAsync(Guid workspaceId, Guid agentId, PresenceStatus? status) => Eventually.WaitUntilAsync(
        async () => (await PeriodsAsync(workspaceId, agentId)).SingleOrDefault(p => p.EndedAt is null)?.Status == status,
        $"the agent's open status period is {status?.ToString() ?? "none"}");
}

public sealed class AgentStatusTimeSqliteTests(SqliteClockFixture fixture) : AgentStatusTimeTests(fixture.Factory, fixture.Clock), IClassFixture<SqliteClockFixture>;

public sealed class AgentStatusTimePostgresTests(PostgresClockFixture fixture) : AgentStatusTimeTests(fixture.Factory, fixture.Clock), IClassFixture<PostgresClockFixture>;
