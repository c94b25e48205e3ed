using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.SignIn;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Agents;

/// <summary>
/// Roles a workspace builds from permissions: an agent who holds one may do what it grants (and what everyone may do),
/// nothing of their built-in role's, through tokens and in the app.
/// </summary>
public abstract class CustomRoleTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    private const string Reports = "/api/v1/reports/overview?from=2026-03-01&to=2026-03-31";

    private static readonly string[] ViewReportsOnly = ["ViewReports"], ViewConversationsOnly = ["ViewConversations"], ManageWorkspaceOnly = ["ManageWorkspace"],
        ManageAgentsOnly = ["ManageAgents"], WithAnUnknownPermission = ["ViewReports", "Superpowers"], ANumber = ["3"],
        AnalystsPermissions = ["ViewWorkspace", "ManageOwnProfile", "ManageOwnTokens", "ViewReports"];

    [Fact]
    public async Task CustomRole_GivenToAnAgent_GrantsExactlyItsPermissionsInPlaceOfTheirRole()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (agentId, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        await agent.GetAsync(Reports, Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await agent.GetAsync("/api/v1/conversations", Ct).ExpectAsync(HttpStatusCode.OK);

        var role = await owner.PostJsonAsync("/api/v1/roles", new { name = "Analyst", description = "Reads reports only", permissions = ViewReportsOnly })
            .ExpectAsync(HttpStatusCode.Created);
        var given = await owner.PatchJsonAsync($"/api/v1/agents/{agentId}", new { customRoleId = role.IdOf() }).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(("Analyst", "Agent"), (given.GetProperty("customRole").Text("name"), given.Text("role")));
        Assert.Equal(AnalystsPermissions, given.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));
        await agent.GetAsync(Reports, Ct).ExpectAsync(HttpStatusCode.OK);
        await agent.GetAsync("/api/v1/conversations", Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal("Analyst", (await agent.GetJsonAsync("/api/v1/me")).GetProperty("customRole").Text("name"));
        Assert.Equal(1, (await owner.GetJsonAsync($"/api/v1/roles/{role.IdOf()}")).GetProperty("holders").GetInt32());

        // A built-in role given again takes the custom one away.
        var back = await owner.PatchJsonAsync($"/api/v1/agents/{agentId}", new { role = "Supervisor" }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, back.GetProperty("customRole").ValueKind);
        await agent.GetAsync("/api/v1/conversations", Ct).ExpectAsync(HttpStatusCode.OK);
        await agent.GetAsync(Reports, Ct).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task CustomRole_PermissionsChanged_HoldersTokensFollowAndTheirSessionsMustSignInAgain()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (agentId, email, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var role = await owner.PostJsonAsync("/api/v1/roles", new { name = "Analyst", permissions = ViewReportsOnly }).ExpectAsync(HttpStatusCode.Created);
        await owner.PatchJsonAsync($"/api/v1/agents/{agentId}", new { customRoleId = role.IdOf() }).ExpectAsync(HttpStatusCode.OK);
        await agent.GetAsync(Reports, Ct).ExpectAsync(HttpStatusCode.OK);
        var stampBefore = await SecurityStampAsync(agentId);

        await owner.PutJsonAsync($"/api/v1/roles/{role.IdOf()}", new { name = "Analyst", permissions = ViewConversationsOnly }).ExpectAsync(HttpStatusCode.OK);

        await agent.GetAsync(Reports, Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await agent.GetAsync("/api/v1/conversations", Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.NotEqual(stampBefore, await SecurityStampAsync(agentId));
        // A new session carries the role as it is now: the reports page is closed to it.
        using var browser = new BrowserSession(Factory);
        var signedIn = await browser.SignInAsync(email, TestWorkspace.Password);
        Assert.True(BrowserSession.SetsAuthCookie(signedIn));
        using var page = await browser.Client.GetAsync("/reports", Ct);
        Assert.NotEqual(HttpStatusCode.OK, page.StatusCode);
        using var inbox = await browser.Client.GetAsync("/inbox", Ct);
        Assert.Equal(HttpStatusCode.OK, inbox.StatusCode);
    }

    [Fact]
    public async Task CustomRole_BadInput_AnswersFieldErrorsAndStoresNothing()
    {
        var (_, owner) = await NewWorkspaceAsync();

        await owner.PostJsonAsync("/api/v1/roles", new { name = " ", permissions = Array.Empty<string>() }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "name");
        await owner.PostJsonAsync("/api/v1/roles", new { name = "Ghost" }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "permissions");
        await owner.PostJsonAsync("/api/v1/roles", new { name = "Wizard", permissions = WithAnUnknownPermission })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "permissions[1]");
        await owner.PostJsonAsync("/api/v1/roles", new { name = "Numbers", permissions = ANumber }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "permissions[0]");
        await owner.PostJsonAsync("/api/v1/roles", new { name = new string('x', CustomRole.MaxNameLength + 1), permissions = Array.Empty<string>() })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "name");
        Assert.Empty((await owner.GetJsonAsync("/api/v1/roles")).EnumerateArray());

        await owner.PostJsonAsync("/api/v1/roles", new { name = "Analyst", permissions = Array.Empty<string>() }).ExpectAsync(HttpStatusCode.Created);
        await owner.PostJsonAsync("/api/v1/roles", new { name = "Analyst", permissions = ViewReportsOnly }).ExpectFieldErrorAsync(HttpStatusCode.Conflict, "name");
        var only = Assert.Single((await owner.GetJsonAsync("/api/v1/roles")).EnumerateArray());
        Assert.Empty(only.GetProperty("permissions").EnumerateArray());
    }

    [Fact]
    public async Task CustomRole_HeldByAnAgent_CannotBeDeletedUntilTheyHoldAnother()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (agentId, _, _) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var role = await owner.PostJsonAsync("/api/v1/roles", new { name = "Analyst", permissions = ViewReportsOnly }).ExpectAsync(HttpStatusCode.Created);
        await owner.PatchJsonAsync($"/api/v1/agents/{agentId}", new { customRoleId = role.IdOf() }).ExpectAsync(HttpStatusCode.OK);

        await owner.DeleteAsync($"/api/v1/roles/{role.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.Conflict);
        await owner.GetAsync($"/api/v1/roles/{role.IdOf()}", Ct).ExpectAsync(HttpStatusCode.OK);

        await owner.PatchJsonAsync($"/api/v1/agents/{agentId}", new { role = "Agent" }).ExpectAsync(HttpStatusCode.OK);
        (await owner.DeleteAsync($"/api/v1/roles/{role.IdOf()}", Ct)).EnsureSuccessStatusCode();
        await owner.GetAsync($"/api/v1/roles/{role.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task CustomRole_ForOwnerForeignOrByAnAgent_RefusedAndNothingChanges()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, stranger) = await NewWorkspaceAsync("Globex");
        var (agentId, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var role = await owner.PostJsonAsync("/api/v1/roles", new { name = "Analyst", permissions = ViewReportsOnly }).ExpectAsync(HttpStatusCode.Created);
        var foreign = await stranger.PostJsonAsync("/api/v1/roles", new { name = "Theirs", permissions = ManageWorkspaceOnly }).ExpectAsync(HttpStatusCode.Created);

        await owner.PatchJsonAsync($"/api/v1/agents/{workspace.OwnerId}", new { customRoleId = role.IdOf() }).ExpectProblemAsync(HttpStatusCode.Conflict);
        await owner.PatchJsonAsync($"/api/v1/agents/{agentId}", new { customRoleId = foreign.IdOf() }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "customRoleId");
        await owner.PatchJsonAsync($"/api/v1/agents/{agentId}", new { role = "Admin", customRoleId = role.IdOf() }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "customRoleId");
        await owner.GetAsync($"/api/v1/roles/{foreign.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await owner.PutJsonAsync($"/api/v1/roles/{foreign.IdOf()}", new { name = "Mine now", permissions = Array.Empty<string>() }).ExpectProblemAsync(HttpStatusCode.NotFound);
        await owner.DeleteAsync($"/api/v1/roles/{foreign.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await agent.PostJsonAsync("/api/v1/roles", new { name = "Self-made", permissions = ManageAgentsOnly }).ExpectProblemAsync(HttpStatusCode.Forbidden);

        Assert.Equal("Theirs", (await stranger.GetJsonAsync($"/api/v1/roles/{foreign.IdOf()}")).Text("name"));
        Assert.Equal(0, (await stranger.GetJsonAsync($"/api/v1/roles/{foreign.IdOf()}")).GetProperty("holders").GetInt32());
        var owners = (await owner.GetJsonAsync($"/api/v1/agents/{workspace.OwnerId}"));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, owners.GetProperty("customRole").ValueKind);
        Assert.Equal("Agent", (await owner.GetJsonAsync($"/api/v1/agents/{agentId}")).Text("role"));
        Assert.Single((await owner.GetJsonAsync("/api/v1/roles")).EnumerateArray());
    }

    private async Task<string?> SecurityStampAsync(Guid agentId)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().Agents.IgnoreQueryFilters()
            .Where(a => a.Id == agentId).Select(a => a.SecurityStamp).SingleAsync(Ct);
    }
}

public sealed class CustomRoleSqliteTests(SqliteApiFixture fixture) : CustomRoleTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class CustomRolePostgresTests(PostgresApiFixture fixture) : CustomRoleTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
