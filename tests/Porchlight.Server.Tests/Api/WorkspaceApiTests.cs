using System.Net;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Api;

public abstract class WorkspaceApiTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    private static readonly string[] ChristmasListedTwice = ["2026-12-25", "2026-12-24", "2026-12-25"];

    private static readonly object[] WeekdayHours =
    [
        new { day = "Friday", opens = "09:00:00", closes = "15:00:00" },
        new { day = "Monday", opens = "08:30:00", closes = "17:00:00" },
    ];

    [Fact]
    public async Task GetWorkspace_OwnerToken_ReturnsNameTimeZoneAndAlwaysOpenHours()
    {
        var (workspace, owner) = await NewWorkspaceAsync("Porch Supplies");

        var body = await owner.GetJsonAsync("/api/v1/workspace");

        Assert.Equal(workspace.WorkspaceId, body.IdOf());
        Assert.Equal("Porch Supplies", body.Text("name"));
        Assert.Equal("Europe/Berlin", body.Text("timeZone"));
        Assert.Equal(7, body.GetProperty("businessHours").GetArrayLength());
    }

    [Fact]
    public async Task UpdateWorkspace_ValidSettings_SavedTrimmedAndOrderedByDay()
    {
        var (_, owner) = await NewWorkspaceAsync();

        var updated = await owner.PutJsonAsync("/api/v1/workspace", new { name = "  Renamed Co  ", timeZone = "America/New_York", businessHours = WeekdayHours })
            .ExpectAsync(HttpStatusCode.OK);
        var reread = await owner.GetJsonAsync("/api/v1/workspace");

        ApiCalls.AssertSameResource(updated, reread);
        Assert.Equal("Renamed Co", reread.Text("name"));
        Assert.Equal("America/New_York", reread.Text("timeZone"));
        var days = reread.GetProperty("businessHours").EnumerateArray().ToList();
        Assert.Equal(["Monday", "Friday"], days.Select(d => d.Text("day")));
        Assert.Equal("08:30:00", days[0].Text("opens"));
        Assert.Equal("15:00:00", days[1].Text("closes"));
    }

    [Fact]
    public async Task UpdateWorkspace_EmptyBusinessHours_MeansAlwaysClosed()
    {
        var (_, owner) = await NewWorkspaceAsync();

        await owner.PutJsonAsync("/api/v1/workspace", new { name = "Closed Co", timeZone = "UTC", businessHours = Array.Empty<object>() })
            .ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(0, (await owner.GetJsonAsync("/api/v1/workspace")).GetProperty("businessHours").GetArrayLength());
    }

    [Theory]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("Berlin")]
    [InlineData("")]
    public async Task UpdateWorkspace_UnknownTimeZone_Returns400AndKeepsSettings(string timeZone)
    {
        var (_, owner) = await NewWorkspaceAsync();
        var before = await owner.GetJsonAsync("/api/v1/workspace");

        await owner.PutJsonAsync("/api/v1/workspace", new { name = "Renamed", timeZone, businessHours = WeekdayHours })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "timeZone");

        ApiCalls.AssertSameResource(before, await owner.GetJsonAsync("/api/v1/workspace"));
    }

    [Fact]
    public async Task UpdateWorkspace_ClosingNotAfterOpening_Returns400NamingTheDay()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var before = await owner.GetJsonAsync("/api/v1/workspace");
        object[] hours =
        [
            new { day = "Monday", opens = "09:00:00", closes = "17:00:00" },
            new { day = "Tuesday", opens = "17:00:00", closes = "09:00:00" },
        ];

        await owner.PutJsonAsync("/api/v1/workspace", new { name = "Renamed", timeZone = "UTC", businessHours = hours })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "businessHours[1].closes");

        ApiCalls.AssertSameResource(before, await owner.GetJsonAsync("/api/v1/workspace"));
    }

    [Fact]
    public async Task UpdateWorkspace_TwoPeriodsOnADayAndHolidays_AreKeptInOrder()
    {
        var (_, owner) = await NewWorkspaceAsync();
        object[] hours =
        [
            new { day = "Monday", opens = "13:00:00", closes = "17:00:00" },
            new { day = "Monday", opens = "09:00:00", closes = "12:00:00" },
        ];

        var updated = await owner.PutJsonAsync("/api/v1/workspace", new
        {
            name = "Renamed", timeZone = "UTC", businessHours = hours, holidays = ChristmasListedTwice,
        }).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(["09:00:00", "13:00:00"], updated.GetProperty("businessHours").EnumerateArray().Select(d => d.Text("opens")));
        Assert.Equal(["2026-12-24", "2026-12-25"], updated.GetProperty("holidays").EnumerateArray().Select(d => d.GetString()));
        ApiCalls.AssertSameResource(updated, await owner.GetJsonAsync("/api/v1/workspace"));
    }

    [Fact]
    public async Task UpdateWorkspace_OverlappingPeriodsOnADay_Returns400AndChangesNothing()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var before = await owner.GetJsonAsync("/api/v1/workspace");
        object[] hours =
        [
            new { day = "Monday", opens = "09:00:00", closes = "13:00:00" },
            new { day = "Monday", opens = "12:00:00", closes = "17:00:00" },
        ];

        await owner.PutJsonAsync("/api/v1/workspace", new { name = "Renamed", timeZone = "UTC", businessHours = hours })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "businessHours[1].opens");

        ApiCalls.AssertSameResource(before, await owner.GetJsonAsync("/api/v1/workspace"));
    }

    [Fact]
    public async Task UpdateWorkspace_MorePeriodsThanAWeekHolds_Returns400AndChangesNothing()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var before = await owner.GetJsonAsync("/api/v1/workspace");
        // Five periods on each day of the week: one more a day than the limit of four.
        var hours = Enum.GetValues<DayOfWeek>()
            .SelectMany(day => Enumerable.Range(0, 5).Select(i => new { day = day.ToString(), opens = $"{8 + (2 * i):00}:00:00", closes = $"{9 + (2 * i):00}:00:00" }))
            .ToArray();

        await owner.PutJsonAsync("/api/v1/workspace", new { name = "Renamed", timeZone = "UTC", businessHours = hours })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "businessHours");

        ApiCalls.AssertSameResource(before, await owner.GetJsonAsync("/api/v1/workspace"));
    }

    [Fact]
    public async Task UpdateWorkspace_UnknownDayName_Returns400()
    {
        var (_, owner) = await NewWorkspaceAsync();
        object[] hours = [new { day = "Caturday", opens = "09:00:00", closes = "12:00:00" }];

        var problem = await owner.PutJsonAsync("/api/v1/workspace", new { name = "Renamed", timeZone = "UTC", businessHours = hours })
            .ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.True(problem.TryGetProperty("errors", out _), problem.ToString());
    }

    [Fact]
    public async Task UpdateWorkspace_NullDay_Returns400NamingTheDay()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var before = await owner.GetJsonAsync("/api/v1/workspace");

        await owner.SendRawAsync(HttpMethod.Put, "/api/v1/workspace", """{"name": "Renamed", "timeZone": "UTC", "businessHours": [null]}""")
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "businessHours[0].day");

        ApiCalls.AssertSameResource(before, await owner.GetJsonAsync("/api/v1/workspace"));
    }

    [Theory]
    [InlineData(AgentRole.Agent)]
    [InlineData(AgentRole.Supervisor)]
    public async Task UpdateWorkspace_RoleWithoutWorkspaceRights_Returns403AndKeepsSettings(AgentRole role)
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, role);

        await agent.GetJsonAsync("/api/v1/workspace");
        await agent.PutJsonAsync("/api/v1/workspace", new { name = "Taken over", timeZone = "UTC", businessHours = WeekdayHours })
            .ExpectProblemAsync(HttpStatusCode.Forbidden);

        Assert.Equal("Acme Support", (await owner.GetJsonAsync("/api/v1/workspace")).Text("name"));
    }

    [Fact]
    public async Task UpdateWorkspace_AdminRole_Allowed()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, _, admin) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Admin);

        await admin.PutJsonAsync("/api/v1/workspace", new { name = "Admin Was Here", timeZone = "UTC", businessHours = WeekdayHours })
            .ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("Admin Was Here", (await owner.GetJsonAsync("/api/v1/workspace")).Text("name"));
    }

    [Fact]
    public async Task Api_NoToken_Returns401Problem()
    {
        using var anonymous = Factory.CreateClient();

        await anonymous.GetAsync("/api/v1/workspace", Ct).ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Api_UnknownToken_Returns401Problem()
    {
        using var stranger = Factory.CreateApiClient("plt_" + new string('x', 43));

        await stranger.GetAsync("/api/v1/workspace", Ct).ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }
}

public sealed class WorkspaceApiSqliteTests(SqliteApiFixture fixture) : WorkspaceApiTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class WorkspaceApiPostgresTests(PostgresApiFixture fixture) : WorkspaceApiTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
