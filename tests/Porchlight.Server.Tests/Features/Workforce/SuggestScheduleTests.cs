using System.Globalization;
using System.Net;
using System.Text.Json;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Workforce;

/// <summary>
/// The schedule suggestion over the API: shifts that cover a seeded history's plan, given to agents one a day, around
/// their time off; what it refuses; and a suggestion applied as weekly runs that coverage then counts.
/// </summary>
public abstract class SuggestScheduleTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    private static readonly string[] EveryDay = [.. Enum.GetValues<DayOfWeek>().Select(d => d.ToString())];

    // Six chats every day between 10:00 and 10:30, and none at any other time: a few agents are needed then, nobody else.
    private static readonly (TimeOnly Start, int Chats)[] MorningPeak = [(new(10, 0), 6)];

    // Starts 08:00–12:00, 8 hours with a 30-minute break (at 11:30 for an 08:00 start), any day.
    private static readonly object[] DayShifts =
        [new { name = "Day", earliestStart = "08:00:00", latestStart = "12:00:00", lengthMinutes = 480, breakMinutes = 30, weekdays = EveryDay }];

    [Fact]
    public async Task Suggestion_SeededHistoryAndEnoughAgents_EveryShiftAssignedOneADayAndTheRequirementMet()
    {
        var (owner, inboxId, agents) = await PlannedWorkspaceAsync(agentCount: 6);
        var required = await RequiredAtTenAsync(owner, inboxId);
        Assert.Contains(required.Values, r => r > 0);

        var suggestion = await owner.PostJsonAsync("/api/v1/workforce/schedule/suggestion", new { inboxId, templates = DayShifts, agentIds = agents })
            .ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(JsonValueKind.Null, suggestion.GetProperty("notice").ValueKind);
        var monday = Day(suggestion, "firstDay");
        Assert.Equal(DayOfWeek.Monday, monday.DayOfWeek);
        Assert.InRange(monday.DayNumber - Today().DayNumber, 0, 6);
        var totals = suggestion.GetProperty("totals");
        Assert.Equal((0, 0), (totals.GetProperty("unassigned").GetInt32(), totals.GetProperty("missingAgentIntervals").GetInt32()));
        Assert.Empty(suggestion.GetProperty("gaps").EnumerateArray());
        var shifts = suggestion.GetProperty("shifts").EnumerateArray().ToList();
        Assert.Equal(required.Values.Sum(), shifts.Count);
        foreach (var (weekday, agentsNeeded) in required)
        {
            // The only half hour that needs anyone is 10:00, so each of the day's shifts covers it, and there are as many as it needs.
            var ofTheDay = shifts.Where(s => s.Text("weekday") == weekday.ToString()).ToList();
            Assert.Equal(agentsNeeded, ofTheDay.Count);
            Assert.All(ofTheDay, s => Assert.True(Time(s, "startTime") <= new TimeOnly(10, 0) && Time(s, "endTime") >= new TimeOnly(10, 30), s.ToString()));
            Assert.All(ofTheDay, s => Assert.Equal(monday.AddDays(((int)weekday + 6) % 7), Day(s, "day")));
        }

        Assert.All(shifts.GroupBy(s => s.GetProperty("agentId").GetGuid()), agent =>
        {
            Assert.Contains(agent.Key, agents);
            Assert.InRange(agent.Count(), 1, 5);
            Assert.Equal(agent.Count(), agent.Select(s => s.Text("day")).Distinct().Count());
        });
    }

    [Fact]
    public async Task Suggestion_OneAgentAwayMidweek_NoShiftThatDayOthersUnassignedAndReportedShort()
    {
        var (owner, inboxId, agents) = await PlannedWorkspaceAsync(agentCount: 1);
        var agentId = agents[0];
        var monday = Today().AddDays(((int)DayOfWeek.Monday - (int)Today().DayOfWeek + 7) % 7);
        var wednesday = monday.AddDays(2);
        await owner.PostJsonAsync("/api/v1/workforce/time-off", new { agentId, firstDay = wednesday, lastDay = wednesday, kind = "Vacation", note = "Dentist" })
            .ExpectAsync(HttpStatusCode.Created);

        var suggestion = await owner.PostJsonAsync("/api/v1/workforce/schedule/suggestion", new { inboxId, templates = DayShifts, agentIds = agents })
            .ExpectAsync(HttpStatusCode.OK);

        var shifts = suggestion.GetProperty("shifts").EnumerateArray().ToList();
        var taken = shifts.Where(s => s.GetProperty("agentId").ValueKind != JsonValueKind.Null).ToList();
        Assert.All(taken, s => Assert.Equal(agentId, s.GetProperty("agentId").GetGuid()));
        Assert.DoesNotContain(taken, s => Day(s, "day") == wednesday);
        Assert.InRange(taken.Count, 1, 5);
        Assert.Equal(taken.Count, taken.Select(s => s.Text("day")).Distinct().Count());
        var totals = suggestion.GetProperty("totals");
        Assert.Equal((shifts.Count, taken.Count), (totals.GetProperty("shifts").GetInt32(), totals.GetProperty("assigned").GetInt32()));
        Assert.Equal(shifts.Count - taken.Count, totals.GetProperty("unassigned").GetInt32());
        Assert.True(totals.GetProperty("missingAgentIntervals").GetInt32() > 0);
        // Wednesday's 10:00 is short: its shift went to nobody.
        Assert.Contains(suggestion.GetProperty("gaps").EnumerateArray(), g => Day(g, "day") == wednesday && g.Text("localStart") == "10:00:00");
    }

    [Fact]
    public async Task Suggestion_BadTemplatesForeignIdsOrAnAgent_RefusedWithFieldErrorsOrNotFound()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (other, otherOwner) = await NewWorkspaceAsync("Elsewhere");
        var (stranger, _, _) = await NewAgentAsync(other.WorkspaceId, AgentRole.Agent);
        var foreignInbox = (await otherOwner.PostJsonAsync("/api/v1/inboxes", new { name = "Theirs", channel = "WebWidget" }).ExpectAsync(HttpStatusCode.Created)).IdOf();

        var problem = await owner.PostJsonAsync("/api/v1/workforce/schedule/suggestion", new
        {
            firstDay = Today().AddDays(-1),
            templates = new object?[]
            {
                new { name = " ", earliestStart = "08:15:00", latestStart = "07:00:00", lengthMinutes = 1000, breakMinutes = 30, weekdays = Array.Empty<string>() },
                new { name = "Late", earliestStart = "14:00:00", latestStart = "16:00:00", lengthMinutes = 240, breakMinutes = 240, weekdays = EveryDay },
                null,
            },
            agentIds = new[] { stranger },
        }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "templates[0].name");
        Assert.Equal(
            ["agentIds", "firstDay", "templates[0].earliestStart", "templates[0].latestStart", "templates[0].lengthMinutes", "templates[0].name", "templates[0].weekdays",
             "templates[1].breakMinutes", "templates[2]"],
            problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        await owner.PostJsonAsync("/api/v1/workforce/schedule/suggestion", new { templates = Enumerable.Repeat(DayShifts[0], 11) })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "templates");
        await owner.PostJsonAsync("/api/v1/workforce/schedule/suggestion", new { inboxId = foreignInbox, templates = DayShifts }).ExpectProblemAsync(HttpStatusCode.NotFound);
        await owner.PostJsonAsync("/api/v1/workforce/schedule/suggestion", new { teamId = Guid.NewGuid(), templates = DayShifts }).ExpectProblemAsync(HttpStatusCode.NotFound);
        await agent.PostJsonAsync("/api/v1/workforce/schedule/suggestion", new { templates = DayShifts }).ExpectProblemAsync(HttpStatusCode.Forbidden);

        // Without two weeks of chats there is no plan to cover: no shifts, and the plan's reason.
        var young = await owner.PostJsonAsync("/api/v1/workforce/schedule/suggestion", new { templates = DayShifts }).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains("2 whole weeks", young.Text("notice"), StringComparison.Ordinal);
        Assert.Empty(young.GetProperty("shifts").EnumerateArray());
    }

    [Fact]
    public async Task Apply_TheSuggestedShifts_WeeklyRunsPerAgentThatCoverageCountsAndAudits()
    {
        var (owner, inboxId, agents) = await PlannedWorkspaceAsync(agentCount: 6);
        var suggestion = await owner.PostJsonAsync("/api/v1/workforce/schedule/suggestion", new { inboxId, templates = DayShifts, agentIds = agents })
            .ExpectAsync(HttpStatusCode.OK);
        var suggested = suggestion.GetProperty("shifts").EnumerateArray().ToList();
        var shifts = suggested.Select(s => new
        {
            agentId = s.GetProperty("agentId").GetGuid(), firstDay = s.Text("day"), startTime = s.Text("startTime"), endTime = s.Text("endTime"),
            breakStart = s.Text("breakStart"), breakMinutes = s.GetProperty("breakMinutes").GetInt32(),
        }).ToList();

        // A second shift for an agent on a day is refused, and nothing is created.
        await owner.PostJsonAsync("/api/v1/workforce/schedule", new { shifts = shifts.Append(shifts[0]) }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, $"shifts[{shifts.Count}].firstDay");
        await owner.PostJsonAsync("/api/v1/workforce/schedule", new { shifts = Array.Empty<object>() }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "shifts");
        Assert.Empty((await owner.GetJsonAsync("/api/v1/workforce/shifts")).EnumerateArray());

        var created = (await owner.PostJsonAsync("/api/v1/workforce/schedule", new { shifts }).ExpectAsync(HttpStatusCode.Created)).EnumerateArray().ToList();

        // One weekly run per agent and hours, on the weekdays of that agent's shifts, from the first of them, ongoing.
        var patterns = shifts.GroupBy(s => (s.agentId, s.startTime, s.endTime, s.breakStart)).ToList();
        Assert.Equal(patterns.Count, created.Count);
        foreach (var pattern in patterns)
        {
            var run = Assert.Single(created, r => r.GetProperty("agentId").GetGuid() == pattern.Key.agentId && r.Text("startTime") == pattern.Key.startTime);
            Assert.Equal(pattern.Select(s => DateOnly.Parse(s.firstDay!, CultureInfo.InvariantCulture).DayOfWeek.ToString()).Order(), run.GetProperty("weekdays").EnumerateArray().Select(d => d.GetString()).Order());
            Assert.Equal(pattern.Min(s => s.firstDay), run.Text("firstDay"));
            Assert.Equal((JsonValueKind.Null, TestWorkspace.TimeZone), (run.GetProperty("lastDay").ValueKind, run.Text("timeZone")));
        }

        Assert.Equal(created.Count, (await owner.ListAllAsync("/api/v1/audit?action=shift.created")).Count);
        var coverage = (await owner.GetJsonAsync($"/api/v1/workforce/coverage?inboxId={inboxId}&days=14")).GetProperty("intervals").EnumerateArray().ToList();
        var monday = Day(suggestion, "firstDay");
        foreach (var day in Enumerable.Range(0, 7).Select(monday.AddDays))
        {
            var atTen = coverage.Single(i => Day(i, "day") == day && i.Text("localStart") == "10:00:00");
            Assert.Equal(suggested.Count(s => Day(s, "day") == day), atTen.GetProperty("scheduled").GetDouble());
        }
    }

    /// <summary>A workspace with two weeks of <see cref="MorningPeak"/> chats, the plan's settings, and agents to schedule.</summary>
    private async Task<(HttpClient Owner, Guid InboxId, Guid[] Agents)> PlannedWorkspaceAsync(int agentCount)
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var inboxId = await ChatHistory.SeedAsync(Factory, workspace.WorkspaceId, owner, days: 14, MorningPeak, Ct);
        await owner.PutJsonAsync("/api/v1/workforce/settings", ChatHistory.PlanSettings).ExpectAsync(HttpStatusCode.OK);
        var agents = new Guid[agentCount];
        for (var i = 0; i < agentCount; i++)
        {
            agents[i] = (await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent)).AgentId;
        }

        return (owner, inboxId, agents);
    }

    /// <summary>The plan's agents on shift at 10:00 on each weekday of its first week.</summary>
    private static async Task<Dictionary<DayOfWeek, int>> RequiredAtTenAsync(HttpClient owner, Guid inboxId) =>
        (await owner.GetJsonAsync($"/api/v1/workforce/plan?inboxId={inboxId}&weeks=1")).GetProperty("intervals").EnumerateArray()
            .Where(i => i.Text("localStart") == "10:00:00")
            .ToDictionary(i => Day(i, "day").DayOfWeek, i => i.GetProperty("agentsToSchedule").GetInt32());

    private static DateOnly Today() => TestWorkspace.Today(TimeProvider.System);

    private static DateOnly Day(JsonElement element, string property) => DateOnly.Parse(element.Text(property)!, CultureInfo.InvariantCulture);

    private static TimeOnly Time(JsonElement element, string property) => TimeOnly.Parse(element.Text(property)!, CultureInfo.InvariantCulture);
}

public sealed class SuggestScheduleSqliteTests(SqliteApiFixture fixture) : SuggestScheduleTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class SuggestSchedulePostgresTests(PostgresApiFixture fixture) : SuggestScheduleTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
