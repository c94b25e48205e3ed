using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.SignIn;
using Porchlight.Server.Hosting;
using Porchlight.Server.Tests.Infrastructure;
using Porchlight.Testing;

namespace Porchlight.Server.Tests.Features.SignIn;

/// <summary>
/// Two-factor sign-in through the real sign-in forms, with codes from the tests' own authenticator (<see cref="TestTotp"/>)
/// on a clock the test moves: a code is taken once, so the next sign-in waits for the next 30-second step. Runs against
/// SQLite and PostgreSQL, where the key, the recovery codes and the lockout count are stored.
/// </summary>
public abstract partial class TwoFactorTests
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract PorchlightFactory CreateFactory(ShiftedClock clock);

    [Fact]
    public async Task TwoFactor_Enabled_SignInNeedsTheCodeCountsWrongOnesAndTakesEachCodeOnce()
    {
        var clock = new ShiftedClock();
        await using var factory = CreateFactory(clock);
        var workspace = await factory.CreateWorkspaceAsync();
        var (key, recoveryCodes) = await EnableTwoFactorAsync(factory, clock, workspace.OwnerId);
        Assert.Equal(10, recoveryCodes.Length);
        Assert.Equal(10, recoveryCodes.Distinct().Count());

        // The right password alone does not sign in: it leads to the second step, and the app stays closed.
        using var browser = new BrowserSession(factory);
        var password = await browser.SignInAsync(workspace.OwnerEmail, TestWorkspace.Password, "/settings/inboxes");
        Assert.Equal("/signin/two-factor?returnUrl=%2Fsettings%2Finboxes", BrowserSession.LocationOf(password));
        Assert.False(BrowserSession.SetsAuthCookie(password));
        Assert.Equal("/signin", BrowserSession.PathOf(await browser.Client.GetAsync("/settings/profile", Ct)));

        // A wrong code is refused and counted toward the lockout.
        clock.Advance(TimeSpan.FromSeconds(30));
        var rightCode = TestTotp.Code(key, clock.GetUtcNow());
        var wrong = await SubmitCodeAsync(browser, TestTotp.Other(rightCode));
        Assert.StartsWith("/signin/two-factor?error=Failed", BrowserSession.LocationOf(wrong), StringComparison.Ordinal);
        Assert.False(BrowserSession.SetsAuthCookie(wrong));
        Assert.Equal(1, await FailedCountAsync(factory, workspace.OwnerId));

        // The right one signs in, to where the agent was going, and clears the count.
        var right = await SubmitCodeAsync(browser, rightCode, "/settings/inboxes");
        Assert.Equal("/settings/inboxes", BrowserSession.LocationOf(right));
        Assert.True(BrowserSession.SetsAuthCookie(right));
        Assert.Equal(HttpStatusCode.OK, (await browser.Client.GetAsync("/settings/profile", Ct)).StatusCode);
        Assert.Equal(0, await FailedCountAsync(factory, workspace.OwnerId));

        // The same code again, from another browser with the password: refused (a code is taken once).
        using var replay = new BrowserSession(factory);
        Assert.StartsWith("/signin/two-factor", BrowserSession.LocationOf(await replay.SignInAsync(workspace.OwnerEmail, TestWorkspace.Password)), StringComparison.Ordinal);
        Assert.StartsWith("/signin/two-factor?error=Failed", BrowserSession.LocationOf(await SubmitCodeAsync(replay, rightCode)), StringComparison.Ordinal);

        // A recovery code works in place of a code, once.
        using var lostPhone = new BrowserSession(factory);
        await lostPhone.SignInAsync(workspace.OwnerEmail, TestWorkspace.Password);
        var recovered = await SubmitRecoveryCodeAsync(lostPhone, recoveryCodes[3].ToLowerInvariant());
        Assert.Equal("/", BrowserSession.LocationOf(recovered));
        Assert.True(BrowserSession.SetsAuthCookie(recovered));
        using var again = new BrowserSession(factory);
        await again.SignInAsync(workspace.OwnerEmail, TestWorkspace.Password);
        var reused = await SubmitRecoveryCodeAsync(again, recoveryCodes[3]);
        Assert.StartsWith("/signin/two-factor?error=Failed&recovery=1", BrowserSession.LocationOf(reused), StringComparison.Ordinal);
        Assert.False(BrowserSession.SetsAuthCookie(reused));
        // Another unused one still works.
        Assert.Equal("/", BrowserSession.LocationOf(await SubmitRecoveryCodeAsync(again, recoveryCodes[4])));

        var actions = await AuditActionsAsync(factory, workspace.WorkspaceId);
        Assert.Contains("auth.two_factor_enabled", actions);
        Assert.Equal(3, actions.Count(a => a == "auth.two_factor_failed"));
        Assert.Equal(2, actions.Count(a => a == "auth.recovery_code_used"));
        Assert.Equal(3, actions.Count(a => a == "auth.signed_in"));
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Agent>>();
        Assert.Equal(8, await users.CountRecoveryCodesAsync((await users.FindByIdAsync(workspace.OwnerId.ToString()))!));
    }

    [Fact]
    public async Task TwoFactor_FiveWrongCodes_LockTheAccountEvenForTheRightPasswordAndCode()
    {
        var clock = new ShiftedClock();
        await using var factory = CreateFactory(clock);
        var workspace = await factory.CreateWorkspaceAsync();
        var (key, _) = await EnableTwoFactorAsync(factory, clock, workspace.OwnerId);
        using var browser = new BrowserSession(factory);
        await browser.SignInAsync(workspace.OwnerEmail, TestWorkspace.Password);

        var outcomes = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            outcomes.Add(BrowserSession.LocationOf(await SubmitCodeAsync(browser, TestTotp.Other(TestTotp.Code(key, clock.GetUtcNow())))));
            if (i == 1)
            {
                // Signing in again with the password does not start the count over.
                await browser.SignInAsync(workspace.OwnerEmail, TestWorkspace.Password);
            }
        }

        Assert.All(outcomes[..4], o => Assert.StartsWith("/signin/two-factor?error=Failed", o, StringComparison.Ordinal));
        Assert.Equal("/signin?error=LockedOut", outcomes[4]);
        clock.Advance(TimeSpan.FromSeconds(30));
        var locked = await browser.SignInAsync(workspace.OwnerEmail, TestWorkspace.Password);
        Assert.Equal("LockedOut", QueryHelpers.ParseQuery(new Uri("http://x" + BrowserSession.LocationOf(locked)).Query)["error"].ToString());
        Assert.Contains("auth.locked_out", await AuditActionsAsync(factory, workspace.WorkspaceId));
    }

    [Fact]
    public async Task TwoFactor_Secrets_AreNotStoredInPlainTextAndStillWork()
    {
        var clock = new ShiftedClock();
        await using var factory = CreateFactory(clock);
        var workspace = await factory.CreateWorkspaceAsync();
        var (key, recoveryCodes) = await EnableTwoFactorAsync(factory, clock, workspace.OwnerId);

        List<IdentityUserToken<Guid>> rows;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            rows = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Set<IdentityUserToken<Guid>>().AsNoTracking()
                .Where(t => t.UserId == workspace.OwnerId).ToListAsync(Ct);
        }

        // The authenticator key: encrypted with Data Protection, so the row shows nothing of the key.
        var keyRow = Assert.Single(rows, r => r.Name == "AuthenticatorKey");
        Assert.StartsWith("dp:", keyRow.Value, StringComparison.Ordinal);
        Assert.DoesNotContain(key, keyRow.Value!, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(key[..8], keyRow.Value!, StringComparison.OrdinalIgnoreCase);
        // Recovery codes: ten SHA-256 hashes, none of the codes in any form.
        var codesRow = Assert.Single(rows, r => r.Name == "RecoveryCodes");
        var stored = codesRow.Value!.Split(';');
        Assert.Equal(10, stored.Length);
        Assert.All(stored, hash => Assert.Matches("^sha256:[0-9a-f]{64}$", hash));
        foreach (var code in recoveryCodes)
        {
            Assert.DoesNotContain(code, codesRow.Value, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(code.Replace("-", "", StringComparison.Ordinal), codesRow.Value, StringComparison.OrdinalIgnoreCase);
        }

        // And what is stored still signs in, by code and by recovery code.
        clock.Advance(TimeSpan.FromSeconds(30));
        using var browser = new BrowserSession(factory);
        await browser.SignInAsync(workspace.OwnerEmail, TestWorkspace.Password);
        Assert.Equal("/", BrowserSession.LocationOf(await SubmitCodeAsync(browser, TestTotp.Code(key, clock.GetUtcNow()))));
    }

    [Fact]
    public async Task TwoFactor_TurnedOffWithTheWrongProof_StaysOnAndWithTheRightCode_GoesAndSignInNeedsThePasswordOnly()
    {
        var clock = new ShiftedClock();
        await using var factory = CreateFactory(clock);
        var workspace = await factory.CreateWorkspaceAsync();
        var (key, _) = await EnableTwoFactorAsync(factory, clock, workspace.OwnerId);

        var refused = await AsAgentAsync<MyTwoFactor, Result<Done>>(factory, workspace.OwnerId, u => u.DisableAsync(null, "not my password", Ct));
        Assert.Equal("password", Assert.Single(refused.Failure!.FieldErrors!).Key);
        clock.Advance(TimeSpan.FromSeconds(30));
        var regenerated = await AsAgentAsync<MyTwoFactor, Result<string[]>>(factory, workspace.OwnerId, u => u.RegenerateRecoveryCodesAsync(Ct));
        Assert.Equal(10, regenerated.Value!.Length);
        var off = await AsAgentAsync<MyTwoFactor, Result<Done>>(factory, workspace.OwnerId, u => u.DisableAsync(TestTotp.Code(key, clock.GetUtcNow()), null, Ct));
        Assert.True(off.Succeeded, off.Failure?.Detail);

        using var browser = new BrowserSession(factory);
        Assert.Equal("/", BrowserSession.LocationOf(await browser.SignInAsync(workspace.OwnerEmail, TestWorkspace.Password)));
        var actions = await AuditActionsAsync(factory, workspace.WorkspaceId);
        Assert.Contains("auth.recovery_codes_regenerated", actions);
        Assert.Contains("auth.two_factor_disabled", actions);
        await using var scope = factory.Services.CreateAsyncScope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<AppDbContext>().Set<IdentityUserToken<Guid>>()
            .AnyAsync(t => t.UserId == workspace.OwnerId, Ct));
    }

    [Fact]
    public async Task RequireTwoFactor_AgentWithoutIt_SetsItUpBeforeTheAppOpensAndTheirTokenIsUnaffected()
    {
        var clock = new ShiftedClock();
        await using var factory = CreateFactory(clock);
        var workspace = await factory.CreateWorkspaceAsync();
        var (agentId, agentEmail, agentToken) = await factory.AddAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (_, _, adminToken) = await factory.AddAgentAsync(workspace.WorkspaceId, AgentRole.Admin);
        using var owner = factory.CreateApiClient(workspace.OwnerToken);
        using var admin = factory.CreateApiClient(adminToken);
        using var agentApi = factory.CreateApiClient(agentToken);
        using var before = new BrowserSession(factory);
        Assert.Equal("/", BrowserSession.LocationOf(await before.SignInAsync(agentEmail, TestWorkspace.Password)));

        // Only someone who has it themselves makes it a rule.
        var settings = (await owner.GetFromJsonAsync<JsonElement>("/api/v1/workspace", Ct)).Clone();
        var refused = await admin.PutAsJsonAsync("/api/v1/workspace", WithSignInPolicy(settings, requireTwoFactor: true), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.True((await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("requireTwoFactor", out _));
        await EnableTwoFactorAsync(factory, clock, workspace.OwnerId);
        var required = await owner.PutAsJsonAsync("/api/v1/workspace", WithSignInPolicy(settings, requireTwoFactor: true), Ct);
        Assert.Equal(HttpStatusCode.OK, required.StatusCode);
        Assert.True((await required.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("requireTwoFactor").GetBoolean());

        // The agent's session without a second factor ended; their API token goes on working.
        Assert.Equal("/signin", BrowserSession.PathOf(await before.Client.GetAsync("/settings/profile", Ct)));
        Assert.Equal(HttpStatusCode.OK, (await agentApi.GetAsync("/api/v1/me", Ct)).StatusCode);

        // The right password leads to setting it up, not into the app or anything that takes the cookie.
        using var browser = new BrowserSession(factory);
        var password = await browser.SignInAsync(agentEmail, TestWorkspace.Password);
        Assert.Equal("/signin/two-factor/setup", BrowserSession.LocationOf(password));
        Assert.False(BrowserSession.SetsAuthCookie(password));
        Assert.Equal("/signin", BrowserSession.PathOf(await browser.Client.GetAsync("/", Ct)));
        Assert.Equal("/signin", BrowserSession.PathOf(await browser.Client.GetAsync("/settings/profile", Ct)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.Client.GetAsync("/api/v1/me", Ct)).StatusCode);

        var page = await browser.GetPageAsync("/signin/two-factor/setup");
        var key = KeyOnPage().Match(page).Groups[1].Value.Replace(" ", "", StringComparison.Ordinal);
        Assert.Matches("^[a-z2-7]{32}$", key);
        Assert.Contains("otpauth://totp/Porchlight:", WebUtility.HtmlDecode(page), StringComparison.Ordinal);
        var wrong = await browser.PostAsync("/account/signin/two-factor/setup",
            new Dictionary<string, string> { ["code"] = TestTotp.Other(TestTotp.Code(key, clock.GetUtcNow())) }, BrowserSession.AntiforgeryTokenIn(page));
        Assert.StartsWith("/signin/two-factor/setup?error=Failed", BrowserSession.LocationOf(wrong), StringComparison.Ordinal);
        Assert.False(BrowserSession.SetsAuthCookie(wrong));

        var enrolled = await browser.SubmitAsync("/signin/two-factor/setup", "/account/signin/two-factor/setup",
            new Dictionary<string, string> { ["code"] = TestTotp.Code(key, clock.GetUtcNow()) });
        Assert.Equal("/signin/two-factor/recovery-codes", BrowserSession.LocationOf(enrolled));
        Assert.True(BrowserSession.SetsAuthCookie(enrolled));
        var codesPage = await browser.GetPageAsync("/signin/two-factor/recovery-codes");
        var codes = RecoveryCodeOnPage().Matches(codesPage).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(10, codes.Count);
        Assert.DoesNotContain(codes[0], await browser.GetPageAsync("/signin/two-factor/recovery-codes"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await browser.Client.GetAsync("/settings/profile", Ct)).StatusCode);

        // From now on the agent signs in with a code, and their codes are theirs.
        using var next = new BrowserSession(factory);
        Assert.Equal("/signin/two-factor", BrowserSession.LocationOf(await next.SignInAsync(agentEmail, TestWorkspace.Password)));
        Assert.Equal("/", BrowserSession.LocationOf(await SubmitRecoveryCodeAsync(next, codes[0])));
        var off = await AsAgentAsync<MyTwoFactor, Result<Done>>(factory, agentId, u => u.DisableAsync(null, TestWorkspace.Password, Ct));
        Assert.Equal(FailureKind.Conflict, off.Failure!.Kind);
    }

    [Fact]
    public async Task RequireTwoFactor_InvitedAgent_SetsItUpBeforeTheAppOpens()
    {
        var clock = new ShiftedClock();
        await using var factory = CreateFactory(clock);
        var workspace = await factory.CreateWorkspaceAsync();
        await EnableTwoFactorAsync(factory, clock, workspace.OwnerId);
        using var owner = factory.CreateApiClient(workspace.OwnerToken);
        var settings = (await owner.GetFromJsonAsync<JsonElement>("/api/v1/workspace", Ct)).Clone();
        Assert.Equal(HttpStatusCode.OK, (await owner.PutAsJsonAsync("/api/v1/workspace", WithSignInPolicy(settings, requireTwoFactor: true), Ct)).StatusCode);
        var invited = await owner.PostAsJsonAsync("/api/v1/invitations", new { email = "newcomer@example.com", role = "Agent" }, Ct);
        var acceptPath = new Uri((await invited.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("acceptUrl").GetString()!).AbsolutePath;
        using var browser = new BrowserSession(factory);

        var accepted = await browser.SubmitAsync(acceptPath, acceptPath, new Dictionary<string, string> { ["displayName"] = "New Comer", ["password"] = TestWorkspace.Password });

        Assert.Equal("/signin/two-factor/setup", BrowserSession.LocationOf(accepted));
        Assert.False(BrowserSession.SetsAuthCookie(accepted));
        Assert.Contains("authenticator-key", await browser.GetPageAsync("/signin/two-factor/setup"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoFactor_ResetByAnAdministrator_IsOffTheAgentIsSignedOutAndSignsInWithThePassword()
    {
        var clock = new ShiftedClock();
        await using var factory = CreateFactory(clock);
        var workspace = await factory.CreateWorkspaceAsync();
        var (agentId, agentEmail, _) = await factory.AddAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (key, _) = await EnableTwoFactorAsync(factory, clock, agentId);
        clock.Advance(TimeSpan.FromSeconds(30));
        using var browser = new BrowserSession(factory);
        await browser.SignInAsync(agentEmail, TestWorkspace.Password);
        Assert.Equal("/", BrowserSession.LocationOf(await SubmitCodeAsync(browser, TestTotp.Code(key, clock.GetUtcNow()))));
        using var owner = factory.CreateApiClient(workspace.OwnerToken);

        var reset = await owner.PatchAsJsonAsync($"/api/v1/agents/{agentId}", new { resetTwoFactor = true }, Ct);

        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.False((await reset.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("twoFactorEnabled").GetBoolean());
        Assert.Equal("/signin", BrowserSession.PathOf(await browser.Client.GetAsync("/settings/profile", Ct)));
        using var again = new BrowserSession(factory);
        Assert.Equal("/", BrowserSession.LocationOf(await again.SignInAsync(agentEmail, TestWorkspace.Password)));
        Assert.Contains("auth.two_factor_reset", await AuditActionsAsync(factory, workspace.WorkspaceId));
    }

    private static object WithSignInPolicy(JsonElement settings, bool? requireTwoFactor = null, int? minPasswordLength = null) => new
    {
        name = settings.GetProperty("name").GetString(),
        timeZone = settings.GetProperty("timeZone").GetString(),
        businessHours = settings.GetProperty("businessHours"),
        requireTwoFactor,
        minPasswordLength,
    };

    /// <summary>Sets up two-factor sign-in for an agent the way the profile page does, with the tests' authenticator.</summary>
    internal static async Task<(string Key, string[] RecoveryCodes)> EnableTwoFactorAsync(PorchlightFactory factory, TimeProvider clock, Guid agentId)
    {
        var setup = await AsAgentAsync<MyTwoFactor, Result<AuthenticatorSetup>>(factory, agentId, u => u.BeginSetupAsync(Ct));
        Assert.True(setup.Succeeded, setup.Failure?.Detail);
        var key = setup.Value!.Key.Replace(" ", "", StringComparison.Ordinal);
        Assert.StartsWith("otpauth://totp/Porchlight:", setup.Value.Uri, StringComparison.Ordinal);
        Assert.Contains($"secret={key.ToUpperInvariant()}", setup.Value.Uri, StringComparison.Ordinal);
        var wrong = await AsAgentAsync<MyTwoFactor, Result<string[]>>(factory, agentId, u => u.ConfirmSetupAsync(TestTotp.Other(TestTotp.Code(key, clock.GetUtcNow())), Ct));
        Assert.Equal("code", Assert.Single(wrong.Failure!.FieldErrors!).Key);
        var confirmed = await AsAgentAsync<MyTwoFactor, Result<string[]>>(factory, agentId, u => u.ConfirmSetupAsync(TestTotp.Code(key, clock.GetUtcNow()), Ct));
        Assert.True(confirmed.Succeeded, confirmed.Failure?.Detail);
        return (key, confirmed.Value!);
    }

    /// <summary>Runs a use case as the agent, in its own scope, as the app's pages do.</summary>
    internal static async Task<TResult> AsAgentAsync<TUseCase, TResult>(PorchlightFactory factory, Guid agentId, Func<TUseCase, Task<TResult>> action)
        where TUseCase : notnull
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var agent = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Agents.IgnoreQueryFilters().AsNoTracking().SingleAsync(a => a.Id == agentId, Ct);
        scope.ServiceProvider.GetRequiredService<ActingAgent>().Enter(agent, "127.0.0.1");
        return await action(scope.ServiceProvider.GetRequiredService<TUseCase>());
    }

    internal static Task<HttpResponseMessage> SubmitCodeAsync(BrowserSession browser, string code, string? returnUrl = null)
    {
        var fields = new Dictionary<string, string> { ["code"] = code };
        if (returnUrl is not null)
        {
            fields["returnUrl"] = returnUrl;
        }

        return browser.SubmitAsync("/signin/two-factor", "/account/signin/two-factor", fields);
    }

    private static Task<HttpResponseMessage> SubmitRecoveryCodeAsync(BrowserSession browser, string code) =>
        browser.SubmitAsync("/signin/two-factor?recovery=1", "/account/signin/two-factor", new Dictionary<string, string> { ["recoveryCode"] = code });

    private static async Task<int> FailedCountAsync(PorchlightFactory factory, Guid agentId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().Agents.IgnoreQueryFilters().Where(a => a.Id == agentId)
            .Select(a => a.AccessFailedCount).SingleAsync(Ct);
    }

    internal static async Task<List<string>> AuditActionsAsync(PorchlightFactory factory, Guid workspaceId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().AuditEntries.IgnoreQueryFilters()
            .Where(e => e.WorkspaceId == workspaceId).OrderBy(e => e.Id).Select(e => e.Action).ToListAsync(Ct);
    }

    [GeneratedRegex(@"id=""authenticator-key"">([a-z2-7 ]+)<")]
    internal static partial Regex KeyOnPage();

    [GeneratedRegex(@"<li>([A-Z0-9]{5}-[A-Z0-9]{5})</li>")]
    private static partial Regex RecoveryCodeOnPage();
}

public sealed class TwoFactorSqliteTests : TwoFactorTests
{
    protected override PorchlightFactory CreateFactory(ShiftedClock clock) =>
        new(configureServices: services => services.AddSingleton<TimeProvider>(new StorageClock(clock)));
}

public sealed class TwoFactorPostgresTests(PostgresServer postgres) : TwoFactorTests
{
    protected override PorchlightFactory CreateFactory(ShiftedClock clock) =>
        new(TestDatabase.Postgres, postgres, configureServices: services => services.AddSingleton<TimeProvider>(new StorageClock(clock)));
}
