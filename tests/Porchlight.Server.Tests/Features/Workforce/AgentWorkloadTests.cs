using System.Text.Json;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Workforce;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Workforce;

/// <summary>
/// Adherence and workload over the API: status periods against shifts in two zones, the conversations an agent holds,
/// and who may see whose figures.
/// </summary>
public abstract class AgentWorkloadTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    [Fact]
    public async Task Adherence_AgentsInBerlinAndNewYork_EachDayOnTheirOwnClockAgainstTheirShifts()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (berlin, _, _) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (newYork, _, _) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        // Two days ago, so the whole day is behind us in both zones whenever the test runs.
        var day = TestWorkspace.Today(TimeProvider.System).AddDays(-2);
        await owner.PostJsonAsync("/api/v1/workforce/shifts", new { agentId = berlin, firstDay = day, startTime = "09:00:00", endTime = "17:00:00" })
            .ExpectAsync(HttpStatusCode.Created);
        await owner.PostJsonAsync("/api/v1/workforce/shifts", new { agentId = newYork, firstDay = day, startTime = "09:00:00", endTime = "13:00:00", timeZone = "America/New_York" })
            .ExpectAsync(HttpStatusCode.Created);
        var berlinZone = TimeZoneInfo.FindSystemTimeZoneById(TestWorkspace.TimeZone);
        // Berlin: online from 09:30 (half an hour late) to 17:00, then an hour more. New York: online 09:00–11:00, away until 13:00.
        await AddPeriodsAsync(workspace.WorkspaceId, berlin, (PresenceStatus.Online, At(day, 9, 30, berlinZone), At(day, 18, 0, berlinZone)));
        await AddPeriodsAsync(workspace.WorkspaceId, newYork,
            (PresenceStatus.Online, At(day, 9, 0, NewYork), At(day, 11, 0, NewYork)), (PresenceStatus.Away, At(day, 11, 0, NewYork), At(day, 13, 0, NewYork)));

        var adherence = await owner.GetJsonAsync($"/api/v1/workforce/adherence?from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}");

        var agents = adherence.GetProperty("agents").EnumerateArray().ToDictionary(a => a.GetProperty("agentId").GetGuid());
        var inBerlin = Assert.Single(agents[berlin].GetProperty("days").EnumerateArray()).GetProperty("figures");
        Assert.Equal((480.0, 450.0, 30.0, 60.0), (Minutes(inBerlin, "scheduledMinutes"), Minutes(inBerlin, "onlineMinutes"), Minutes(inBerlin, "offlineMinutes"), Minutes(inBerlin, "unscheduledOnlineMinutes")));
        Assert.Equal((30.0, 0.9375), (Minutes(inBerlin, "lateMinutes"), Minutes(inBerlin, "adherence")));
        Assert.Equal("America/New_York", agents[newYork].Text("timeZone"));
        var inNewYork = agents[newYork].GetProperty("total");
        Assert.Equal((240.0, 120.0, 120.0, 0.5), (Minutes(inNewYork, "scheduledMinutes"), Minutes(inNewYork, "onlineMinutes"), Minutes(inNewYork, "awayMinutes"), Minutes(inNewYork, "adherence")));
        // A night shift over midnight: the day after opens mid-shift, with no start to be late for.
        var (night, _, _) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        await owner.PostJsonAsync("/api/v1/workforce/shifts", new { agentId = night, firstDay = day.AddDays(-1), startTime = "22:00:00", endTime = "06:00:00" })
            .ExpectAsync(HttpStatusCode.Created);
        await AddPeriodsAsync(workspace.WorkspaceId, night, (PresenceStatus.Online, At(day.AddDays(-1), 22, 0, berlinZone), At(day, 6, 0, berlinZone)));
        var nightAfter = (await owner.GetJsonAsync($"/api/v1/workforce/adherence?agentId={night}&from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}"))
            .GetProperty("agents")[0].GetProperty("days")[0].GetProperty("figures");
        Assert.Equal((JsonValueKind.Null, 1.0), (nightAfter.GetProperty("lateMinutes").ValueKind, Minutes(nightAfter, "adherence")));
        Assert.Equal(Minutes(nightAfter, "scheduledMinutes"), Minutes(nightAfter, "onlineMinutes"));

        // An agent with no shifts has nothing to adhere to.
        Assert.Equal(0.0, Minutes(agents[workspace.OwnerId].GetProperty("total"), "scheduledMinutes"));
    }

    [Fact]
    public async Task Workload_AgentHoldsChats_CountsHoldsAndShowsTheAgentTheirOwnButNotOthers()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (agentId, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (first, _) = await visitor.StartConversationAsync("Where is my parcel?");
        var (second, _) = await visitor.StartConversationAsync("And my refund?");
        await owner.PostJsonAsync($"/api/v1/conversations/{first}/assignment", new { assigneeId = agentId }).ExpectAsync(HttpStatusCode.OK);
        await owner.PostJsonAsync($"/api/v1/conversations/{second}/assignment", new { assigneeId = agentId }).ExpectAsync(HttpStatusCode.OK);
        await owner.PostJsonAsync($"/api/v1/conversations/{first}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);
        await AddPeriodsAsync(workspace.WorkspaceId, agentId, (PresenceStatus.Online, DateTime.UtcNow.AddHours(-1), DateTime.UtcNow));

        var workload = await owner.GetJsonAsync($"/api/v1/workforce/agents/{agentId}/workload");

        var figures = workload.GetProperty("figures");
        Assert.Equal((1, 2), (workload.GetProperty("activeNow").GetInt32(), figures.GetProperty("conversationsTaken").GetInt32()));
        Assert.True(workload.GetProperty("caps").GetProperty("Chat").GetInt32() > 0);
        // The last hour may straddle midnight: the days add up to it.
        var days = figures.GetProperty("days").EnumerateArray().ToList();
        Assert.Equal(2, days.Sum(d => d.GetProperty("conversationsTaken").GetInt32()));
        Assert.InRange(days.Sum(d => d.GetProperty("onlineHours").GetDouble()), 0.99, 1.01);
        Assert.Equal(7, figures.GetProperty("days").GetArrayLength());
        // The agent sees their own figures, not a colleague's; a foreign agent is not found; a bad range changes nothing.
        var mine = await agent.GetJsonAsync("/api/v1/me/workload");
        Assert.Equal((agentId, 2), (mine.GetProperty("agentId").GetGuid(), mine.GetProperty("figures").GetProperty("conversationsTaken").GetInt32()));
        await agent.GetAsync($"/api/v1/workforce/agents/{workspace.OwnerId}/workload", Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await owner.GetAsync($"/api/v1/workforce/agents/{Guid.NewGuid()}/workload", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await owner.GetAsync("/api/v1/workforce/adherence?from=2026-12-10&to=2026-12-01", Ct).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "from");
        await owner.GetAsync("/api/v1/me/workload?from=2026-01-01&to=2026-03-01", Ct).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "to");
    }

    private static DateTime At(DateOnly day, int hour, int minute, TimeZoneInfo zone) =>
        LocalIntervals.InstantOf(day.ToDateTime(new TimeOnly(hour, minute), DateTimeKind.Unspecified), zone);

    private static double Minutes(JsonElement figures, string name) => figures.GetProperty(name).GetDouble();

    private async Task AddPeriodsAsync(Guid workspaceId, Guid agentId, params (PresenceStatus Status, DateTime From, DateTime To)[] periods)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspaceId);
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        foreach (var (status, from, to) in periods)
        {
            var period = AgentStatusPeriod.Begin(workspaceId, agentId, status, from);
            period.End(to);
            db.AgentStatusPeriods.Add(period);
        }

        await db.SaveChangesAsync(Ct);
    }
}

public sealed class AgentWorkloadSqliteTests(SqliteApiFixture fixture) : AgentWorkloadTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class AgentWorkloadPostgresTests(PostgresApiFixture fixture) : AgentWorkloadTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
