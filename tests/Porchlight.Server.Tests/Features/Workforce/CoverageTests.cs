using System.Globalization;
using System.Net;
using System.Text.Json;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Workforce;

/// <summary>
/// Shifts, time off and the coverage they give, over the API: agents in two zones laid on the workspace's half hours,
/// breaks and days away left out, and what a shift or time off may not be.
/// </summary>
public abstract class CoverageTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task Coverage_AgentsInBerlinAndNewYork_CountedWhereTheirHoursFallBreaksAndTimeOffLeftOut()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (berlin, _, _) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (newYork, _, _) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var today = TestWorkspace.Today(TimeProvider.System);
        var everyDay = Enum.GetValues<DayOfWeek>().Select(d => d.ToString()).ToArray();
        // Berlin (the workspace's zone) 09:00–17:00 with an hour's lunch at 12:00; New York 09:00–13:00 on its own clock.
        await owner.PostJsonAsync("/api/v1/workforce/shifts", new
        {
            agentId = berlin, firstDay = today.AddDays(-7), weekdays = everyDay, startTime = "09:00:00", endTime = "17:00:00", breakStart = "12:00:00", breakMinutes = 60,
        }).ExpectAsync(HttpStatusCode.Created);
        var remote = await owner.PostJsonAsync("/api/v1/workforce/shifts", new
        {
            agentId = newYork, firstDay = today.AddDays(-7), weekdays = everyDay, startTime = "09:00:00", endTime = "13:00:00", timeZone = "America/New_York",
        }).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("America/New_York", remote.Text("timeZone"));
        // The Berlin agent is away the day after tomorrow.
        await owner.PostJsonAsync("/api/v1/workforce/time-off", new { agentId = berlin, firstDay = today.AddDays(2), lastDay = today.AddDays(2), kind = "Vacation", note = "Ski week" })
            .ExpectAsync(HttpStatusCode.Created);

        var coverage = await owner.GetJsonAsync("/api/v1/workforce/coverage?days=3");
        var intervals = coverage.GetProperty("intervals").EnumerateArray().ToList();

        Assert.Equal(3 * 48, intervals.Count);
        var tomorrow = today.AddDays(1);
        var offset = OffsetHours(tomorrow);
        // New York's 09:00–13:00 is Berlin's 15:00–19:00 in winter (six hours ahead), 14:00–18:00 in the weeks the clocks differ.
        Assert.Equal(1, Scheduled(intervals, tomorrow, "09:00"));
        Assert.Equal(0, Scheduled(intervals, tomorrow, "12:30"));
        Assert.Equal(1, Scheduled(intervals, tomorrow, "13:00"));
        Assert.Equal(2, Scheduled(intervals, tomorrow, $"{9 + offset:00}:00"));
        Assert.Equal(1, Scheduled(intervals, tomorrow, "17:00"));
        Assert.Equal(0, Scheduled(intervals, tomorrow, $"{13 + offset:00}:00"));
        Assert.Equal(0, Scheduled(intervals, tomorrow, "08:30"));
        // Away: only New York works the day after tomorrow.
        Assert.Equal(0, Scheduled(intervals, today.AddDays(2), "09:00"));
        Assert.Equal(1, Scheduled(intervals, today.AddDays(2), $"{10 + offset:00}:00"));
        var hours = coverage.GetProperty("agents").EnumerateArray().ToDictionary(a => a.GetProperty("agentId").GetGuid(), a => a.GetProperty("hours").GetDouble());
        Assert.Equal(2 * 7, hours[berlin]);
        Assert.Equal(3 * 4, hours[newYork]);
        // No chats yet: no plan to compare with, so no gaps, and the plan says why.
        Assert.Contains("2 whole weeks", coverage.Text("planNotice"), StringComparison.Ordinal);
        Assert.All(intervals, i => Assert.Equal((JsonValueKind.Null, 0.0), (i.GetProperty("required").ValueKind, i.GetProperty("gap").GetDouble())));
    }

    [Fact]
    public async Task Shifts_BadInputForeignIdsOrAnAgent_RefusedAndNothingChanges()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (agentId, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (other, _) = await NewWorkspaceAsync("Elsewhere");
        var (stranger, _, _) = await NewAgentAsync(other.WorkspaceId, AgentRole.Agent);
        var today = TestWorkspace.Today(TimeProvider.System);
        var good = new { agentId, firstDay = today, startTime = "22:00:00", endTime = "06:00:00" };

        var problem = await owner.PostJsonAsync("/api/v1/workforce/shifts", new
        {
            agentId = stranger, firstDay = today, lastDay = today.AddDays(-1), startTime = "08:00:00", endTime = "02:00:00", breakStart = "03:00:00", breakMinutes = 30, timeZone = "Mars/Olympus",
        }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "agentId");
        Assert.Equal(["agentId", "breakStart", "endTime", "lastDay", "timeZone"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
        await owner.PostJsonAsync("/api/v1/workforce/shifts", good).ExpectAsync(HttpStatusCode.Created);
        await owner.PostJsonAsync("/api/v1/workforce/shifts", new { agentId, firstDay = today, startTime = "09:00:00", endTime = "17:00:00", breakStart = "16:45:00", breakMinutes = 30 })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "breakStart");
        await owner.PostJsonAsync("/api/v1/workforce/time-off", new { agentId, firstDay = today, lastDay = today.AddDays(-3), kind = "Holiday", note = new string('x', 201) })
            .ExpectProblemAsync(HttpStatusCode.BadRequest);
        await agent.PostJsonAsync("/api/v1/workforce/shifts", good).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await agent.GetAsync("/api/v1/workforce/coverage", Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await owner.PutJsonAsync($"/api/v1/workforce/shifts/{Guid.NewGuid()}", good).ExpectProblemAsync(HttpStatusCode.NotFound);
        await owner.DeleteAsync($"/api/v1/workforce/time-off/{Guid.NewGuid()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await owner.GetAsync("/api/v1/workforce/coverage?days=29", Ct).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "days");

        var shift = Assert.Single((await owner.GetJsonAsync("/api/v1/workforce/shifts")).EnumerateArray());
        // A one-off shift starts on its own day, in the workspace's zone, and runs into the next morning.
        Assert.Equal([today.DayOfWeek.ToString()], shift.GetProperty("weekdays").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal((TestWorkspace.TimeZone, "06:00:00"), (shift.Text("timeZone"), shift.Text("endTime")));
        Assert.Empty((await owner.GetJsonAsync("/api/v1/workforce/time-off")).EnumerateArray());
        Assert.Single(await owner.ListAllAsync("/api/v1/audit?action=shift.created"));

        var moved = await owner.PutJsonAsync($"/api/v1/workforce/shifts/{shift.IdOf()}", good).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(shift.IdOf(), moved.IdOf());
        await owner.DeleteAsync($"/api/v1/workforce/shifts/{shift.IdOf()}", Ct).ExpectAsync(HttpStatusCode.NoContent);
        Assert.Empty((await owner.GetJsonAsync("/api/v1/workforce/shifts")).EnumerateArray());
    }

    private static int OffsetHours(DateOnly day)
    {
        var noon = day.ToDateTime(new TimeOnly(12, 0), DateTimeKind.Unspecified);
        return (int)(TimeZoneInfo.FindSystemTimeZoneById(TestWorkspace.TimeZone).GetUtcOffset(noon)
            - TimeZoneInfo.FindSystemTimeZoneById("America/New_York").GetUtcOffset(noon)).TotalHours;
    }

    private static double Scheduled(List<JsonElement> intervals, DateOnly day, string start) =>
        intervals.Single(i => i.Text("day") == day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) && i.Text("localStart") == start + ":00")
            .GetProperty("scheduled").GetDouble();
}

public sealed class CoverageSqliteTests(SqliteApiFixture fixture) : CoverageTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class CoveragePostgresTests(PostgresApiFixture fixture) : CoverageTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
