using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.SignIn;

public sealed class SignInTests
{
    private const string NewPassword = "a brand new passphrase";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SignIn_CorrectPassword_SetsCookieAndRedirectsHome()
    {
        await using var factory = new PorchlightFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        using var browser = new BrowserSession(factory);
        Assert.Equal("/signin", BrowserSession.PathOf(await browser.Client.GetAsync("/", Ct)));

        var response = await browser.SignInAsync(workspace.OwnerEmail, TestWorkspace.Password);

        Assert.Equal("/", BrowserSession.LocationOf(response));
        Assert.True(BrowserSession.SetsAuthCookie(response));
        var home = await browser.Client.GetAsync("/", Ct);
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
    }

    [Fact]
    public async Task SignIn_WrongPassword_RedirectsWithErrorAndSetsNoCookie()
    {
        await using var factory = new PorchlightFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        using var browser = new BrowserSession(factory);

        var response = await browser.SignInAsync(workspace.OwnerEmail, "not the password");

        var location = BrowserSession.LocationOf(response);
        Assert.StartsWith("/signin?", location, StringComparison.Ordinal);
        Assert.Equal("Failed", QueryOf(location)["error"]);
        Assert.False(BrowserSession.SetsAuthCookie(response));
        Assert.Contains("That email and password do not match.", await browser.GetPageAsync(location), StringComparison.Ordinal);
        Assert.Equal("/signin", BrowserSession.PathOf(await browser.Client.GetAsync("/", Ct)));
    }

    [Fact]
    public async Task SignIn_UnknownEmail_FailsLikeAWrongPassword()
    {
        await using var factory = new PorchlightFactory();
        await factory.CreateWorkspaceAsync();
        using var browser = new BrowserSession(factory);

        var response = await browser.SignInAsync("nobody@example.com", TestWorkspace.Password);

        Assert.Equal("Failed", QueryOf(BrowserSession.LocationOf(response))["error"]);
        Assert.False(BrowserSession.SetsAuthCookie(response));
    }

    [Fact]
    public async Task SignIn_FiveWrongPasswords_LockTheAccountEvenForTheRightPassword()
    {
        await using var factory = new PorchlightFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        using var browser = new BrowserSession(factory);

        var outcomes = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            outcomes.Add(QueryOf(BrowserSession.LocationOf(await browser.SignInAsync(workspace.OwnerEmail, $"wrong password {i}")))["error"]!);
        }

        var right = await browser.SignInAsync(workspace.OwnerEmail, TestWorkspace.Password);

