using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Tests.Features.SignIn;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Audit;

/// <summary>Runs against SQLite and PostgreSQL through the two derived classes below.</summary>
public abstract class AuditTrailTests
{
    private static readonly string[] ReadScope = ["read"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract PorchlightFactory CreateFactory(Action<IServiceCollection>? configureServices = null);

    [Fact]
    public async Task Audit_WorkspaceSettingsChangedThroughApi_RecordsWhoWhenWhatAndFromWhere()
    {
        await using var factory = CreateFactory(s => s.AddClientAddress());
        var workspace = await factory.CreateWorkspaceAsync("Acme");
        using var api = factory.CreateApiClient(workspace.OwnerToken);
        var clock = factory.Services.GetRequiredService<TimeProvider>();
        var before = clock.GetUtcNow().UtcDateTime;

        var update = await api.PutAsJsonAsync("/api/v1/workspace", new
        {
            name = "Acme Support",
            timeZone = "America/Chicago",
            businessHours = new[] { new { day = "Monday", opens = "09:00:00", closes = "17:00:00" } },
        }, Ct);

        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        var after = clock.GetUtcNow().UtcDateTime;
        var entry = Assert.Single(await AuditAsync(api, "workspace.updated"));
        Assert.Equal(workspace.OwnerId, entry.GetProperty("actorAgentId").GetGuid());
        Assert.Equal("Olivia Owner", entry.GetProperty("actorName").GetString());
        Assert.Equal(ClientAddress.Default.ToString(), entry.GetProperty("ipAddress").GetString());
        Assert.Equal("workspace", entry.GetProperty("entityType").GetString());
        Assert.Equal(workspace.WorkspaceId.ToString(), entry.GetProperty("entityId").GetString());
        var at = entry.GetProperty("at").GetDateTime().ToUniversalTime();
        Assert.InRange(at, before.AddSeconds(-1), after.AddSeconds(1));
        var changes = entry.GetProperty("changes");
        Assert.Equal("Acme", changes.GetProperty("Name").GetProperty("before").GetString());
        Assert.Equal("Acme Support", changes.GetProperty("Name").GetProperty("after").GetString());
        Assert.Equal("Europe/Berlin", changes.GetProperty("TimeZone").GetProperty("before").GetString());
        Assert.Equal("America/Chicago", changes.GetProperty("TimeZone").GetProperty("after").GetString());
        Assert.True(changes.TryGetProperty("BusinessHours", out _), "the business hours change is recorded");
        Assert.False(changes.TryGetProperty("CreatedAt", out _), "unchanged values are not listed as changes");
    }

    [Fact]
    public async Task Audit_UnchangedSettingsSaved_RecordsNothing()
    {
        await using var factory = CreateFactory();
        var workspace = await factory.CreateWorkspaceAsync("Acme");
        using var api = factory.CreateApiClient(workspace.OwnerToken);
        var current = await api.GetFromJsonAsync<JsonElement>("/api/v1/workspace", Ct);

        var update = await api.PutAsJsonAsync("/api/v1/workspace", new
        {
            name = current.GetProperty("name").GetString(),
            timeZone = current.GetProperty("timeZone").GetString(),
            businessHours = current.GetProperty("businessHours"),
        }, Ct);

        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        Assert.Empty(await AuditAsync(api, "workspace.updated"));
    }

    [Fact]
    public async Task Audit_TokensInvitationsAndPasswords_NeverExposeSecretsInChanges()
    {
        await using var factory = CreateFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        using var api = factory.CreateApiClient(workspace.OwnerToken);
        var secrets = new List<string> { workspace.OwnerToken };
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var owner = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Agents.IgnoreQueryFilters().AsNoTracking()
                .SingleAsync(a => a.Id == workspace.OwnerId, Ct);
            secrets.Add(owner.PasswordHash!);
            secrets.Add(owner.SecurityStamp!);
        }

        var token = await api.PostAsJsonAsync("/api/v1/tokens", new { name = "ci", scopes = ReadScope }, Ct);
        Assert.Equal(HttpStatusCode.Created, token.StatusCode);
        secrets.Add((await token.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("token").GetString()!);
        var invitation = await api.PostAsJsonAsync("/api/v1/invitations", new { email = "new@example.com", role = "Agent" }, Ct);
        Assert.Equal(HttpStatusCode.Created, invitation.StatusCode);
        secrets.Add((await invitation.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("acceptUrl").GetString()!.Split('/')[^1]);
        var password = await api.PostAsJsonAsync("/api/v1/me/password",
            new { currentPassword = TestWorkspace.Password, newPassword = "another long passphrase" }, Ct);
        Assert.Equal(HttpStatusCode.NoContent, password.StatusCode);

        await using var check = factory.Services.CreateAsyncScope();
        var db = check.ServiceProvider.GetRequiredService<AppDbContext>();
        secrets.AddRange(await db.ApiTokens.IgnoreQueryFilters().Select(t => t.TokenHash).ToListAsync(Ct));
        secrets.AddRange(await db.Invitations.IgnoreQueryFilters().Select(i => i.TokenHash).ToListAsync(Ct));
        var agent = await db.Agents.IgnoreQueryFilters().AsNoTracking().SingleAsync(a => a.Id == workspace.OwnerId, Ct);
        secrets.Add(agent.PasswordHash!);
        secrets.Add(agent.SecurityStamp!);
        var entries = await db.AuditEntries.IgnoreQueryFilters().AsNoTracking().ToListAsync(Ct);

        // The trail does cover these records; it just leaves their secrets out.
        Assert.Contains(entries, e => e.Action == "agent.created");
        Assert.Contains(entries, e => e.Action == "api_token.created");
        Assert.Contains(entries, e => e.Action == "invitation.created");
        Assert.All(entries.Where(e => e.Changes is not null), entry =>
        {
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, entry.Changes!, StringComparison.Ordinal);
            }

            // The workspace's password policy (its shortest length) is a setting to record, not a secret.
            var fields = JsonDocument.Parse(entry.Changes!).RootElement.EnumerateObject().Select(p => p.Name).Where(f => f != "MinPasswordLength").ToList();
            Assert.DoesNotContain(fields, f => f.Contains("Hash", StringComparison.OrdinalIgnoreCase)
                || f.Contains("Password", StringComparison.OrdinalIgnoreCase) || f.Contains("Stamp", StringComparison.OrdinalIgnoreCase));
        });
    }

