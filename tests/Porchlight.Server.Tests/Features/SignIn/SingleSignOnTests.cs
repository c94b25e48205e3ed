using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Audit;
using Porchlight.Server.Features.SignIn;
using Porchlight.Server.Tests.Infrastructure;
using Porchlight.Testing;

namespace Porchlight.Server.Tests.Features.SignIn;

/// <summary>
/// Single sign-on through the real sign-in page and a real OpenID Connect provider on a socket (<see cref="OpenIdProvider"/>).
/// Every redirect between the browser, the server and the provider is followed by hand, with the browser's cookies, as a
/// browser would. Runs against SQLite and PostgreSQL, where agents, sessions and the audit trail are stored.
/// </summary>
public abstract partial class SingleSignOnTests
{
    private const string ButtonText = "Sign in with Acme SSO";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract PorchlightFactory CreateFactory(IDictionary<string, string?> settings, TimeProvider clock);

    [Fact]
    public async Task SingleSignOn_KnownVerifiedEmail_SignsInAndCreatesASession()
    {
        await using var provider = await OpenIdProvider.StartAsync();
        await using var factory = CreateFactory(provider);
        var workspace = await factory.CreateWorkspaceAsync();
        var (agentId, email, _) = await factory.AddAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        // Providers keep the address as the person typed it; it names the agent as a typed sign-in email does.
        provider.User = new ProviderUser(email.ToUpperInvariant());
        using var browser = new BrowserSession(factory, BrowserSession.Https);
        Assert.Contains(ButtonText, await browser.GetPageAsync("/signin"), StringComparison.Ordinal);

        var response = await SignInThroughProviderAsync(browser, provider, "/settings/profile");

        Assert.Equal("/settings/profile", BrowserSession.LocationOf(response));
        Assert.True(BrowserSession.SetsAuthCookie(response));
        Assert.Equal(HttpStatusCode.OK, (await browser.Client.GetAsync("/settings/profile", Ct)).StatusCode);
        var session = Assert.Single(await SessionsOfAsync(factory, agentId));
        Assert.False(session.TwoFactor);
        var signedIn = Assert.Single(await AuditAsync(factory, workspace.WorkspaceId, "auth.signed_in"));
        Assert.Equal(agentId, signedIn.ActorAgentId);
        Assert.Equal(agentId.ToString(), signedIn.EntityId);
        Assert.Equal("sso", MethodOf(signedIn));

        // The completing step deleted the provider's answer from the browser: again, it finds nothing to complete.
        var again = await browser.Client.GetAsync(SingleSignOn.CompletePath, Ct);
        Assert.Equal($"/signin?error={SignInOutcome.Expired}", BrowserSession.LocationOf(again));
        Assert.Single(await SessionsOfAsync(factory, agentId));
    }

    [Fact]
    public async Task SingleSignOn_UnverifiedEmail_RefusedAndNoSession()
    {
        await using var provider = await OpenIdProvider.StartAsync();
        await using var factory = CreateFactory(provider);
        var workspace = await factory.CreateWorkspaceAsync();
        var (agentId, email, _) = await factory.AddAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        provider.User = new ProviderUser(email, EmailVerified: false);
        using var browser = new BrowserSession(factory, BrowserSession.Https);

        var response = await SignInThroughProviderAsync(browser, provider);

        var location = BrowserSession.LocationOf(response);
        Assert.Equal($"/signin?error={SignInOutcome.UnverifiedEmail}", location);
        Assert.False(BrowserSession.SetsAuthCookie(response));
        Assert.Contains("did not confirm your email address", await browser.GetPageAsync(location), StringComparison.Ordinal);
        Assert.Equal("/signin", BrowserSession.PathOf(await browser.Client.GetAsync("/settings/profile", Ct)));
        Assert.Empty(await SessionsOfAsync(factory, agentId));
        // Someone named the agent with an address the provider did not check: a failed sign-in, not the agent's act.
        var refused = Assert.Single(await AuditAsync(factory, workspace.WorkspaceId, "auth.sign_in_failed"));
        Assert.Null(refused.ActorAgentId);
        Assert.Equal(agentId.ToString(), refused.EntityId);
        Assert.Equal("sso", MethodOf(refused));
        Assert.Empty(await AuditAsync(factory, workspace.WorkspaceId, "auth.signed_in"));
    }

