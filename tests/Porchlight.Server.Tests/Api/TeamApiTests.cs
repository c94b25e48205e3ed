using System.Net;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Api;

public abstract class TeamApiTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task CreateTeam_ValidRequest_Returns201WithLocationAndIsListed()
    {
        var (_, owner) = await NewWorkspaceAsync();

        using var response = await owner.PostJsonAsync("/api/v1/teams", new { name = "  Billing ", description = "Invoices and refunds." });
        var team = await response.ExpectAsync(HttpStatusCode.Created);

        Assert.Equal($"/api/v1/teams/{team.IdOf()}", response.Headers.Location?.OriginalString);
        Assert.Equal("Billing", team.Text("name"));
        Assert.Equal("Invoices and refunds.", team.Text("description"));
        Assert.Equal(0, team.GetProperty("memberIds").GetArrayLength());
        ApiCalls.AssertSameResource(team, await owner.GetJsonAsync($"/api/v1/teams/{team.IdOf()}"));
        Assert.Equal(team.IdOf(), Assert.Single(await owner.ListAllAsync("/api/v1/teams")).IdOf());
    }

    [Fact]
    public async Task UpdateTeam_NewNameAndDescription_Saved()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var team = await owner.PostJsonAsync("/api/v1/teams", new { name = "Support" }).ExpectAsync(HttpStatusCode.Created);

        await owner.PutJsonAsync($"/api/v1/teams/{team.IdOf()}", new { name = "Tier 1", description = "First line." }).ExpectAsync(HttpStatusCode.OK);

        var reread = await owner.GetJsonAsync($"/api/v1/teams/{team.IdOf()}");
        Assert.Equal("Tier 1", reread.Text("name"));
        Assert.Equal("First line.", reread.Text("description"));
    }

    [Fact]
    public async Task UpdateTeam_KeepsOwnName_Allowed()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var team = await owner.PostJsonAsync("/api/v1/teams", new { name = "Support" }).ExpectAsync(HttpStatusCode.Created);

        await owner.PutJsonAsync($"/api/v1/teams/{team.IdOf()}", new { name = "SUPPORT", description = "Same team." }).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task UpdateTeam_NameOfAnotherTeam_Returns409()
    {
        var (_, owner) = await NewWorkspaceAsync();
        await owner.PostJsonAsync("/api/v1/teams", new { name = "Billing" }).ExpectAsync(HttpStatusCode.Created);
        var team = await owner.PostJsonAsync("/api/v1/teams", new { name = "Support" }).ExpectAsync(HttpStatusCode.Created);

        await owner.PutJsonAsync($"/api/v1/teams/{team.IdOf()}", new { name = "billing" }).ExpectFieldErrorAsync(HttpStatusCode.Conflict, "name");

        Assert.Equal("Support", (await owner.GetJsonAsync($"/api/v1/teams/{team.IdOf()}")).Text("name"));
    }

    [Fact]
    public async Task CreateTeam_SameNameInAnotherWorkspace_Allowed()
    {
        var (_, first) = await NewWorkspaceAsync();
        var (_, second) = await NewWorkspaceAsync("Other Co");

        await first.PostJsonAsync("/api/v1/teams", new { name = "Billing" }).ExpectAsync(HttpStatusCode.Created);
        await second.PostJsonAsync("/api/v1/teams", new { name = "Billing" }).ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task DeleteTeam_Existing_Returns204AndThen404()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var team = await owner.PostJsonAsync("/api/v1/teams", new { name = "Short-lived" }).ExpectAsync(HttpStatusCode.Created);

        await owner.DeleteAsync($"/api/v1/teams/{team.IdOf()}", Ct).ExpectAsync(HttpStatusCode.NoContent);

        await owner.GetAsync($"/api/v1/teams/{team.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await owner.DeleteAsync($"/api/v1/teams/{team.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty(await owner.ListAllAsync("/api/v1/teams"));
    }

    [Fact]
    public async Task DeleteTeam_WithMembers_KeepsTheAgents()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (agentId, _, _) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var team = await owner.PostJsonAsync("/api/v1/teams", new { name = "Doomed" }).ExpectAsync(HttpStatusCode.Created);
        await owner.PutAsync($"/api/v1/teams/{team.IdOf()}/members/{agentId}", null, Ct).ExpectAsync(HttpStatusCode.OK);

        await owner.DeleteAsync($"/api/v1/teams/{team.IdOf()}", Ct).ExpectAsync(HttpStatusCode.NoContent);

        Assert.True((await owner.GetJsonAsync($"/api/v1/agents/{agentId}")).GetProperty("isActive").GetBoolean());
    }

    [Fact]
    public async Task TeamMembers_AddTwiceThenRemove_MemberIdsFollow()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (agentId, _, _) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var team = await owner.PostJsonAsync("/api/v1/teams", new { name = "Support" }).ExpectAsync(HttpStatusCode.Created);
        var members = $"/api/v1/teams/{team.IdOf()}/members";

        var added = await owner.PutAsync($"{members}/{agentId}", null, Ct).ExpectAsync(HttpStatusCode.OK);
        var addedAgain = await owner.PutAsync($"{members}/{agentId}", null, Ct).ExpectAsync(HttpStatusCode.OK);
        await owner.PutAsync($"{members}/{workspace.OwnerId}", null, Ct).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal([agentId], added.GetProperty("memberIds").EnumerateArray().Select(m => m.GetGuid()));
        Assert.Equal([agentId], addedAgain.GetProperty("memberIds").EnumerateArray().Select(m => m.GetGuid()));
        var both = await owner.GetJsonAsync($"/api/v1/teams/{team.IdOf()}");
        Assert.Equal(
            new[] { agentId, workspace.OwnerId }.Order(),
            both.GetProperty("memberIds").EnumerateArray().Select(m => m.GetGuid()).Order());

        var removed = await owner.DeleteAsync($"{members}/{agentId}", Ct).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal([workspace.OwnerId], removed.GetProperty("memberIds").EnumerateArray().Select(m => m.GetGuid()));
        Assert.Equal(
            [workspace.OwnerId],
            (await owner.GetJsonAsync($"/api/v1/teams/{team.IdOf()}")).GetProperty("memberIds").EnumerateArray().Select(m => m.GetGuid()));
        var audit = await owner.ListAllAsync("/api/v1/audit");
        Assert.Equal(2, audit.Count(e => e.Text("action") == "team.member_added" && e.Text("entityId") == team.IdOf().ToString()));
        var removal = Assert.Single(audit, e => e.Text("action") == "team.member_removed");
        Assert.Equal(agentId, removal.GetProperty("changes").GetProperty("AgentId").GetProperty("before").GetGuid());
    }

    [Fact]
    public async Task TeamMembers_SameAgentAddedConcurrently_AllSucceedWithOneMembership()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (agentId, _, _) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var team = await owner.PostJsonAsync("/api/v1/teams", new { name = "Support" }).ExpectAsync(HttpStatusCode.Created);

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            using var response = await owner.PutAsync($"/api/v1/teams/{team.IdOf()}/members/{agentId}", null, Ct);
            return $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}";
        }));

        Assert.All(responses, r => Assert.StartsWith("200:", r, StringComparison.Ordinal));
        Assert.Equal(
            [agentId],
            (await owner.GetJsonAsync($"/api/v1/teams/{team.IdOf()}")).GetProperty("memberIds").EnumerateArray().Select(m => m.GetGuid()));
    }

    [Fact]
    public async Task TeamMembers_SameAgentRemovedConcurrently_OneSucceedsOthersGet404()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (agentId, _, _) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var team = await owner.PostJsonAsync("/api/v1/teams", new { name = "Support" }).ExpectAsync(HttpStatusCode.Created);
        await owner.PutAsync($"/api/v1/teams/{team.IdOf()}/members/{agentId}", null, Ct).ExpectAsync(HttpStatusCode.OK);

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            using var response = await owner.DeleteAsync($"/api/v1/teams/{team.IdOf()}/members/{agentId}", Ct);
            return (Status: response.StatusCode, Body: await response.Content.ReadAsStringAsync(Ct));
        }));

        Assert.True(
            responses.Count(r => r.Status == HttpStatusCode.OK) == 1 && responses.Count(r => r.Status == HttpStatusCode.NotFound) == 5,
            string.Join("\n", responses.Select(r => $"{(int)r.Status}: {r.Body}")));
        Assert.Equal(0, (await owner.GetJsonAsync($"/api/v1/teams/{team.IdOf()}")).GetProperty("memberIds").GetArrayLength());
    }

    [Fact]
    public async Task TeamMembers_RemoveNonMember_Returns404()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var team = await owner.PostJsonAsync("/api/v1/teams", new { name = "Support" }).ExpectAsync(HttpStatusCode.Created);

        await owner.DeleteAsync($"/api/v1/teams/{team.IdOf()}/members/{workspace.OwnerId}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task TeamMembers_AddUnknownAgent_Returns404AndAddsNothing()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var team = await owner.PostJsonAsync("/api/v1/teams", new { name = "Support" }).ExpectAsync(HttpStatusCode.Created);

        var problem = await owner.PutAsync($"/api/v1/teams/{team.IdOf()}/members/{Guid.CreateVersion7()}", null, Ct)
            .ExpectProblemAsync(HttpStatusCode.NotFound);

        Assert.Contains("Agent", problem.Text("detail"), StringComparison.Ordinal);
        Assert.Equal(0, (await owner.GetJsonAsync($"/api/v1/teams/{team.IdOf()}")).GetProperty("memberIds").GetArrayLength());
    }

    [Fact]
    public async Task CreateTeam_SupervisorRole_Allowed()
    {
        var (workspace, _) = await NewWorkspaceAsync();
        var (_, _, supervisor) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Supervisor);

        await supervisor.PostJsonAsync("/api/v1/teams", new { name = "Night shift" }).ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Teams_AgentRole_CanReadButNotChange()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (agentId, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var team = await owner.PostJsonAsync("/api/v1/teams", new { name = "Support" }).ExpectAsync(HttpStatusCode.Created);

        await agent.GetJsonAsync($"/api/v1/teams/{team.IdOf()}");
        await agent.PostJsonAsync("/api/v1/teams", new { name = "Mine" }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await agent.PutJsonAsync($"/api/v1/teams/{team.IdOf()}", new { name = "Mine" }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await agent.PutAsync($"/api/v1/teams/{team.IdOf()}/members/{agentId}", null, Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await agent.DeleteAsync($"/api/v1/teams/{team.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);

        var unchanged = Assert.Single(await owner.ListAllAsync("/api/v1/teams"));
        Assert.Equal("Support", unchanged.Text("name"));
        Assert.Equal(0, unchanged.GetProperty("memberIds").GetArrayLength());
    }
}

public sealed class TeamApiSqliteTests(SqliteApiFixture fixture) : TeamApiTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class TeamApiPostgresTests(PostgresApiFixture fixture) : TeamApiTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
