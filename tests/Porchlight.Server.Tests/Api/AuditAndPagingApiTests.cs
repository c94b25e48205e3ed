using System.Net;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Api;

public abstract class AuditAndPagingApiTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    public static TheoryData<string> Lists { get; } = ["/api/v1/agents", "/api/v1/teams", "/api/v1/inboxes", "/api/v1/invitations", "/api/v1/tokens", "/api/v1/audit"];

    [Fact]
    public async Task ListAudit_AfterWorkspaceSettingsChange_ShowsBeforeAndAfterAndTheActor()
    {
        var (workspace, owner) = await NewWorkspaceAsync("Old Name");

        await owner.PutJsonAsync("/api/v1/workspace", new { name = "New Name", timeZone = "Europe/Lisbon", businessHours = Array.Empty<object>() })
            .ExpectAsync(HttpStatusCode.OK);

        var entry = Assert.Single(await owner.ListAllAsync("/api/v1/audit?action=workspace.updated"));
        Assert.Equal("workspace", entry.Text("entityType"));
        Assert.Equal(workspace.WorkspaceId.ToString(), entry.Text("entityId"));
        Assert.Equal(workspace.OwnerId, entry.GetProperty("actorAgentId").GetGuid());
        Assert.Equal("Olivia Owner", entry.Text("actorName"));
        var changes = entry.GetProperty("changes");
        Assert.Equal("Old Name", changes.GetProperty("Name").Text("before"));
        Assert.Equal("New Name", changes.GetProperty("Name").Text("after"));
        Assert.Equal("Europe/Berlin", changes.GetProperty("TimeZone").Text("before"));
        Assert.Equal("Europe/Lisbon", changes.GetProperty("TimeZone").Text("after"));
    }

    [Fact]
    public async Task ListAudit_SeveralChanges_NewestFirst()
    {
        var (_, owner) = await NewWorkspaceAsync();

        var team = await owner.PostJsonAsync("/api/v1/teams", new { name = "First" }).ExpectAsync(HttpStatusCode.Created);
        await owner.PutJsonAsync($"/api/v1/teams/{team.IdOf()}", new { name = "Second" }).ExpectAsync(HttpStatusCode.OK);
        await owner.PostJsonAsync("/api/v1/inboxes", new { name = "Third", channel = "Api" }).ExpectAsync(HttpStatusCode.Created);

        var entries = await owner.ListAllAsync("/api/v1/audit", limit: 2);

        Assert.Equal(["inbox.created", "team.updated", "team.created"], entries.Take(3).Select(e => e.Text("action")));
        var rename = entries[1].GetProperty("changes").GetProperty("Name");
        Assert.Equal("First", rename.Text("before"));
        Assert.Equal("Second", rename.Text("after"));
        var ids = entries.Select(e => e.IdOf()).ToList();
        Assert.Equal(ids.Distinct().Count(), ids.Count);
        var times = entries.Select(e => e.GetProperty("at").GetDateTime()).ToList();
        Assert.Equal(times.OrderDescending(), times);
        Assert.Contains(entries, e => e.Text("action") == "workspace.created");
    }

    [Theory]
    [InlineData(AgentRole.Agent)]
    [InlineData(AgentRole.Supervisor)]
    public async Task ListAudit_NonAdmin_Returns403(AgentRole role)
    {
        var (workspace, _) = await NewWorkspaceAsync();
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, role);

        await agent.GetAsync("/api/v1/audit", Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task ListAudit_Admin_Allowed()
    {
        var (workspace, _) = await NewWorkspaceAsync();
        var (_, _, admin) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Admin);

        Assert.NotEmpty(await admin.ListAllAsync("/api/v1/audit"));
    }

    [Fact]
    public async Task ListTeams_LimitAndCursor_WalkEveryTeamOnceInCreationOrder()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var created = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            created.Add((await owner.PostJsonAsync("/api/v1/teams", new { name = $"Team {i}" }).ExpectAsync(HttpStatusCode.Created)).IdOf());
        }

        var first = await owner.GetJsonAsync("/api/v1/teams?limit=3");
        var second = await owner.GetJsonAsync($"/api/v1/teams?limit=3&cursor={first.Text("nextCursor")}");
        var third = await owner.GetJsonAsync($"/api/v1/teams?limit=3&cursor={second.Text("nextCursor")}");

        Assert.Equal(3, first.GetProperty("items").GetArrayLength());
        Assert.Equal(3, second.GetProperty("items").GetArrayLength());
        Assert.Equal(1, third.GetProperty("items").GetArrayLength());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, third.GetProperty("nextCursor").ValueKind);
        var walked = new[] { first, second, third }.SelectMany(p => p.GetProperty("items").EnumerateArray()).Select(t => t.IdOf()).ToList();
        Assert.Equal(created, walked);
    }

    [Fact]
    public async Task ListTeams_ExactlyOnePageFull_HasNoNextCursor()
    {
        var (_, owner) = await NewWorkspaceAsync();
        for (var i = 0; i < 3; i++)
        {
            await owner.PostJsonAsync("/api/v1/teams", new { name = $"Team {i}" }).ExpectAsync(HttpStatusCode.Created);
        }

        var page = await owner.GetJsonAsync("/api/v1/teams?limit=3");

        Assert.Equal(3, page.GetProperty("items").GetArrayLength());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, page.GetProperty("nextCursor").ValueKind);
    }

    [Fact]
    public async Task ListAgents_PagesOfOne_EveryAgentOnce()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var expected = new List<Guid> { workspace.OwnerId };
        for (var i = 0; i < 3; i++)
        {
            expected.Add((await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent)).AgentId);
        }

        var walked = (await owner.ListAllAsync("/api/v1/agents", limit: 1)).Select(a => a.IdOf()).ToList();

        Assert.Equal(expected.Order(), walked.Order());
        Assert.Equal(walked.Distinct().Count(), walked.Count);
    }

    [Theory]
    [MemberData(nameof(Lists))]
    public async Task List_CursorNotFromTheApi_Returns400(string path)
    {
        var (_, owner) = await NewWorkspaceAsync();

        await owner.GetAsync($"{path}?cursor=not-a-cursor", Ct).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "cursor");
    }

    [Theory]
    [MemberData(nameof(Lists))]
    public async Task List_LimitOutOfRange_Returns400(string path)
    {
        var (_, owner) = await NewWorkspaceAsync();

        await owner.GetAsync($"{path}?limit=0", Ct).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "limit");
        await owner.GetAsync($"{path}?limit=201", Ct).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "limit");
        await owner.GetJsonAsync($"{path}?limit=200");
    }

    [Theory]
    [MemberData(nameof(Lists))]
    public async Task List_LimitNotANumber_Returns400Problem(string path)
    {
        var (_, owner) = await NewWorkspaceAsync();

        await owner.GetAsync($"{path}?limit=lots", Ct).ExpectProblemAsync(HttpStatusCode.BadRequest);
    }
}

public sealed class AuditAndPagingApiSqliteTests(SqliteApiFixture fixture) : AuditAndPagingApiTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class AuditAndPagingApiPostgresTests(PostgresApiFixture fixture) : AuditAndPagingApiTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