        Assert.Equal(["Failed", "Failed", "Failed", "Failed", "LockedOut"], outcomes);
        Assert.Equal("LockedOut", QueryOf(BrowserSession.LocationOf(right))["error"]);
        Assert.False(BrowserSession.SetsAuthCookie(right));
    }

    [Fact]
    public async Task SignIn_DeactivatedAgent_IsRefused()
    {
        await using var factory = new PorchlightFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        var (agentId, email, _) = await factory.AddAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        using var api = factory.CreateApiClient(workspace.OwnerToken);
        var deactivate = await api.PatchAsJsonAsync($"/api/v1/agents/{agentId}", new { isActive = false }, Ct);
        Assert.Equal(HttpStatusCode.OK, deactivate.StatusCode);
        using var browser = new BrowserSession(factory);

        var response = await browser.SignInAsync(email, TestWorkspace.Password);

        Assert.Equal("Deactivated", QueryOf(BrowserSession.LocationOf(response))["error"]);
        Assert.False(BrowserSession.SetsAuthCookie(response));
    }

    [Theory]
    [InlineData("//evil.example")]
    [InlineData("//evil.example/signin")]
    [InlineData("/\\evil.example")]
    [InlineData("https://evil.example/")]
    [InlineData("evil.example")]
    public async Task SignIn_ReturnUrlToAnotherSite_RedirectsHomeInstead(string returnUrl)
    {
        await using var factory = new PorchlightFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        using var browser = new BrowserSession(factory);

        var response = await browser.SignInAsync(workspace.OwnerEmail, TestWorkspace.Password, returnUrl);

        Assert.Equal("/", BrowserSession.LocationOf(response));
        Assert.True(BrowserSession.SetsAuthCookie(response));
    }

    [Fact]
    public async Task SignIn_LocalReturnUrl_RedirectsThere()
    {
        await using var factory = new PorchlightFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        using var browser = new BrowserSession(factory);

        var response = await browser.SignInAsync(workspace.OwnerEmail, TestWorkspace.Password, "/settings/inboxes");

        Assert.Equal("/settings/inboxes", BrowserSession.LocationOf(response));
    }

    [Fact]
    public async Task ForgotPassword_NoMailServer_LogsALinkWhoseTokenResetsThePassword()
    {
        var logs = new CapturedLogs();
        await using var factory = new PorchlightFactory(configureServices: logs.AddTo);
        var workspace = await factory.CreateWorkspaceAsync();
        using var browser = new BrowserSession(factory);

        var requested = await browser.SubmitAsync("/forgot-password", "/account/forgot-password", new Dictionary<string, string> { ["email"] = workspace.OwnerEmail });

        Assert.Equal("/forgot-password?sent=1", BrowserSession.LocationOf(requested));
        var entry = Assert.Single(logs.Entries, e => e.Values.ContainsKey("ResetLink"));
        Assert.Equal(workspace.OwnerEmail, entry.Values["Email"]);
        var link = new Uri((string)entry.Values["ResetLink"]!);
        Assert.Equal("/reset-password", link.AbsolutePath);
        var query = QueryHelpers.ParseQuery(link.Query);
        Assert.Equal(workspace.OwnerEmail, query["email"].ToString());

        var reset = await browser.SubmitAsync(link.PathAndQuery, "/account/reset-password", new Dictionary<string, string>
        {
            ["email"] = query["email"].ToString(),
            ["token"] = query["token"].ToString(),
            ["password"] = NewPassword,
        });

        Assert.Equal("/signin?reset=1", BrowserSession.LocationOf(reset));
        Assert.Equal("Failed", QueryOf(BrowserSession.LocationOf(await browser.SignInAsync(workspace.OwnerEmail, TestWorkspace.Password)))["error"]);
        var signedIn = await browser.SignInAsync(workspace.OwnerEmail, NewPassword);
        Assert.Equal("/", BrowserSession.LocationOf(signedIn));
        Assert.True(BrowserSession.SetsAuthCookie(signedIn));
    }

    [Fact]
    public async Task ForgotPassword_UnknownEmail_AnswersTheSameAndLogsNoLink()
    {
        var logs = new CapturedLogs();
        await using var factory = new PorchlightFactory(configureServices: logs.AddTo);
        await factory.CreateWorkspaceAsync();
        using var browser = new BrowserSession(factory);

        var requested = await browser.SubmitAsync("/forgot-password", "/account/forgot-password", new Dictionary<string, string> { ["email"] = "nobody@example.com" });

        Assert.Equal("/forgot-password?sent=1", BrowserSession.LocationOf(requested));
        Assert.DoesNotContain(logs.Entries, e => e.Values.ContainsKey("ResetLink"));
    }

    [Fact]
    public async Task ResetPassword_ForgedToken_IsRefusedAndKeepsThePassword()
    {
        await using var factory = new PorchlightFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        using var browser = new BrowserSession(factory);

        var reset = await browser.SubmitAsync("/reset-password", "/account/reset-password", new Dictionary<string, string>
        {
            ["email"] = workspace.OwnerEmail,
            ["token"] = "forged",
            ["password"] = NewPassword,
        });

        Assert.StartsWith("/reset-password?", BrowserSession.LocationOf(reset), StringComparison.Ordinal);
        Assert.NotNull(QueryOf(BrowserSession.LocationOf(reset))["error"]);
        Assert.Equal("/", BrowserSession.LocationOf(await browser.SignInAsync(workspace.OwnerEmail, TestWorkspace.Password)));
    }

    [Fact]
    public async Task SignIn_FormWithoutAntiforgeryToken_IsRejected()
    {
        await using var factory = new PorchlightFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        using var browser = new BrowserSession(factory);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = workspace.OwnerEmail, ["password"] = TestWorkspace.Password });

        var response = await browser.Client.PostAsync("/account/signin", form, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(BrowserSession.SetsAuthCookie(response));
    }

    [Theory]
    [InlineData("/account/signout")]
    [InlineData("/account/forgot-password")]
    [InlineData("/account/reset-password")]
    [InlineData("/account/signin/two-factor")]
    [InlineData("/account/signin/two-factor/setup")]
    public async Task AccountForm_PostWithoutAntiforgeryToken_IsRejected(string action)
    {
        await using var factory = new PorchlightFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        using var browser = new BrowserSession(factory);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = workspace.OwnerEmail });

        var response = await browser.Client.PostAsync(action, form, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task SignOut_PostFromAnotherSiteWithoutAntiforgeryToken_KeepsTheSession()
    {
        await using var factory = new PorchlightFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        using var browser = new BrowserSession(factory);
        Assert.Equal("/", BrowserSession.LocationOf(await browser.SignInAsync(workspace.OwnerEmail, TestWorkspace.Password)));
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>());

        // What a page of another site can make the agent's browser send: the cookie, but no token from our page.
        var response = await browser.Client.PostAsync("/account/signout", form, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(BrowserSession.AuthCookie + "=", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.OK, (await browser.Client.GetAsync("/settings/profile", Ct)).StatusCode);
    }

    [Fact]
    public async Task ResetPassword_PostWithoutAntiforgeryToken_KeepsThePassword()
    {
        await using var factory = new PorchlightFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        string resetToken;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<Agent>>();
            resetToken = await users.GeneratePasswordResetTokenAsync((await users.FindByEmailAsync(workspace.OwnerEmail))!);
        }

        using var browser = new BrowserSession(factory);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = workspace.OwnerEmail, ["token"] = resetToken, ["password"] = NewPassword,
        });

        var response = await browser.Client.PostAsync("/account/reset-password", form, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("/", BrowserSession.LocationOf(await browser.SignInAsync(workspace.OwnerEmail, TestWorkspace.Password)));
    }

    [Fact]
    public async Task SignOut_SignedInAgent_EndsTheSessionAndIsAudited()
    {
        await using var factory = new PorchlightFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        using var browser = new BrowserSession(factory);
        Assert.Equal("/", BrowserSession.LocationOf(await browser.SignInAsync(workspace.OwnerEmail, TestWorkspace.Password)));

        var response = await browser.SubmitAsync("/signin", "/account/signout", new Dictionary<string, string>());

        Assert.Equal("/signin?signedOut=1", BrowserSession.LocationOf(response));
        Assert.Equal("/signin", BrowserSession.PathOf(await browser.Client.GetAsync("/", Ct)));
        await using var scope = factory.Services.CreateAsyncScope();
        Assert.True(await scope.ServiceProvider.GetRequiredService<AppDbContext>().AuditEntries.IgnoreQueryFilters()
            .AnyAsync(e => e.Action == "auth.signed_out" && e.WorkspaceId == workspace.WorkspaceId, Ct));
    }

    [Fact]
    public async Task ResetPassword_LinkUsedTwice_SecondIsRefused()
    {
        var logs = new CapturedLogs();
        await using var factory = new PorchlightFactory(configureServices: logs.AddTo);
        var workspace = await factory.CreateWorkspaceAsync();
        using var browser = new BrowserSession(factory);
        var link = await RequestResetLinkAsync(browser, logs, workspace.OwnerEmail);

        var first = await SubmitResetAsync(browser, link, NewPassword);
        var second = await SubmitResetAsync(browser, link, "a third passphrase here");

        Assert.Equal("/signin?reset=1", BrowserSession.LocationOf(first));
        Assert.StartsWith("/reset-password?", BrowserSession.LocationOf(second), StringComparison.Ordinal);
        Assert.NotNull(QueryOf(BrowserSession.LocationOf(second))["error"]);
        Assert.Equal("/", BrowserSession.LocationOf(await browser.SignInAsync(workspace.OwnerEmail, NewPassword)));
    }

    [Fact]
    public async Task ResetPassword_LockedOutAccount_SignsInAgainWithTheNewPassword()
    {
        var logs = new CapturedLogs();
        await using var factory = new PorchlightFactory(configureServices: logs.AddTo);
        var workspace = await factory.CreateWorkspaceAsync();
        using var browser = new BrowserSession(factory);
        for (var i = 0; i < 5; i++)
        {
            await browser.SignInAsync(workspace.OwnerEmail, $"wrong password {i}");
        }

        Assert.Equal("LockedOut", QueryOf(BrowserSession.LocationOf(await browser.SignInAsync(workspace.OwnerEmail, TestWorkspace.Password)))["error"]);

        var link = await RequestResetLinkAsync(browser, logs, workspace.OwnerEmail);
        Assert.Equal("/signin?reset=1", BrowserSession.LocationOf(await SubmitResetAsync(browser, link, NewPassword)));

        var signedIn = await browser.SignInAsync(workspace.OwnerEmail, NewPassword);
        Assert.Equal("/", BrowserSession.LocationOf(signedIn));
        Assert.True(BrowserSession.SetsAuthCookie(signedIn));
    }

    [Fact]
    public async Task SignIn_MoreAttemptsThanTheLimit_Answers429WithRetryAfter()
    {
        await using var factory = new PorchlightFactory(settings: new Dictionary<string, string?> { ["Security:SignInAttemptsPerMinute"] = "3" });
        var workspace = await factory.CreateWorkspaceAsync();
        using var browser = new BrowserSession(factory);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await browser.SignInAsync(workspace.OwnerEmail, "wrong password")).StatusCode);
        }

        var limited = await browser.SignInAsync(workspace.OwnerEmail, TestWorkspace.Password);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Redirect, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter is not null, "a 429 tells the client when to try again");
        Assert.False(BrowserSession.SetsAuthCookie(limited));
    }

    [Fact]
    public async Task Setup_FreshInstall_SendsEveryPageToSetup()
    {
        await using var factory = new PorchlightFactory();
        using var browser = new BrowserSession(factory);

        Assert.Equal("/setup", BrowserSession.LocationOf(await browser.Client.GetAsync("/", Ct)));
        Assert.Equal("/setup", BrowserSession.LocationOf(await browser.Client.GetAsync("/signin", Ct)));
        Assert.Contains("Create workspace", await browser.GetPageAsync("/setup"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Setup_Submitted_CreatesOwnerAndWorkspaceSignsInAndCloses()
    {
        await using var factory = new PorchlightFactory();
        using var browser = new BrowserSession(factory);

        var created = await browser.SubmitAsync("/setup", "/setup", new Dictionary<string, string>
        {
            ["workspaceName"] = "Fresh Coffee Co",
            ["timeZone"] = "Europe/Lisbon",
            ["ownerName"] = "Rita Owner",
            ["email"] = "rita@fresh.example",
            ["password"] = TestWorkspace.Password,
        });

        Assert.Equal("/", BrowserSession.LocationOf(created));
        Assert.True(BrowserSession.SetsAuthCookie(created));
        Assert.Equal(HttpStatusCode.OK, (await browser.Client.GetAsync("/", Ct)).StatusCode);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var owner = await db.Agents.IgnoreQueryFilters().SingleAsync(Ct);
            Assert.Equal("rita@fresh.example", owner.Email);
            Assert.Equal(AgentRole.Owner, owner.Role);
            var workspace = await db.Workspaces.IgnoreQueryFilters().SingleAsync(Ct);
            Assert.Equal(owner.WorkspaceId, workspace.Id);
            Assert.Equal("Fresh Coffee Co", workspace.Name);
            Assert.Equal("Europe/Lisbon", workspace.TimeZone);
        }

        // Afterwards setup is gone, for the new Owner and for anyone else.
        Assert.Equal(HttpStatusCode.NotFound, (await browser.Client.GetAsync("/setup", Ct)).StatusCode);
        using var stranger = new BrowserSession(factory);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.GetAsync("/setup", Ct)).StatusCode);
        var second = await stranger.PostAsync("/setup", new Dictionary<string, string>
        {
            ["workspaceName"] = "Hijack",
            ["timeZone"] = "UTC",
            ["ownerName"] = "Mallory",
            ["email"] = "mallory@evil.example",
            ["password"] = TestWorkspace.Password,
        }, await stranger.AntiforgeryTokenAsync("/signin"));
        Assert.Equal(HttpStatusCode.NotFound, second.StatusCode);
        Assert.False(BrowserSession.SetsAuthCookie(second));
        await using var check = factory.Services.CreateAsyncScope();
        Assert.Equal(1, await check.ServiceProvider.GetRequiredService<AppDbContext>().Agents.IgnoreQueryFilters().CountAsync(Ct));
    }

    [Fact]
    public async Task Setup_SubmittedConcurrently_CreatesExactlyOneOwner()
    {
        await using var factory = new PorchlightFactory();
        var browsers = Enumerable.Range(0, 6).Select(_ => new BrowserSession(factory)).ToList();
        try
        {
            // Everyone opens the setup page while the installation is still fresh, then all submit at once.
            var tokens = new List<string>();
            foreach (var browser in browsers)
            {
                tokens.Add(await browser.AntiforgeryTokenAsync("/setup"));
            }

            var responses = await Task.WhenAll(browsers.Select((browser, i) => Task.Run(() => browser.PostAsync("/setup", new Dictionary<string, string>
            {
                ["workspaceName"] = $"Workspace {i}",
                ["timeZone"] = "UTC",
                ["ownerName"] = $"Owner {i}",
                ["email"] = $"owner{i}@example.com",
                ["password"] = TestWorkspace.Password,
            }, tokens[i]), Ct)));

            Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Redirect && BrowserSession.SetsAuthCookie(r));
            Assert.All(responses.Where(r => !BrowserSession.SetsAuthCookie(r)), r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
            await using var scope = factory.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            Assert.Equal(1, await db.Agents.IgnoreQueryFilters().CountAsync(Ct));
            Assert.Equal(1, await db.Workspaces.IgnoreQueryFilters().CountAsync(Ct));
        }
        finally
        {
            browsers.ForEach(b => b.Dispose());
        }
    }

    [Fact]
    public async Task Setup_InvalidForm_RedirectsBackWithErrorAndCreatesNothing()
    {
        await using var factory = new PorchlightFactory();
        using var browser = new BrowserSession(factory);

        var response = await browser.SubmitAsync("/setup", "/setup", new Dictionary<string, string>
        {
            ["workspaceName"] = "",
            ["timeZone"] = "Mars/Olympus_Mons",
            ["ownerName"] = "Rita Owner",
            ["email"] = "not-an-email",
            ["password"] = TestWorkspace.Password,
        });

        Assert.StartsWith("/setup?error=", BrowserSession.LocationOf(response), StringComparison.Ordinal);
        Assert.False(BrowserSession.SetsAuthCookie(response));
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        Assert.False(await db.Agents.IgnoreQueryFilters().AnyAsync(Ct));
        Assert.False(await db.Workspaces.IgnoreQueryFilters().AnyAsync(Ct));
    }

    [Fact]
    public async Task Invitation_AcceptLink_CreatesTheAgentAndCannotBeUsedTwice()
    {
        await using var factory = new PorchlightFactory();
        var workspace = await factory.CreateWorkspaceAsync("Harbor Books");
        using var api = factory.CreateApiClient(workspace.OwnerToken);
        var invited = await api.PostAsJsonAsync("/api/v1/invitations", new { email = "sam@harbor.example", role = "Supervisor" }, Ct);
        Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
        var acceptPath = new Uri((await invited.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("acceptUrl").GetString()!).AbsolutePath;
        using var browser = new BrowserSession(factory);

        var page = await browser.GetPageAsync(acceptPath);
        Assert.Contains("Join Harbor Books", page, StringComparison.Ordinal);
        Assert.Contains("sam@harbor.example", page, StringComparison.Ordinal);
        var fields = new Dictionary<string, string> { ["displayName"] = "Sam Reader", ["password"] = TestWorkspace.Password };
        var accepted = await browser.PostAsync(acceptPath, fields, BrowserSession.AntiforgeryTokenIn(page));

        Assert.Equal("/", BrowserSession.LocationOf(accepted));
        Assert.True(BrowserSession.SetsAuthCookie(accepted));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var agent = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Agents.IgnoreQueryFilters()
                .SingleAsync(a => a.Email == "sam@harbor.example", Ct);
            Assert.Equal(workspace.WorkspaceId, agent.WorkspaceId);
            Assert.Equal(AgentRole.Supervisor, agent.Role);
            Assert.Equal("Sam Reader", agent.DisplayName);
        }

        using var again = new BrowserSession(factory);
        var reopened = await again.Client.GetAsync(acceptPath, Ct);
        Assert.Equal(HttpStatusCode.NotFound, reopened.StatusCode);
        var reused = await again.PostAsync(acceptPath, new Dictionary<string, string> { ["displayName"] = "Mallory", ["password"] = "another passphrase" },
            await again.AntiforgeryTokenAsync("/signin"));
        Assert.Equal(HttpStatusCode.NotFound, reused.StatusCode);
        Assert.False(BrowserSession.SetsAuthCookie(reused));
        await using var check = factory.Services.CreateAsyncScope();
        var users = check.ServiceProvider.GetRequiredService<UserManager<Agent>>();
        var sam = await users.FindByEmailAsync("sam@harbor.example");
        Assert.True(await users.CheckPasswordAsync(sam!, TestWorkspace.Password));
        Assert.Equal(1, await check.ServiceProvider.GetRequiredService<AppDbContext>().Agents.IgnoreQueryFilters().CountAsync(a => a.Email == "sam@harbor.example", Ct));
    }

    [Fact]
    public async Task Invitation_AcceptedConcurrently_CreatesOneAgent()
    {
        await using var factory = new PorchlightFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        using var api = factory.CreateApiClient(workspace.OwnerToken);
        var invited = await api.PostAsJsonAsync("/api/v1/invitations", new { email = "twice@example.com", role = "Agent" }, Ct);
        var acceptPath = new Uri((await invited.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("acceptUrl").GetString()!).AbsolutePath;
        var browsers = Enumerable.Range(0, 4).Select(_ => new BrowserSession(factory)).ToList();
        try
        {
            var tokens = new List<string>();
            foreach (var browser in browsers)
            {
                tokens.Add(await browser.AntiforgeryTokenAsync(acceptPath));
            }

            var responses = await Task.WhenAll(browsers.Select((browser, i) => Task.Run(() => browser.PostAsync(acceptPath,
                new Dictionary<string, string> { ["displayName"] = $"Person {i}", ["password"] = TestWorkspace.Password }, tokens[i]), Ct)));

            Assert.Single(responses, BrowserSession.SetsAuthCookie);
            Assert.All(responses, r => Assert.True((int)r.StatusCode < 500, $"a losing accept answered {(int)r.StatusCode}"));
            await using var scope = factory.Services.CreateAsyncScope();
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<AppDbContext>().Agents.IgnoreQueryFilters()
                .CountAsync(a => a.Email == "twice@example.com", Ct));
        }
        finally
        {
            browsers.ForEach(b => b.Dispose());
        }
    }

    [Fact]
    public async Task Invitation_TooShortPassword_ShowsTheErrorAndKeepsTheLinkUsable()
    {
        await using var factory = new PorchlightFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        using var api = factory.CreateApiClient(workspace.OwnerToken);
        var invited = await api.PostAsJsonAsync("/api/v1/invitations", new { email = "kim@example.com", role = "Agent" }, Ct);
        var acceptPath = new Uri((await invited.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("acceptUrl").GetString()!).AbsolutePath;
        using var browser = new BrowserSession(factory);

        var refused = await browser.SubmitAsync(acceptPath, acceptPath, new Dictionary<string, string> { ["displayName"] = "Kim", ["password"] = "short" });

        Assert.StartsWith(acceptPath + "?error=", BrowserSession.LocationOf(refused), StringComparison.Ordinal);
        Assert.False(BrowserSession.SetsAuthCookie(refused));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            Assert.False(await scope.ServiceProvider.GetRequiredService<AppDbContext>().Agents.IgnoreQueryFilters().AnyAsync(a => a.Email == "kim@example.com", Ct));
        }

        var accepted = await browser.SubmitAsync(acceptPath, acceptPath, new Dictionary<string, string> { ["displayName"] = "Kim", ["password"] = TestWorkspace.Password });
        Assert.Equal("/", BrowserSession.LocationOf(accepted));
    }

    private static async Task<Uri> RequestResetLinkAsync(BrowserSession browser, CapturedLogs logs, string email)
    {
        var requested = await browser.SubmitAsync("/forgot-password", "/account/forgot-password", new Dictionary<string, string> { ["email"] = email });
        Assert.Equal("/forgot-password?sent=1", BrowserSession.LocationOf(requested));
        var entry = Assert.Single(logs.Entries, e => e.Values.ContainsKey("ResetLink"));
        return new Uri((string)entry.Values["ResetLink"]!);
    }

    private static Task<HttpResponseMessage> SubmitResetAsync(BrowserSession browser, Uri link, string password)
    {
        var query = QueryHelpers.ParseQuery(link.Query);
        return browser.SubmitAsync(link.PathAndQuery, "/account/reset-password", new Dictionary<string, string>
        {
            ["email"] = query["email"].ToString(),
            ["token"] = query["token"].ToString(),
            ["password"] = password,
        });
    }

    private static Dictionary<string, string?> QueryOf(string location)
    {
        var query = location.Contains('?', StringComparison.Ordinal) ? location[location.IndexOf('?', StringComparison.Ordinal)..] : "";
        return QueryHelpers.ParseQuery(query).ToDictionary(p => p.Key, p => (string?)p.Value.ToString());
    }
}
