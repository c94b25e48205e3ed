using System.Net;
using System.Text.Json;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Workforce.Planning;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Workforce;

/// <summary>
/// The staffing plan over the API: a history of chats with a known daily shape, its forecast, the agents it needs by
/// the staffing model, adjustments for known events, the settings it plans with, and what it refuses.
/// </summary>
public abstract class StaffingPlanTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    // Every day of the history: 20 chats between 10:00 and 10:30 and 4 between 15:00 and 15:30, in the workspace's zone.
    private static readonly (TimeOnly Start, int Chats)[] DailyShape = [(new(10, 0), 20), (new(15, 0), 4)];

    [Fact]
    public async Task Plan_ThreeWeeksOfChatsWithADailyShape_ForecastsTheShapeAndStaffsEachHalfHourByTheModel()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var inboxId = await ChatHistoryAsync(workspace.WorkspaceId, owner, days: 21);
        await owner.PutJsonAsync("/api/v1/workforce/settings", ChatHistory.PlanSettings).ExpectAsync(HttpStatusCode.OK);

        var plan = await owner.GetJsonAsync($"/api/v1/workforce/plan?inboxId={inboxId}&weeks=1");

        Assert.Equal(Today(), DateOnly.Parse(plan.Text("firstDay")!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(3, plan.GetProperty("historyWeeks").GetInt32());
        Assert.Equal(21 * 24, plan.GetProperty("historyConversations").GetInt32());
        Assert.Equal(JsonValueKind.Null, plan.GetProperty("notice").ValueKind);
        Assert.Equal(("setting", 480.0, 2), (plan.Text("handleTimeSource"), plan.GetProperty("handleTimeSeconds").GetDouble(), plan.GetProperty("chatsPerAgent").GetInt32()));
        var intervals = plan.GetProperty("intervals").EnumerateArray().ToList();
        Assert.Equal(7 * 48, intervals.Count);
        foreach (var day in Enumerable.Range(1, 6))
        {
            var peak = At(intervals, Today().AddDays(day), new TimeOnly(10, 0));
            Assert.InRange(peak.GetProperty("expected").GetDouble(), 18, 22);
            Assert.InRange(At(intervals, Today().AddDays(day), new TimeOnly(15, 0)).GetProperty("expected").GetDouble(), 3, 5);
            var night = At(intervals, Today().AddDays(day), new TimeOnly(3, 0));
            Assert.Equal((0.0, 0, 0), (night.GetProperty("expected").GetDouble(), night.GetProperty("agentsNeeded").GetInt32(), night.GetProperty("agentsToSchedule").GetInt32()));

            // The agents are the staffing model's answer for the forecast volume: the smallest number whose 2 × agents
            // slots answer 80% within 30 s, then a quarter more for shrinkage.
            var expected = peak.GetProperty("expected").GetDouble();
            var needed = peak.GetProperty("agentsNeeded").GetInt32();
            var traffic = expected * 480 / 1800;
            Assert.True(ErlangC.ServiceLevel(2 * needed, traffic, TimeSpan.FromSeconds(480), TimeSpan.FromSeconds(30)) >= 0.8);
            Assert.True(ErlangC.ServiceLevel(2 * (needed - 1), traffic, TimeSpan.FromSeconds(480), TimeSpan.FromSeconds(30)) < 0.8);
            Assert.Equal((int)Math.Ceiling(needed / 0.75 - 1e-9), peak.GetProperty("agentsToSchedule").GetInt32());
            Assert.InRange(peak.GetProperty("serviceLevel").GetDouble(), 0.8, 1);
            Assert.True(peak.GetProperty("low").GetDouble() <= expected && expected <= peak.GetProperty("high").GetDouble());
        }

        // The history repeats exactly, so the last week is forecast almost exactly from the two before it.
        var accuracy = plan.GetProperty("accuracy");
        Assert.InRange(accuracy.GetProperty("wape").GetDouble(), 0, 0.1);
        Assert.Equal(0, accuracy.GetProperty("seasonalNaiveWape").GetDouble(), 6);
    }

    [Fact]
    public async Task Plan_AdjustmentForOneDay_ScalesThatDayOnlyAndIsListedAndAudited()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var inboxId = await ChatHistoryAsync(workspace.WorkspaceId, owner, days: 14);
        await owner.PutJsonAsync("/api/v1/workforce/settings", ChatHistory.PlanSettings).ExpectAsync(HttpStatusCode.OK);
        var before = (await owner.GetJsonAsync($"/api/v1/workforce/plan?inboxId={inboxId}&weeks=1")).GetProperty("intervals").EnumerateArray().ToList();
        var launch = Today().AddDays(2);

        var adjustment = await owner.PostJsonAsync("/api/v1/workforce/adjustments", new { firstDay = launch, lastDay = launch, multiplier = 2.5, note = "Spring launch" })
            .ExpectAsync(HttpStatusCode.Created);
        var after = (await owner.GetJsonAsync($"/api/v1/workforce/plan?inboxId={inboxId}&weeks=1")).GetProperty("intervals").EnumerateArray().ToList();

        foreach (var (old, now) in before.Zip(after))
        {
            var onLaunchDay = now.Text("day") == launch.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(old.GetProperty("expected").GetDouble() * (onLaunchDay ? 2.5 : 1), now.GetProperty("expected").GetDouble(), 6);
            Assert.Equal(onLaunchDay ? 2.5 : 1, now.GetProperty("multiplier").GetDouble());
        }

        Assert.True(At(after, launch, new TimeOnly(10, 0)).GetProperty("agentsNeeded").GetInt32() > At(before, launch, new TimeOnly(10, 0)).GetProperty("agentsNeeded").GetInt32());
        var listed = Assert.Single((await owner.GetJsonAsync("/api/v1/workforce/adjustments")).EnumerateArray());
        Assert.Equal(("Spring launch", 2.5), (listed.Text("note"), listed.GetProperty("multiplier").GetDouble()));
        Assert.Single(await owner.ListAllAsync("/api/v1/audit?action=forecast_adjustment.created"));

        await owner.DeleteAsync($"/api/v1/workforce/adjustments/{adjustment.IdOf()}", Ct).ExpectAsync(HttpStatusCode.NoContent);
        Assert.Empty((await owner.GetJsonAsync("/api/v1/workforce/adjustments")).EnumerateArray());
        await owner.DeleteAsync($"/api/v1/workforce/adjustments/{adjustment.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Plan_LessThanTwoWeeksOfChatsOrBadQuery_EmptyWithTheReasonOrRefused()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var inboxId = await ChatHistoryAsync(workspace.WorkspaceId, owner, days: 10);
        var (other, _) = await NewWorkspaceAsync("Elsewhere");
        var (_, otherOwner) = (other, Factory.CreateApiClient(other.OwnerToken));
        var foreignInbox = (await otherOwner.PostJsonAsync("/api/v1/inboxes", new { name = "Theirs", channel = "Api" }).ExpectAsync(HttpStatusCode.Created)).IdOf();

        var young = await owner.GetJsonAsync($"/api/v1/workforce/plan?inboxId={inboxId}");
        Assert.Equal((1, 0), (young.GetProperty("historyWeeks").GetInt32(), young.GetProperty("intervals").GetArrayLength()));
        Assert.Contains("2 whole weeks", young.Text("notice"), StringComparison.Ordinal);
        await owner.GetAsync("/api/v1/workforce/plan?weeks=5", Ct).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "weeks");
        await owner.GetAsync($"/api/v1/workforce/plan?inboxId={foreignInbox}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await owner.GetAsync($"/api/v1/workforce/plan?teamId={Guid.NewGuid()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Settings_BadValuesOrAnAgent_RefusedAndNothingChanges_GoodValuesAreKeptAndAudited()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (_, _, supervisor) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Supervisor);
        var defaults = await owner.GetJsonAsync("/api/v1/workforce/settings");
        Assert.Equal((80, 30, 30, 8), (defaults.GetProperty("serviceLevelPercent").GetInt32(), defaults.GetProperty("answerWithinSeconds").GetInt32(),
            defaults.GetProperty("shrinkagePercent").GetInt32(), defaults.GetProperty("historyWeeks").GetInt32()));

        var problem = await owner.PutJsonAsync("/api/v1/workforce/settings", new
        {
            serviceLevelPercent = 100, answerWithinSeconds = -1, shrinkagePercent = 95, chatsPerAgent = 0, handleTimeSeconds = 0, historyWeeks = 1, maxOccupancyPercent = 101,
        }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "serviceLevelPercent");
        Assert.Equal(["answerWithinSeconds", "chatsPerAgent", "handleTimeSeconds", "historyWeeks", "maxOccupancyPercent", "serviceLevelPercent", "shrinkagePercent"],
            problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
        await agent.PutJsonAsync("/api/v1/workforce/settings", ChatHistory.PlanSettings).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await agent.GetAsync("/api/v1/workforce/plan", Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await owner.PostJsonAsync("/api/v1/workforce/adjustments", new { firstDay = Today(), lastDay = Today().AddDays(-1), multiplier = 11, note = "" })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "lastDay");
        Assert.Equal(defaults.GetRawText(), (await owner.GetJsonAsync("/api/v1/workforce/settings")).GetRawText());
        Assert.Empty((await owner.GetJsonAsync("/api/v1/workforce/adjustments")).EnumerateArray());

        var saved = await supervisor.PutJsonAsync("/api/v1/workforce/settings", ChatHistory.PlanSettings).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(saved.GetRawText(), (await owner.GetJsonAsync("/api/v1/workforce/settings")).GetRawText());
        Assert.Equal((25, 2, 480), (saved.GetProperty("shrinkagePercent").GetInt32(), saved.GetProperty("chatsPerAgent").GetInt32(), saved.GetProperty("handleTimeSeconds").GetInt32()));
        Assert.Single(await owner.ListAllAsync("/api/v1/audit?action=staffing_settings.created"));
    }

    private static DateOnly Today() => TestWorkspace.Today(TimeProvider.System);

    private static JsonElement At(List<JsonElement> intervals, DateOnly day, TimeOnly start) =>
        intervals.Single(i => i.Text("day") == day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) && i.Text("localStart") == start.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));

    private Task<Guid> ChatHistoryAsync(Guid workspaceId, HttpClient owner, int days) => ChatHistory.SeedAsync(Factory, workspaceId, owner, days, DailyShape, Ct);
}

public sealed class StaffingPlanSqliteTests(SqliteApiFixture fixture) : StaffingPlanTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class StaffingPlanPostgresTests(PostgresApiFixture fixture) : StaffingPlanTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