    [Fact]
    public async Task Audit_SignInFailureAndSuccess_AreRecordedWithAddress()
    {
        await using var factory = CreateFactory(s => s.AddClientAddress());
        var workspace = await factory.CreateWorkspaceAsync();
        using var browser = new BrowserSession(factory);

        Assert.Equal("/signin", BrowserSession.PathOf(await browser.SignInAsync(workspace.OwnerEmail, "not the password")));
        Assert.Equal("/", BrowserSession.PathOf(await browser.SignInAsync(workspace.OwnerEmail, TestWorkspace.Password)));

        using var api = factory.CreateApiClient(workspace.OwnerToken);
        var failed = Assert.Single(await AuditAsync(api, "auth.sign_in_failed"));
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("actorAgentId").ValueKind);
        Assert.Equal(workspace.OwnerEmail, failed.GetProperty("actorName").GetString());
        Assert.Equal(workspace.OwnerId.ToString(), failed.GetProperty("entityId").GetString());
        Assert.Equal(ClientAddress.Default.ToString(), failed.GetProperty("ipAddress").GetString());
        Assert.Equal("password", failed.GetProperty("changes").GetProperty("method").GetProperty("after").GetString());
        var succeeded = Assert.Single(await AuditAsync(api, "auth.signed_in"));
        Assert.Equal(workspace.OwnerId, succeeded.GetProperty("actorAgentId").GetGuid());
        Assert.Equal("Olivia Owner", succeeded.GetProperty("actorName").GetString());
        Assert.Equal(workspace.OwnerId.ToString(), succeeded.GetProperty("entityId").GetString());
        Assert.Equal(ClientAddress.Default.ToString(), succeeded.GetProperty("ipAddress").GetString());
        Assert.Equal("password", succeeded.GetProperty("changes").GetProperty("method").GetProperty("after").GetString());
    }

    [Fact]
    public async Task Audit_AnotherWorkspacesTrail_IsNotVisible()
    {
        await using var factory = CreateFactory();
        var mine = await factory.CreateWorkspaceAsync("Mine");
        var theirs = await factory.CreateWorkspaceAsync("Theirs");
        using var theirApi = factory.CreateApiClient(theirs.OwnerToken);
        var update = await theirApi.PutAsJsonAsync("/api/v1/workspace", new { name = "Theirs Renamed", timeZone = "UTC", businessHours = Array.Empty<object>() }, Ct);
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        using var myApi = factory.CreateApiClient(mine.OwnerToken);

        var visible = await AuditAsync(myApi, null);

        Assert.NotEmpty(visible);
        Assert.DoesNotContain(visible, e => e.GetProperty("entityId").GetString() == theirs.WorkspaceId.ToString());
        Assert.Single(await AuditAsync(theirApi, "workspace.updated"));
    }

    private static async Task<List<JsonElement>> AuditAsync(HttpClient api, string? action)
    {
        var url = "/api/v1/audit?limit=200" + (action is null ? "" : "&action=" + Uri.EscapeDataString(action));
        var page = await api.GetFromJsonAsync<JsonElement>(url, Ct);
        return [.. page.GetProperty("items").EnumerateArray()];
    }
}

public sealed class SqliteAuditTrailTests : AuditTrailTests
{
    protected override PorchlightFactory CreateFactory(Action<IServiceCollection>? configureServices = null) =>
        new(TestDatabase.Sqlite, configureServices: configureServices);
}

public sealed class PostgresAuditTrailTests(PostgresServer postgres) : AuditTrailTests
{
    protected override PorchlightFactory CreateFactory(Action<IServiceCollection>? configureServices = null) =>
        new(TestDatabase.Postgres, postgres, configureServices: configureServices);
}
