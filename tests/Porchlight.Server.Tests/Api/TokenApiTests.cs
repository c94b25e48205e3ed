using System.Net;
using System.Text.Json;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Api;

public abstract class TokenApiTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    private static readonly string[] ReadOnly = ["read"];
    private static readonly string[] WriteOnly = ["write"];
    private static readonly string[] ReadWrite = ["read", "write"];
    private static readonly string[] AllScopes = ["read", "write", "admin"];

    [Fact]
    public async Task CreateToken_ValidRequest_ShowsSecretOnceAndListNeverDoes()
    {
        var (_, owner) = await NewWorkspaceAsync();

        using var response = await owner.PostJsonAsync("/api/v1/tokens", new { name = "Zapier", scopes = ReadWrite });
        var created = await response.ExpectAsync(HttpStatusCode.Created);

        var secret = created.Text("token")!;
        Assert.StartsWith("plt_", secret, StringComparison.Ordinal);
        Assert.StartsWith(created.Text("hint")!, secret, StringComparison.Ordinal);
        Assert.Equal(["read", "write"], created.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal($"/api/v1/tokens/{created.IdOf()}", response.Headers.Location?.OriginalString);

        var tokens = await owner.ListAllAsync("/api/v1/tokens");
        var listed = Assert.Single(tokens, t => t.IdOf() == created.IdOf());
        Assert.Equal("Zapier", listed.Text("name"));
        Assert.All(tokens, t => Assert.Equal(JsonValueKind.Null, t.GetProperty("token").ValueKind));
        Assert.DoesNotContain(secret, JsonSerializer.Serialize(tokens), StringComparison.Ordinal);

        using var zapier = Factory.CreateApiClient(secret);
        Assert.Equal("Olivia Owner", (await zapier.GetJsonAsync("/api/v1/me")).Text("displayName"));
    }

    [Fact]
    public async Task Secrets_TokenAndInvitationLink_NeverEnterTheAuditTrail()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var token = await owner.PostJsonAsync("/api/v1/tokens", new { name = "Zapier", scopes = ReadOnly }).ExpectAsync(HttpStatusCode.Created);
        var invitation = await owner.PostJsonAsync("/api/v1/invitations", new { email = $"new-{Guid.NewGuid():N}@example.com", role = "Agent" })
            .ExpectAsync(HttpStatusCode.Created);
        var secrets = new[] { token.Text("token")!, invitation.Text("acceptUrl")![(invitation.Text("acceptUrl")!.LastIndexOf('/') + 1)..] };

        var audit = JsonSerializer.Serialize(await owner.ListAllAsync("/api/v1/audit"));

        Assert.Contains("api_token.created", audit, StringComparison.Ordinal);
        Assert.Contains("invitation.created", audit, StringComparison.Ordinal);
        foreach (var secret in secrets)
        {
            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret)));
            Assert.DoesNotContain(secret, audit, StringComparison.Ordinal);
            Assert.DoesNotContain(hash, audit, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task RevokeToken_OwnToken_StopsWorkingWith401AndStaysListedAsRevoked()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var created = await owner.PostJsonAsync("/api/v1/tokens", new { name = "Script", scopes = ReadOnly }).ExpectAsync(HttpStatusCode.Created);
        using var script = Factory.CreateApiClient(created.Text("token")!);
        await script.GetJsonAsync("/api/v1/workspace");

        var revoked = await owner.DeleteAsync($"/api/v1/tokens/{created.IdOf()}", Ct).ExpectAsync(HttpStatusCode.OK);

        Assert.NotEqual(JsonValueKind.Null, revoked.GetProperty("revokedAt").ValueKind);
        await script.GetAsync("/api/v1/workspace", Ct).ExpectProblemAsync(HttpStatusCode.Unauthorized);
        var listed = Assert.Single(await owner.ListAllAsync("/api/v1/tokens"), t => t.IdOf() == created.IdOf());
        Assert.NotEqual(JsonValueKind.Null, listed.GetProperty("revokedAt").ValueKind);
        await owner.GetJsonAsync("/api/v1/workspace");
    }

    [Fact]
    public async Task RevokeToken_AnotherAgentsToken_Returns404AndTokenKeepsWorking()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Admin);
        var created = await agent.PostJsonAsync("/api/v1/tokens", new { name = "Mine", scopes = ReadOnly }).ExpectAsync(HttpStatusCode.Created);

        await owner.DeleteAsync($"/api/v1/tokens/{created.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);

        Assert.DoesNotContain(await owner.ListAllAsync("/api/v1/tokens"), t => t.IdOf() == created.IdOf());
        using var stillWorks = Factory.CreateApiClient(created.Text("token")!);
        await stillWorks.GetJsonAsync("/api/v1/me");
    }

    [Fact]
    public async Task ReadOnlyToken_Writes_Return403AndChangeNothing()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, _, readOnly) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Owner, ["read"]);

        await readOnly.GetJsonAsync("/api/v1/workspace");
        await readOnly.GetJsonAsync("/api/v1/teams");
        await readOnly.PutJsonAsync("/api/v1/workspace", new { name = "Nope", timeZone = "UTC", businessHours = Array.Empty<object>() })
            .ExpectProblemAsync(HttpStatusCode.Forbidden);
        await readOnly.PostJsonAsync("/api/v1/teams", new { name = "Nope" }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await readOnly.PostJsonAsync("/api/v1/inboxes", new { name = "Nope", channel = "Api" }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await readOnly.PatchJsonAsync("/api/v1/me", new { displayName = "Nope" }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await readOnly.PostJsonAsync("/api/v1/tokens", new { name = "Escalate", scopes = AllScopes })
            .ExpectProblemAsync(HttpStatusCode.Forbidden);

        Assert.Equal("Acme Support", (await owner.GetJsonAsync("/api/v1/workspace")).Text("name"));
        Assert.Empty(await owner.ListAllAsync("/api/v1/teams"));
        Assert.Empty(await owner.ListAllAsync("/api/v1/inboxes"));
    }

    [Fact]
    public async Task ReadWriteToken_AdminOperations_Return403ButOwnProfileWorks()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, _, readWrite) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Owner, ["read", "write"]);

        await readWrite.PatchJsonAsync("/api/v1/me", new { displayName = "Renamed" }).ExpectAsync(HttpStatusCode.OK);
        await readWrite.PostJsonAsync("/api/v1/teams", new { name = "Nope" }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await readWrite.GetAsync("/api/v1/audit", Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);

        Assert.Empty(await owner.ListAllAsync("/api/v1/teams"));
    }

    [Fact]
    public async Task CreateToken_ScopeTheCreatorLacks_Returns403()
    {
        var (workspace, _) = await NewWorkspaceAsync();
        var (_, _, limited) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Owner, ["read", "admin"]);

        await limited.PostJsonAsync("/api/v1/tokens", new { name = "Escalate", scopes = WriteOnly }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await limited.PostJsonAsync("/api/v1/tokens", new { name = "Narrower", scopes = ReadOnly }).ExpectAsync(HttpStatusCode.Created);

        Assert.DoesNotContain(await limited.ListAllAsync("/api/v1/tokens"), t => t.Text("name") == "Escalate");
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[\"superuser\"]")]
    [InlineData("null")]
    public async Task CreateToken_BadScopes_Returns400(string scopes)
    {
        var (_, owner) = await NewWorkspaceAsync();
        var before = (await owner.ListAllAsync("/api/v1/tokens")).Count;

        await owner.SendRawAsync(HttpMethod.Post, "/api/v1/tokens", $$"""{"name":"Bad","scopes":{{scopes}}}""")
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "scopes");

        Assert.Equal(before, (await owner.ListAllAsync("/api/v1/tokens")).Count);
    }

    [Fact]
    public async Task ListTokens_OnlyTheCallersOwn()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, _, admin) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Admin);
        await admin.PostJsonAsync("/api/v1/tokens", new { name = "Admin's", scopes = ReadOnly }).ExpectAsync(HttpStatusCode.Created);

        var ownerTokens = await owner.ListAllAsync("/api/v1/tokens");

        Assert.DoesNotContain(ownerTokens, t => t.Text("name") == "Admin's");
        Assert.Contains(await admin.ListAllAsync("/api/v1/tokens"), t => t.Text("name") == "Admin's");
    }
}

public sealed class TokenApiSqliteTests(SqliteApiFixture fixture) : TokenApiTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class TokenApiPostgresTests(PostgresApiFixture fixture) : TokenApiTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
