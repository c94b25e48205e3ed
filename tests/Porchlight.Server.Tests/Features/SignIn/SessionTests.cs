using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.SignIn;
using Porchlight.Server.Hosting;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.SignIn;

/// <summary>
/// Server-side sessions of the app's cookie: listed, ended one at a time or all but the current one, and ended by a
/// password change or reset and by a deactivation; an ended session's cookie is refused on its next request. Runs
/// against SQLite and PostgreSQL, where the sessions are stored.
/// </summary>
public abstract class SessionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract PorchlightFactory CreateFactory();

    [Fact]
    public async Task Sessions_ListedAndEndedThroughTheApi_TheEndedCookieIsRefusedOnItsNextRequest()
    {
        await using var factory = CreateFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        using var api = factory.CreateApiClient(workspace.OwnerToken);
        using var laptop = await SignedInAsync(factory, workspace.OwnerEmail, Firefox);
        using var phone = await SignedInAsync(factory, workspace.OwnerEmail, IPhone);

        var sessions = await api.GetFromJsonAsync<JsonElement>("/api/v1/me/sessions", Ct);
        Assert.Equal(2, sessions.GetArrayLength());
        var phoneSession = sessions.EnumerateArray().Single(s => s.GetProperty("userAgent").GetString() == IPhone);
        Assert.Equal("Safari on iOS", phoneSession.GetProperty("device").GetString());
        Assert.Contains(sessions.EnumerateArray(), s => s.GetProperty("device").GetString() == "Firefox on Windows");
        // Called with a token, no session is the current one.
        Assert.All(sessions.EnumerateArray(), s => Assert.False(s.GetProperty("current").GetBoolean()));
        Assert.All(sessions.EnumerateArray(), s => Assert.False(s.GetProperty("twoFactor").GetBoolean()));

        var ended = await api.DeleteAsync($"/api/v1/me/sessions/{phoneSession.GetProperty("id").GetGuid()}", Ct);

        Assert.Equal(HttpStatusCode.NoContent, ended.StatusCode);
        Assert.Equal("/signin", BrowserSession.PathOf(await phone.Client.GetAsync("/settings/profile", Ct)));
        Assert.Equal(HttpStatusCode.OK, (await laptop.Client.GetAsync("/settings/profile", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.DeleteAsync($"/api/v1/me/sessions/{phoneSession.GetProperty("id").GetGuid()}", Ct)).StatusCode);
        Assert.Single((await api.GetFromJsonAsync<JsonElement>("/api/v1/me/sessions", Ct)).EnumerateArray());

        // Another agent's session is not the caller's to end.
        var (_, agentEmail, agentToken) = await factory.AddAgentAsync(workspace.WorkspaceId, AgentRole.Admin);
        using var agentBrowser = await SignedInAsync(factory, agentEmail, Firefox);
        using var agentApi = factory.CreateApiClient(agentToken);
        var laptopId = (await api.GetFromJsonAsync<JsonElement>("/api/v1/me/sessions", Ct))[0].GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.NotFound, (await agentApi.DeleteAsync($"/api/v1/me/sessions/{laptopId}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await laptop.Client.GetAsync("/settings/profile", Ct)).StatusCode);

        // All others: with a token, that is every session.
        var all = await api.DeleteAsync("/api/v1/me/sessions", Ct);
        Assert.Equal(1, (await all.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("ended").GetInt32());
        Assert.Equal("/signin", BrowserSession.PathOf(await laptop.Client.GetAsync("/settings/profile", Ct)));
        Assert.Equal(HttpStatusCode.OK, (await agentBrowser.Client.GetAsync("/settings/profile", Ct)).StatusCode);
        var actions = await TwoFactorTests.AuditActionsAsync(factory, workspace.WorkspaceId);
        Assert.Contains("auth.session_ended", actions);
        Assert.Contains("auth.other_sessions_ended", actions);
    }

    [Fact]
    public async Task Sessions_EndedOnOneNode_AreRefusedOnAnotherWithinSeconds()
    {
        await using var factory = CreateFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        await using var otherNode = factory.AnotherNode();
        using var browser = await SignedInAsync(otherNode, workspace.OwnerEmail, Firefox);
        // The other node has checked the session, and knows it to be on.
        Assert.Equal(HttpStatusCode.OK, (await browser.Client.GetAsync("/settings/profile", Ct)).StatusCode);
        using var api = factory.CreateApiClient(workspace.OwnerToken);

        var ended = await api.DeleteAsync("/api/v1/me/sessions", Ct);
        var endedAt = DateTime.UtcNow;

        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        await Eventually.WaitUntilAsync(async () =>
            (await browser.Client.GetAsync("/settings/profile", Ct)).StatusCode == HttpStatusCode.Redirect, "the other node refuses the session");
        Assert.True(DateTime.UtcNow - endedAt < AgentSessionCache.Freshness + TimeSpan.FromSeconds(3), $"refused after {DateTime.UtcNow - endedAt}");
    }

    [Fact]
    public async Task PasswordChange_EndsTheOtherSessionsAndKeepsTheOneItWasMadeIn()
    {
        await using var factory = CreateFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        using var laptop = await SignedInAsync(factory, workspace.OwnerEmail, Firefox);
        using var phone = await SignedInAsync(factory, workspace.OwnerEmail, IPhone);
        var laptopSession = await SessionIdAsync(factory, workspace.OwnerId, Firefox);

        // What the profile page does: the use case, acting in the laptop's session.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var owner = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Agents.IgnoreQueryFilters().AsNoTracking().SingleAsync(a => a.Id == workspace.OwnerId, Ct);
            var principal = new ClaimsPrincipal(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, owner.Id.ToString()), new Claim(PorchlightClaims.SessionId, laptopSession.ToString()),
                .. PorchlightClaims.For(owner, null),
            ], "test"));
            Assert.True(scope.ServiceProvider.GetRequiredService<ActingAgent>().Enter(principal, "127.0.0.1"));
            var changed = await scope.ServiceProvider.GetRequiredService<ChangeMyPassword>().HandleAsync(new ChangePasswordRequest(TestWorkspace.Password, "a brand new passphrase"), Ct);
            Assert.True(changed.Succeeded, changed.Failure?.Detail);
        }

        Assert.Equal("/signin", BrowserSession.PathOf(await phone.Client.GetAsync("/settings/profile", Ct)));
        Assert.Equal(HttpStatusCode.OK, (await laptop.Client.GetAsync("/settings/profile", Ct)).StatusCode);
        Assert.Contains("auth.password_changed", await TwoFactorTests.AuditActionsAsync(factory, workspace.WorkspaceId));
    }

    [Fact]
    public async Task PasswordReset_EndsEverySession()
    {
        await using var factory = CreateFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        using var laptop = await SignedInAsync(factory, workspace.OwnerEmail, Firefox);
        string token;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<Agent>>();
            token = await users.GeneratePasswordResetTokenAsync((await users.FindByEmailAsync(workspace.OwnerEmail))!);
        }

        using var browser = new BrowserSession(factory);
        var reset = await browser.SubmitAsync("/reset-password", "/account/reset-password", new Dictionary<string, string>
        {
            ["email"] = workspace.OwnerEmail, ["token"] = token, ["password"] = "a brand new passphrase",
        });

        Assert.Equal("/signin?reset=1", BrowserSession.LocationOf(reset));
        Assert.Equal("/signin", BrowserSession.PathOf(await laptop.Client.GetAsync("/settings/profile", Ct)));
        await using var check = factory.Services.CreateAsyncScope();
        Assert.False(await check.ServiceProvider.GetRequiredService<AppDbContext>().AgentSessions.IgnoreQueryFilters().AnyAsync(s => s.AgentId == workspace.OwnerId, Ct));
    }

    [Fact]
    public async Task Deactivation_EndsTheAgentsSessionsAtOnce()
    {
        await using var factory = CreateFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        var (agentId, email, _) = await factory.AddAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        using var browser = await SignedInAsync(factory, email, Firefox);
        Assert.Equal(HttpStatusCode.OK, (await browser.Client.GetAsync("/settings/profile", Ct)).StatusCode);
        using var owner = factory.CreateApiClient(workspace.OwnerToken);

        Assert.Equal(HttpStatusCode.OK, (await owner.PatchAsJsonAsync($"/api/v1/agents/{agentId}", new { isActive = false }, Ct)).StatusCode);

        // Not within the minute the security stamp check allowed before: on the next request.
        Assert.Equal("/signin", BrowserSession.PathOf(await browser.Client.GetAsync("/settings/profile", Ct)));
        await using var check = factory.Services.CreateAsyncScope();
        Assert.False(await check.ServiceProvider.GetRequiredService<AppDbContext>().AgentSessions.IgnoreQueryFilters().AnyAsync(s => s.AgentId == agentId, Ct));
    }

    [Fact]
    public async Task SignOut_EndsTheSessionRow()
    {
        await using var factory = CreateFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        using var browser = await SignedInAsync(factory, workspace.OwnerEmail, Firefox);
        var page = await browser.GetPageAsync("/signin");

        Assert.Equal("/signin?signedOut=1", BrowserSession.LocationOf(await browser.PostAsync("/account/signout", new Dictionary<string, string>(), BrowserSession.AntiforgeryTokenIn(page))));

        await using var check = factory.Services.CreateAsyncScope();
        Assert.False(await check.ServiceProvider.GetRequiredService<AppDbContext>().AgentSessions.IgnoreQueryFilters().AnyAsync(s => s.AgentId == workspace.OwnerId, Ct));
    }

    private const string Firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";
    private const string IPhone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

    private static async Task<BrowserSession> SignedInAsync(PorchlightFactory factory, string email, string userAgent)
    {
        var browser = new BrowserSession(factory);
        browser.Client.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        var response = await browser.SignInAsync(email, TestWorkspace.Password);
        Assert.Equal("/", BrowserSession.LocationOf(response));
        return browser;
    }

    private static async Task<Guid> SessionIdAsync(PorchlightFactory factory, Guid agentId, string userAgent)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().AgentSessions.IgnoreQueryFilters()
            .Where(s => s.AgentId == agentId && s.UserAgent == userAgent).Select(s => s.Id).SingleAsync(Ct);
    }
}

public sealed class SessionSqliteTests : SessionTests
{
    protected override PorchlightFactory CreateFactory() => new();
}

public sealed class SessionPostgresTests(PostgresServer postgres) : SessionTests
{
    protected override PorchlightFactory CreateFactory() => new(TestDatabase.Postgres, postgres);
}
