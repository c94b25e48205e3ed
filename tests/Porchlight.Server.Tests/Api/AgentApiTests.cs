using System.Net;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Api;

public abstract class AgentApiTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task ListAgents_WorkspaceWithTwoAgents_ReturnsBothWithRoles()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (agentId, email, _) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Supervisor);

        var agents = await owner.ListAllAsync("/api/v1/agents");

        Assert.Equal(2, agents.Count);
        var ownerRow = Assert.Single(agents, a => a.IdOf() == workspace.OwnerId);
        Assert.Equal("Owner", ownerRow.Text("role"));
        Assert.Equal(workspace.OwnerEmail, ownerRow.Text("email"));
        var supervisor = Assert.Single(agents, a => a.IdOf() == agentId);
        Assert.Equal("Supervisor", supervisor.Text("role"));
        Assert.Equal(email, supervisor.Text("email"));
        Assert.True(supervisor.GetProperty("isActive").GetBoolean());
    }

    [Fact]
    public async Task MyAlerts_SwitchedOn_AreKeptForThatAgentOnly()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);

        var before = await agent.GetJsonAsync("/api/v1/me/alerts");
        var switched = await agent.PutJsonAsync("/api/v1/me/alerts", new { enabled = true }).ExpectAsync(HttpStatusCode.OK);
        await agent.PutJsonAsync("/api/v1/me/alerts", new { }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "enabled");

        Assert.False(before.GetProperty("enabled").GetBoolean());
        Assert.True(switched.GetProperty("enabled").GetBoolean());
        Assert.True((await agent.GetJsonAsync("/api/v1/me/alerts")).GetProperty("enabled").GetBoolean());
        Assert.False((await owner.GetJsonAsync("/api/v1/me/alerts")).GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task GetAgent_ExistingAgent_ReturnsIt()
    {
        var (workspace, _) = await NewWorkspaceAsync();
        var (agentId, email, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);

        var body = await agent.GetJsonAsync($"/api/v1/agents/{agentId}");

        Assert.Equal(email, body.Text("email"));
        Assert.Equal("Agent", body.Text("role"));
    }

    [Fact]
    public async Task GetAgent_UnknownId_Returns404Problem()
    {
        var (_, owner) = await NewWorkspaceAsync();

        var problem = await owner.GetAsync($"/api/v1/agents/{Guid.CreateVersion7()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);

        Assert.Contains("Agent", problem.Text("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangeAgent_OwnerPromotesAgent_RoleSavedAndTokenGainsRights()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (agentId, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        await agent.PostJsonAsync("/api/v1/teams", new { name = "Before" }).ExpectProblemAsync(HttpStatusCode.Forbidden);

        var changed = await owner.PatchJsonAsync($"/api/v1/agents/{agentId}", new { role = "Supervisor" }).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("Supervisor", changed.Text("role"));
        Assert.Equal("Supervisor", (await owner.GetJsonAsync($"/api/v1/agents/{agentId}")).Text("role"));
        await agent.PostJsonAsync("/api/v1/teams", new { name = "After" }).ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task ChangeAgent_AdminChangesOwner_Returns403AndOwnerUnchanged()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, _, admin) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Admin);

        await admin.PatchJsonAsync($"/api/v1/agents/{workspace.OwnerId}", new { role = "Agent" }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await admin.PatchJsonAsync($"/api/v1/agents/{workspace.OwnerId}", new { isActive = false }).ExpectProblemAsync(HttpStatusCode.Forbidden);

        var ownerRow = await owner.GetJsonAsync($"/api/v1/agents/{workspace.OwnerId}");
        Assert.Equal("Owner", ownerRow.Text("role"));
        Assert.True(ownerRow.GetProperty("isActive").GetBoolean());
    }

    [Fact]
    public async Task ChangeAgent_AdminMakesSomeoneOwner_Returns403()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, _, admin) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Admin);
        var (agentId, _, _) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);

        await admin.PatchJsonAsync($"/api/v1/agents/{agentId}", new { role = "Owner" }).ExpectProblemAsync(HttpStatusCode.Forbidden);

        Assert.Equal("Agent", (await owner.GetJsonAsync($"/api/v1/agents/{agentId}")).Text("role"));
    }

    [Fact]
    public async Task ChangeAgent_AdminChangesNonOwner_Allowed()
    {
        var (workspace, _) = await NewWorkspaceAsync();
        var (_, _, admin) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Admin);
        var (agentId, _, _) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);

        var changed = await admin.PatchJsonAsync($"/api/v1/agents/{agentId}", new { role = "Admin" }).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("Admin", changed.Text("role"));
    }

    [Fact]
    public async Task ChangeAgent_OwnerMakesAnotherOwner_ThenFirstOwnerCanStepDown()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (agentId, _, _) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Admin);

        await owner.PatchJsonAsync($"/api/v1/agents/{agentId}", new { role = "Owner" }).ExpectAsync(HttpStatusCode.OK);
        var steppedDown = await owner.PatchJsonAsync($"/api/v1/agents/{workspace.OwnerId}", new { role = "Admin" }).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("Admin", steppedDown.Text("role"));
        Assert.Equal("Owner", (await owner.GetJsonAsync($"/api/v1/agents/{agentId}")).Text("role"));
    }

    [Fact]
    public async Task ChangeAgent_LastOwnerDemoted_Returns409AndStaysOwner()
    {
        var (workspace, owner) = await NewWorkspaceAsync();

        var problem = await owner.PatchJsonAsync($"/api/v1/agents/{workspace.OwnerId}", new { role = "Admin" }).ExpectProblemAsync(HttpStatusCode.Conflict);

        Assert.Contains("Owner", problem.Text("detail"), StringComparison.Ordinal);
        Assert.Equal("Owner", (await owner.GetJsonAsync($"/api/v1/agents/{workspace.OwnerId}")).Text("role"));
    }

    [Fact]
    public async Task ChangeAgent_LastActiveOwnerDeactivated_Returns409AndStaysActive()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        // A second Owner who is deactivated does not count: the first is still the last active one.
        var (secondOwnerId, _, _) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Owner);
        await owner.PatchJsonAsync($"/api/v1/agents/{secondOwnerId}", new { isActive = false }).ExpectAsync(HttpStatusCode.OK);

        await owner.PatchJsonAsync($"/api/v1/agents/{workspace.OwnerId}", new { isActive = false }).ExpectProblemAsync(HttpStatusCode.Conflict);
        await owner.PatchJsonAsync($"/api/v1/agents/{workspace.OwnerId}", new { role = "Agent" }).ExpectProblemAsync(HttpStatusCode.Conflict);

        var me = await owner.GetJsonAsync("/api/v1/me");
        Assert.True(me.GetProperty("isActive").GetBoolean());
        Assert.Equal("Owner", me.Text("role"));
    }

    [Fact]
    public async Task ChangeAgent_Deactivated_TheirTokenIsRefusedUntilReactivated()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (agentId, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        await agent.GetJsonAsync("/api/v1/me");

        var deactivated = await owner.PatchJsonAsync($"/api/v1/agents/{agentId}", new { isActive = false }).ExpectAsync(HttpStatusCode.OK);

        Assert.False(deactivated.GetProperty("isActive").GetBoolean());
        await agent.GetAsync("/api/v1/me", Ct).ExpectProblemAsync(HttpStatusCode.Unauthorized);
        await agent.GetAsync("/api/v1/teams", Ct).ExpectProblemAsync(HttpStatusCode.Unauthorized);

        await owner.PatchJsonAsync($"/api/v1/agents/{agentId}", new { isActive = true }).ExpectAsync(HttpStatusCode.OK);
        await agent.GetJsonAsync("/api/v1/me");
    }

    [Fact]
    public async Task ChangeAgent_AgentRole_Returns403()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (otherId, _, _) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);

        await agent.PatchJsonAsync($"/api/v1/agents/{otherId}", new { isActive = false }).ExpectProblemAsync(HttpStatusCode.Forbidden);

        Assert.True((await owner.GetJsonAsync($"/api/v1/agents/{otherId}")).GetProperty("isActive").GetBoolean());
    }

    [Fact]
    public async Task InviteAgent_ValidRequest_ShowsAcceptUrlOnlyInTheCreatingAnswer()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var email = $"new-{Guid.NewGuid():N}@example.com";

        using var response = await owner.PostJsonAsync("/api/v1/invitations", new { email, role = "Supervisor" });
        var created = await response.ExpectAsync(HttpStatusCode.Created);

        Assert.Equal($"/api/v1/invitations/{created.IdOf()}", response.Headers.Location?.OriginalString);
        Assert.Equal(email, created.Text("email"));
        Assert.Equal("Supervisor", created.Text("role"));
        Assert.Matches("/invite/inv_[A-Za-z0-9_-]{20,}$", created.Text("acceptUrl"));
        var listed = Assert.Single(await owner.ListAllAsync("/api/v1/invitations"));
        Assert.Equal(created.IdOf(), listed.IdOf());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, listed.GetProperty("acceptUrl").ValueKind);
        var secret = created.Text("acceptUrl")![(created.Text("acceptUrl")!.LastIndexOf('/') + 1)..];
        Assert.DoesNotContain(secret, listed.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InviteAgent_EmailWithOpenInvitation_Returns409WhateverTheCase()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var email = $"twice-{Guid.NewGuid():N}@example.com";
        await owner.PostJsonAsync("/api/v1/invitations", new { email, role = "Agent" }).ExpectAsync(HttpStatusCode.Created);

        await owner.PostJsonAsync("/api/v1/invitations", new { email = email.ToUpperInvariant(), role = "Admin" })
            .ExpectFieldErrorAsync(HttpStatusCode.Conflict, "email");

        Assert.Single(await owner.ListAllAsync("/api/v1/invitations"));
    }

    [Fact]
    public async Task InviteAgent_EmailOfExistingAgentInAnyWorkspace_Returns409()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (other, _) = await NewWorkspaceAsync("Other Co");

        await owner.PostJsonAsync("/api/v1/invitations", new { email = other.OwnerEmail, role = "Agent" })
            .ExpectFieldErrorAsync(HttpStatusCode.Conflict, "email");

        Assert.Empty(await owner.ListAllAsync("/api/v1/invitations"));
    }

    [Fact]
    public async Task InviteAgent_AdminInvitesOwner_Returns403()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, _, admin) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Admin);

        await admin.PostJsonAsync("/api/v1/invitations", new { email = $"boss-{Guid.NewGuid():N}@example.com", role = "Owner" })
            .ExpectProblemAsync(HttpStatusCode.Forbidden);

        Assert.Empty(await owner.ListAllAsync("/api/v1/invitations"));
    }

    [Fact]
    public async Task InviteAgent_AgentRole_Returns403()
    {
        var (workspace, _) = await NewWorkspaceAsync();
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);

        await agent.PostJsonAsync("/api/v1/invitations", new { email = $"friend-{Guid.NewGuid():N}@example.com", role = "Agent" })
            .ExpectProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task RevokeInvitation_OpenInvitation_GoneFromListAndEmailCanBeInvitedAgain()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var email = $"revoked-{Guid.NewGuid():N}@example.com";
        var invitation = await owner.PostJsonAsync("/api/v1/invitations", new { email, role = "Agent" }).ExpectAsync(HttpStatusCode.Created);

        await owner.DeleteAsync($"/api/v1/invitations/{invitation.IdOf()}", Ct).ExpectAsync(HttpStatusCode.NoContent);

        Assert.Empty(await owner.ListAllAsync("/api/v1/invitations"));
        await owner.DeleteAsync($"/api/v1/invitations/{invitation.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await owner.PostJsonAsync("/api/v1/invitations", new { email, role = "Agent" }).ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task GetMe_AgentToken_ReturnsOwnProfile()
    {
        var (workspace, _) = await NewWorkspaceAsync();
        var (agentId, email, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Supervisor);

        var me = await agent.GetJsonAsync("/api/v1/me");

        Assert.Equal(agentId, me.IdOf());
        Assert.Equal(email, me.Text("email"));
        Assert.Equal("Supervisor", me.Text("role"));
    }

    [Fact]
    public async Task UpdateMe_NewDisplayName_SavedAndVisibleToOthers()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (agentId, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);

        var me = await agent.PatchJsonAsync("/api/v1/me", new { displayName = "  Sam Rivera " }).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("Sam Rivera", me.Text("displayName"));
        Assert.Equal("Sam Rivera", (await owner.GetJsonAsync($"/api/v1/agents/{agentId}")).Text("displayName"));
    }

    [Fact]
    public async Task UpdateMe_BlankDisplayName_Returns400()
    {
        var (_, owner) = await NewWorkspaceAsync();

        await owner.PatchJsonAsync("/api/v1/me", new { displayName = "   " }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "displayName");

        Assert.Equal("Olivia Owner", (await owner.GetJsonAsync("/api/v1/me")).Text("displayName"));
    }

    [Fact]
    public async Task ChangeMyPassword_WrongCurrentPassword_Returns400()
    {
        var (_, owner) = await NewWorkspaceAsync();

        await owner.PostJsonAsync("/api/v1/me/password", new { currentPassword = "not my password", newPassword = "a much longer passphrase" })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "currentPassword");
        await owner.PostJsonAsync("/api/v1/me/password", new { currentPassword = TestWorkspace.Password, newPassword = "a much longer passphrase" })
            .ExpectAsync(HttpStatusCode.NoContent);
    }
}

public sealed class AgentApiSqliteTests(SqliteApiFixture fixture) : AgentApiTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class AgentApiPostgresTests(PostgresApiFixture fixture) : AgentApiTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
