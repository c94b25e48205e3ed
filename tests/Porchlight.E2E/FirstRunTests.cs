using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>The first minutes of a new installation, in a real browser against the real server.</summary>
public sealed partial class FirstRunTests : IAsyncLifetime
{
    private const string OwnerName = "Olivia Owner";
    private const string Email = "olivia@example.test";
    private const string Password = "porch-light-2026";

    private ServerProcess _server = null!;
    private Browser _browser = null!;

    public async ValueTask InitializeAsync()
    {
        SetDefaultExpectTimeout(30_000);
        _server = await ServerProcess.StartAsync(TestContext.Current.CancellationToken);
        _browser = await Browser.LaunchAsync();
    }

    [Fact]
    public async Task FirstRun_SetupSignInCreateInbox_ShowsSnippetAndSignsOut()
    {
        var page = await _browser.NewPageAsync();

        // A fresh installation sends everyone to setup.
        await page.GotoAsync(_server.Url("/"));
        await Expect(page).ToHaveURLAsync(SetupUrl());
        await page.Locator("#workspaceName").FillAsync("Acme Support");
        await page.Locator("#timeZone").SelectOptionAsync("Europe/Berlin");
        await page.Locator("#ownerName").FillAsync(OwnerName);
        await page.Locator("#email").FillAsync(Email);
        await page.Locator("#password").FillAsync(Password);
        await page.ScreenshotAsync(new() { Path = RepositoryPaths.Screenshot("first-run-1-setup"), FullPage = true });
        await page.Locator("#create-workspace").ClickAsync();

        // Setup signs the Owner in and lands in the app.
        await Expect(page.Locator("#signed-in-as")).ToHaveTextAsync(OwnerName);
        await Expect(page).Not.ToHaveURLAsync(SetupUrl());
        await page.ScreenshotAsync(new() { Path = RepositoryPaths.Screenshot("first-run-2-home"), FullPage = true });

        await page.Locator("#sign-out").ClickAsync();
        await Expect(page).ToHaveURLAsync(SignInUrl());

        // The same credentials sign in again.
        await page.Locator("#email").FillAsync(Email);
        await page.Locator("#password").FillAsync(Password);
        await page.Locator("#sign-in").ClickAsync();
        await Expect(page.Locator("#signed-in-as")).ToHaveTextAsync(OwnerName);

        // Inboxes: wait for the circuit, or the click on Create would go nowhere.
        await page.GetByRole(AriaRole.Link, new() { Name = "Inboxes", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(InboxesUrl());
        await Expect(page.Locator(".pl-page[data-interactive='true']")).ToBeVisibleAsync();
        var name = page.Locator("#inbox-name");
        await name.FillAsync("Website chat");
        await name.PressAsync("Tab");
        await page.Locator("#create-inbox").ClickAsync();

        var snippet = page.Locator("#embed-snippet");
        await Expect(snippet).ToContainTextAsync("data-porchlight-inbox");
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "Website chat", Exact = true })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = RepositoryPaths.Screenshot("first-run-3-inbox-snippet"), FullPage = true });

        await page.Locator("#sign-out").ClickAsync();
        await Expect(page).ToHaveURLAsync(SignInUrl());
        await Expect(page.Locator("#sign-in")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = RepositoryPaths.Screenshot("first-run-4-signed-out"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [GeneratedRegex(@"/setup(\?.*)?$")]
    private static partial Regex SetupUrl();

    [GeneratedRegex(@"/signin(\?.*)?$")]
    private static partial Regex SignInUrl();

    [GeneratedRegex(@"/settings/inboxes$")]
    private static partial Regex InboxesUrl();
}
