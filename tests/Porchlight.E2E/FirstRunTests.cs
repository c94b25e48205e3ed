using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>The first minutes of a new installation, in a real browser against the real server.</summary>
public sealed partial class FirstRunTests : BrowserTest
{
    [Fact]
    public async Task FirstRun_SetupSignInCreateInbox_ShowsSnippetAndSignsOut()
    {
        var page = await Browser.NewPageAsync();

        // A fresh installation sends everyone to setup, which signs the Owner in.
        await SetUpWorkspaceAsync(page, "Acme Support", screenshot: "first-run-1-setup");
        await Expect(page).Not.ToHaveURLAsync(SetupUrl());
        await Screenshot(page, "first-run-2-home");

        await page.Locator("#sign-out").ClickAsync();
        await Expect(page).ToHaveURLAsync(SignInUrl());

        // The same credentials sign in again.
        await page.Locator("#email").FillAsync(OwnerEmail);
        await page.Locator("#password").FillAsync(OwnerPassword);
        await page.Locator("#sign-in").ClickAsync();
        await Expect(page.Locator("#signed-in-as")).ToHaveTextAsync(OwnerName);

        // Inboxes: wait for the circuit, or the click (on the menu, then on Create) could go nowhere.
        await Expect(page.Locator(".pl-page[data-interactive='true']")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Inboxes", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(InboxesUrl());
        await Expect(page.Locator(".pl-page[data-interactive='true']")).ToBeVisibleAsync();
        var name = page.Locator("#inbox-name");
        await name.FillAsync("Website chat");
        await name.PressAsync("Tab");
        await page.Locator("#create-inbox").ClickAsync();

        await Expect(page.Locator("#embed-snippet")).ToContainTextAsync("data-porchlight-inbox");
        var row = page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Cell, new() { Name = "Website chat", Exact = true }) });
        await Expect(row).ToContainTextAsync("Web widget");
        await Screenshot(page, "first-run-3-inbox-snippet");

        await page.Locator("#sign-out").ClickAsync();
        await Expect(page).ToHaveURLAsync(SignInUrl());
        await Expect(page.Locator("#sign-in")).ToBeVisibleAsync();
        await Screenshot(page, "first-run-4-signed-out");
    }

    [GeneratedRegex(@"/settings/inboxes$")]
    private static partial Regex InboxesUrl();
}