    [Fact]
    public async Task SingleSignOn_UnknownEmail_RefusedWithMessage()
    {
        await using var provider = await OpenIdProvider.StartAsync();
        await using var factory = CreateFactory(provider);
        var workspace = await factory.CreateWorkspaceAsync();
        provider.User = new ProviderUser("stranger@example.com");
        using var browser = new BrowserSession(factory, BrowserSession.Https);

        var response = await SignInThroughProviderAsync(browser, provider);

        var location = BrowserSession.LocationOf(response);
        Assert.Equal($"/signin?error={SignInOutcome.UnknownEmail}", location);
        Assert.False(BrowserSession.SetsAuthCookie(response));
        Assert.Contains("No agent here has the email your sign-in provider gave", await browser.GetPageAsync(location), StringComparison.Ordinal);
        // Agents come by invitation only: nobody was made, and nobody signed in.
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        Assert.False(await db.Agents.IgnoreQueryFilters().AnyAsync(a => a.NormalizedEmail == "STRANGER@EXAMPLE.COM", Ct));
        Assert.Equal(1, await db.Agents.IgnoreQueryFilters().CountAsync(a => a.WorkspaceId == workspace.WorkspaceId, Ct));
        Assert.False(await db.AgentSessions.IgnoreQueryFilters().AnyAsync(Ct));
    }

    [Fact]
    public async Task SingleSignOn_DeactivatedAgent_RefusedAndAudited()
    {
        await using var provider = await OpenIdProvider.StartAsync();
        await using var factory = CreateFactory(provider);
        var workspace = await factory.CreateWorkspaceAsync();
        var (agentId, email, _) = await factory.AddAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        using var api = factory.CreateApiClient(workspace.OwnerToken);
        Assert.Equal(HttpStatusCode.OK, (await api.PatchAsJsonAsync($"/api/v1/agents/{agentId}", new { isActive = false }, Ct)).StatusCode);
        provider.User = new ProviderUser(email);
        using var browser = new BrowserSession(factory, BrowserSession.Https);

        var response = await SignInThroughProviderAsync(browser, provider);

        Assert.Equal($"/signin?error={SignInOutcome.Deactivated}", BrowserSession.LocationOf(response));
        Assert.False(BrowserSession.SetsAuthCookie(response));
        Assert.Empty(await SessionsOfAsync(factory, agentId));
        Assert.Equal("sso", MethodOf(Assert.Single(await AuditAsync(factory, workspace.WorkspaceId, "auth.sign_in_failed"))));
    }

    [Fact]
    public async Task SingleSignOn_AgentWithTwoFactor_AsksForTheCodeBeforeSigningIn()
    {
        var clock = new ShiftedClock();
        await using var provider = await OpenIdProvider.StartAsync();
        await using var factory = CreateFactory(provider, clock);
        var workspace = await factory.CreateWorkspaceAsync();
        var (key, _) = await TwoFactorTests.EnableTwoFactorAsync(factory, clock, workspace.OwnerId);
        provider.User = new ProviderUser(workspace.OwnerEmail);
        using var browser = new BrowserSession(factory, BrowserSession.Https);

        var provided = await SignInThroughProviderAsync(browser, provider, "/settings/inboxes");

        // The provider stands in for the password only: the second step comes next, and the app stays closed until then.
        Assert.Equal("/signin/two-factor?returnUrl=%2Fsettings%2Finboxes", BrowserSession.LocationOf(provided));
        Assert.False(BrowserSession.SetsAuthCookie(provided));
        Assert.Equal("/signin", BrowserSession.PathOf(await browser.Client.GetAsync("/settings/profile", Ct)));
        Assert.Empty(await SessionsOfAsync(factory, workspace.OwnerId));
        Assert.Empty(await AuditAsync(factory, workspace.WorkspaceId, "auth.signed_in"));

        clock.Advance(TimeSpan.FromSeconds(30));
        var code = await TwoFactorTests.SubmitCodeAsync(browser, TestTotp.Code(key, clock.GetUtcNow()), "/settings/inboxes");

        Assert.Equal("/settings/inboxes", BrowserSession.LocationOf(code));
        Assert.True(BrowserSession.SetsAuthCookie(code));
        Assert.True(Assert.Single(await SessionsOfAsync(factory, workspace.OwnerId)).TwoFactor);
        Assert.Equal("sso", MethodOf(Assert.Single(await AuditAsync(factory, workspace.WorkspaceId, "auth.signed_in"))));
    }

    [Fact]
    public async Task SingleSignOn_WorkspaceRequiresTwoFactor_AgentWithoutItSetsItUpFirst()
    {
        var clock = new ShiftedClock();
        await using var provider = await OpenIdProvider.StartAsync();
        await using var factory = CreateFactory(provider, clock);
        var workspace = await factory.CreateWorkspaceAsync();
        var (agentId, email, _) = await factory.AddAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<AppDbContext>().Workspaces.IgnoreQueryFilters().Where(w => w.Id == workspace.WorkspaceId)
                .ExecuteUpdateAsync(w => w.SetProperty(x => x.RequireTwoFactor, true), Ct);
        }

