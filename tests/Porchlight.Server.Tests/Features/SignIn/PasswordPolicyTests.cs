using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.SignIn;

/// <summary>
/// The password policy wherever a password is chosen (invitation, setup, change, reset): the workspace's minimum length,
/// common passwords and the name of the email address refused, each with an error on its field. Runs against SQLite and
/// PostgreSQL, where the workspace's minimum is stored.
/// </summary>
public abstract class PasswordPolicyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract PorchlightFactory CreateFactory();

    [Fact]
    public async Task Invitation_CommonPasswordOrTheEmailsName_RefusedWithTheReason()
    {
        await using var factory = CreateFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        using var owner = factory.CreateApiClient(workspace.OwnerToken);
        var acceptPath = await InviteAsync(owner, "samwise.gamgee@example.com");
        using var browser = new BrowserSession(factory);

        var common = await AcceptAsync(browser, acceptPath, "Password123!");
        var withName = await AcceptAsync(browser, acceptPath, "i-am-samwise.gamgee-ok");
        var tooShort = await AcceptAsync(browser, acceptPath, "tiny pwd");

        Assert.Contains("most common passwords", ErrorOf(common), StringComparison.Ordinal);
        Assert.Contains("name of your email address", ErrorOf(withName), StringComparison.Ordinal);
        Assert.Contains("at least 10 characters", ErrorOf(tooShort), StringComparison.Ordinal);
        Assert.Equal("/", BrowserSession.LocationOf(await AcceptAsync(browser, acceptPath, TestWorkspace.Password)));
    }

    [Fact]
    public async Task WorkspaceMinimum_SetTo14_AppliesToNewPasswordsAndIsBoundedTo8Through128()
    {
        await using var factory = CreateFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        using var owner = factory.CreateApiClient(workspace.OwnerToken);
        var settings = (await owner.GetFromJsonAsync<JsonElement>("/api/v1/workspace", Ct)).Clone();
        Assert.Equal(10, settings.GetProperty("minPasswordLength").GetInt32());
        Assert.False(settings.GetProperty("requireTwoFactor").GetBoolean());

        foreach (var outOfRange in new[] { 7, 129 })
        {
            await owner.PutJsonAsync("/api/v1/workspace", Policy(settings, outOfRange)).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "minPasswordLength");
        }

        var saved = await owner.PutJsonAsync("/api/v1/workspace", Policy(settings, 14)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(14, saved.GetProperty("minPasswordLength").GetInt32());

        // Twelve characters passed before; now the invitation and a change of password ask for fourteen.
        var acceptPath = await InviteAsync(owner, $"kim-{Guid.NewGuid():N}@example.com");
        using var browser = new BrowserSession(factory);
        Assert.Contains("at least 14 characters", ErrorOf(await AcceptAsync(browser, acceptPath, "twelve chars")), StringComparison.Ordinal);
        var problem = await owner.PostJsonAsync("/api/v1/me/password", new { currentPassword = TestWorkspace.Password, newPassword = "twelve chars" })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "newPassword");
        Assert.Contains("at least 14 characters", problem.GetProperty("errors").GetProperty("newPassword")[0].GetString(), StringComparison.Ordinal);
        await owner.PostJsonAsync("/api/v1/me/password", new { currentPassword = TestWorkspace.Password, newPassword = "fourteen chars!" })
            .ExpectAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task PasswordChange_CommonPassword_RefusedOnTheNewPasswordField()
    {
        await using var factory = CreateFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        using var owner = factory.CreateApiClient(workspace.OwnerToken);

        var problem = await owner.PostJsonAsync("/api/v1/me/password", new { currentPassword = TestWorkspace.Password, newPassword = "qwertyuiop123" })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "newPassword");

        Assert.Contains("most common passwords", problem.GetProperty("errors").GetProperty("newPassword")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PasswordReset_CommonPassword_RefusedAndTheLinkStillWorks()
    {
        await using var factory = CreateFactory();
        var workspace = await factory.CreateWorkspaceAsync();
        string token;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<Agent>>();
            token = await users.GeneratePasswordResetTokenAsync((await users.FindByEmailAsync(workspace.OwnerEmail))!);
        }

        using var browser = new BrowserSession(factory);
        var fields = new Dictionary<string, string> { ["email"] = workspace.OwnerEmail, ["token"] = token, ["password"] = "iloveyou2024" };
        var refused = await browser.SubmitAsync("/reset-password", "/account/reset-password", fields);

        Assert.Contains("most common passwords", ErrorOf(refused), StringComparison.Ordinal);
        fields["password"] = "a brand new passphrase";
        Assert.Equal("/signin?reset=1", BrowserSession.LocationOf(await browser.SubmitAsync("/reset-password", "/account/reset-password", fields)));
    }

    [Fact]
    public async Task Setup_OwnerWithACommonPassword_RefusedAndNothingCreated()
    {
        await using var factory = CreateFactory();
        using var browser = new BrowserSession(factory);

        var refused = await browser.SubmitAsync("/setup", "/setup", new Dictionary<string, string>
        {
            ["workspaceName"] = "Fresh Coffee Co", ["timeZone"] = "UTC", ["ownerName"] = "Rita Owner", ["email"] = "rita@example.com", ["password"] = "sunshine12345",
        });

        Assert.Contains("most common passwords", ErrorOf(refused), StringComparison.Ordinal);
        Assert.False(BrowserSession.SetsAuthCookie(refused));
    }

    private static object Policy(JsonElement settings, int minPasswordLength) => new
    {
        name = settings.GetProperty("name").GetString(),
        timeZone = settings.GetProperty("timeZone").GetString(),
        businessHours = settings.GetProperty("businessHours"),
        minPasswordLength,
    };

    private static async Task<string> InviteAsync(HttpClient owner, string email)
    {
        var invited = await owner.PostJsonAsync("/api/v1/invitations", new { email, role = "Agent" }).ExpectAsync(HttpStatusCode.Created);
        return new Uri(invited.GetProperty("acceptUrl").GetString()!).AbsolutePath;
    }

    private static Task<HttpResponseMessage> AcceptAsync(BrowserSession browser, string acceptPath, string password) =>
        browser.SubmitAsync(acceptPath, acceptPath, new Dictionary<string, string> { ["displayName"] = "Sam Gamgee", ["password"] = password });

    /// <summary>The error a form's page is sent back with.</summary>
    private static string ErrorOf(HttpResponseMessage response)
    {
        var location = BrowserSession.LocationOf(response);
        return QueryHelpers.ParseQuery(new Uri(new Uri("http://localhost"), location).Query)["error"].ToString();
    }
}

public sealed class PasswordPolicySqliteTests : PasswordPolicyTests
{
    protected override PorchlightFactory CreateFactory() => new();
}

public sealed class PasswordPolicyPostgresTests(PostgresServer postgres) : PasswordPolicyTests
{
    protected override PorchlightFactory CreateFactory() => new(TestDatabase.Postgres, postgres);
}