        provider.User = new ProviderUser(email);
        using var browser = new BrowserSession(factory, BrowserSession.Https);

        var provided = await SignInThroughProviderAsync(browser, provider);

        Assert.Equal("/signin/two-factor/setup", BrowserSession.LocationOf(provided));
        Assert.False(BrowserSession.SetsAuthCookie(provided));
        Assert.Empty(await SessionsOfAsync(factory, agentId));
        var key = TwoFactorTests.KeyOnPage().Match(await browser.GetPageAsync("/signin/two-factor/setup")).Groups[1].Value.Replace(" ", "", StringComparison.Ordinal);
        var enrolled = await browser.SubmitAsync("/signin/two-factor/setup", "/account/signin/two-factor/setup",
            new Dictionary<string, string> { ["code"] = TestTotp.Code(key, clock.GetUtcNow()) });
        Assert.Equal("/signin/two-factor/recovery-codes", BrowserSession.LocationOf(enrolled));
        Assert.True(BrowserSession.SetsAuthCookie(enrolled));
        Assert.True(Assert.Single(await SessionsOfAsync(factory, agentId)).TwoFactor);
        Assert.Equal("sso", MethodOf(Assert.Single(await AuditAsync(factory, workspace.WorkspaceId, "auth.signed_in"))));
    }

    [Fact]
    public Task SingleSignOn_TamperedIdToken_Refused() => RefusedForItsSignatureAsync(TokenSigning.AnotherKey);

    [Fact]
    public Task SingleSignOn_UnsignedIdToken_Refused() => RefusedForItsSignatureAsync(TokenSigning.None);

    private async Task RefusedForItsSignatureAsync(TokenSigning signing)
    {
        await using var provider = await OpenIdProvider.StartAsync();
        await using var factory = CreateFactory(provider);
        var workspace = await factory.CreateWorkspaceAsync();
        // Everything else is right: a known agent, a verified email. Only the signature is not the provider's.
        provider.User = new ProviderUser(workspace.OwnerEmail);
        provider.Signing = signing;
        using var browser = new BrowserSession(factory, BrowserSession.Https);

        var response = await SignInThroughProviderAsync(browser, provider);

        Assert.Equal(1, provider.TokensIssued);
        var location = BrowserSession.LocationOf(response);
        Assert.Equal($"/signin?error={SignInOutcome.SingleSignOnFailed}", location);
        Assert.False(BrowserSession.SetsAuthCookie(response));
        Assert.Contains("Single sign-on did not complete", await browser.GetPageAsync(location), StringComparison.Ordinal);
        Assert.Equal("/signin", BrowserSession.PathOf(await browser.Client.GetAsync("/settings/profile", Ct)));
        Assert.Empty(await SessionsOfAsync(factory, workspace.OwnerId));
        Assert.Empty(await AuditAsync(factory, workspace.WorkspaceId, "auth.signed_in"));
    }

    [Theory]
    [InlineData("//evil.example")]
    [InlineData("https://evil.example/")]
    public async Task SingleSignOn_ReturnUrlToAnotherSite_SignsInHomeInstead(string returnUrl)
    {
        await using var provider = await OpenIdProvider.StartAsync();
        await using var factory = CreateFactory(provider);
        var workspace = await factory.CreateWorkspaceAsync();
        provider.User = new ProviderUser(workspace.OwnerEmail);
        using var browser = new BrowserSession(factory, BrowserSession.Https);

        var response = await SignInThroughProviderAsync(browser, provider, returnUrl);

        Assert.Equal("/", BrowserSession.LocationOf(response));
        Assert.True(BrowserSession.SetsAuthCookie(response));
    }

    [Fact]
    public async Task SingleSignOn_NotConfigured_NoButtonAndEndpoint404()
    {
        await using var factory = CreateFactory(new Dictionary<string, string?>(), TimeProvider.System);
        await factory.CreateWorkspaceAsync();
        using var browser = new BrowserSession(factory, BrowserSession.Https);

        var page = await browser.GetPageAsync("/signin");

        Assert.DoesNotContain("Sign in with", page, StringComparison.Ordinal);
        Assert.DoesNotMatch(SingleSignOnLink(), page);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.Client.GetAsync(SingleSignOn.StartPath, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.Client.GetAsync($"{SingleSignOn.CallbackPath}?code=a-code&state=a-state", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.Client.GetAsync(SingleSignOn.CompletePath, Ct)).StatusCode);
    }

    [Fact]
    public async Task SingleSignOn_StepsOverTheSignInLimit_Answer429()
    {
        await using var provider = await OpenIdProvider.StartAsync();
        var settings = SettingsFor(provider);
        settings["Security:SignInAttemptsPerMinute"] = "1";
        await using var factory = CreateFactory(settings, TimeProvider.System);
        await factory.CreateWorkspaceAsync();
        using var browser = new BrowserSession(factory, BrowserSession.Https);

        var start = await browser.Client.GetAsync(SingleSignOn.StartPath, Ct);
        // The handler answers the callback before any endpoint runs; the limit counts it all the same.
        var callback = await browser.Client.GetAsync($"{SingleSignOn.CallbackPath}?code=a-code&state=a-state", Ct);
        var complete = await browser.Client.GetAsync(SingleSignOn.CompletePath, Ct);

        Assert.StartsWith($"{provider.Issuer}/authorize?", BrowserSession.LocationOf(start), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, callback.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, complete.StatusCode);
        Assert.NotNull(complete.Headers.RetryAfter);
    }

    private PorchlightFactory CreateFactory(OpenIdProvider provider, TimeProvider? clock = null) =>
        CreateFactory(SettingsFor(provider), clock ?? TimeProvider.System);

    private static Dictionary<string, string?> SettingsFor(OpenIdProvider provider) => new()
    {
        ["SingleSignOn:Authority"] = provider.Issuer,
        ["SingleSignOn:ClientId"] = OpenIdProvider.ClientId,
        ["SingleSignOn:ClientSecret"] = OpenIdProvider.ClientSecret,
        ["SingleSignOn:DisplayName"] = "Acme SSO",
        // The test provider speaks plain HTTP on 127.0.0.1.
        ["SingleSignOn:RequireHttpsMetadata"] = "false",
    };

    /// <summary>
    /// The sign-in page's button, then each redirect by hand: to the provider (which answers at once), back to the
    /// server's callback, and on to the completing step when the callback accepted the answer.
    /// </summary>
    /// <returns>The server's last answer: where the browser goes next.</returns>
    private static async Task<HttpResponseMessage> SignInThroughProviderAsync(BrowserSession browser, OpenIdProvider provider, string? returnUrl = null)
    {
        var signInPage = await browser.GetPageAsync(returnUrl is null ? "/signin" : $"/signin?returnUrl={Uri.EscapeDataString(returnUrl)}");
        var button = WebUtility.HtmlDecode(SingleSignOnLink().Match(signInPage).Groups["href"].Value);
        var toProvider = BrowserSession.LocationOf(await browser.Client.GetAsync(button, Ct));
        Assert.StartsWith($"{provider.Issuer}/authorize?", toProvider, StringComparison.Ordinal);

        using var atTheProvider = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var backToServer = BrowserSession.LocationOf(await atTheProvider.GetAsync(toProvider, Ct));
        Assert.StartsWith($"{BrowserSession.Https.GetLeftPart(UriPartial.Authority)}{SingleSignOn.CallbackPath}?", backToServer, StringComparison.Ordinal);

        var callback = await browser.Client.GetAsync(backToServer, Ct);
        return BrowserSession.PathOf(callback) == SingleSignOn.CompletePath
            ? await browser.Client.GetAsync(BrowserSession.LocationOf(callback), Ct)
            : callback;
    }

    private static async Task<List<AgentSession>> SessionsOfAsync(PorchlightFactory factory, Guid agentId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().AgentSessions.IgnoreQueryFilters().AsNoTracking()
            .Where(s => s.AgentId == agentId).ToListAsync(Ct);
    }

    private static async Task<List<AuditEntry>> AuditAsync(PorchlightFactory factory, Guid workspaceId, string action)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().AuditEntries.IgnoreQueryFilters().AsNoTracking()
            .Where(e => e.WorkspaceId == workspaceId && e.Action == action).ToListAsync(Ct);
    }

    [GeneratedRegex(@"<a href=""(?<href>[^""]*)"" id=""sign-in-sso""")]
    private static partial Regex SingleSignOnLink();

    /// <summary>How the entry says the agent signed in (the first step's method).</summary>
    private static string? MethodOf(AuditEntry entry) =>
        JsonDocument.Parse(entry.Changes!).RootElement.GetProperty("method").GetProperty("after").GetString();
}

public sealed class SingleSignOnSqliteTests : SingleSignOnTests
{
    protected override PorchlightFactory CreateFactory(IDictionary<string, string?> settings, TimeProvider clock) =>
        new(settings: settings, configureServices: services => services.AddSingleton<TimeProvider>(new StorageClock(clock)));
}

public sealed class SingleSignOnPostgresTests(PostgresServer postgres) : SingleSignOnTests
{
    protected override PorchlightFactory CreateFactory(IDictionary<string, string?> settings, TimeProvider clock) =>
        new(TestDatabase.Postgres, postgres, settings, services => services.AddSingleton<TimeProvider>(new StorageClock(clock)));
}
