using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>An Owner sets up identity verification for the widget and a shared canned response.</summary>
public sealed class IdentityAndCannedResponsesPagesTests : BrowserTest
{
    [Fact]
    public async Task SettingsPages_OwnerRequiresVerificationReplacesTheSecretAndSavesACannedResponse()
    {
        var page = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(page, "Acme Support");

        // Inboxes: create one, read its identity secret, require verification, replace the secret.
        await CreateWidgetInboxAsync(page);
        var row = page.Locator("tr", new() { HasText = "Website chat" });
        await row.GetByRole(AriaRole.Button, new() { Name = "Identity secret" }).ClickAsync();
        var secret = page.Locator("#identity-secret");
        await Expect(secret).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[0-9a-f]{64}$"));
        var first = await secret.TextContentAsync();
        await row.GetByText("Optional").ClickAsync();
        await Expect(page.GetByText("Website chat now requires identity verification.")).ToBeVisibleAsync();
        await Expect(row.GetByText("Required")).ToBeVisibleAsync();
        await page.Locator("#rotate-identity-secret").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Replace", Exact = true }).ClickAsync();
        await Expect(page.GetByText("Identity secret replaced.")).ToBeVisibleAsync();
        await Expect(secret).Not.ToHaveTextAsync(first!);
        await Screenshot(page, "settings-identity-secret");

        // Canned responses: a shared one, listed with its shortcut.
        await OpenInteractiveAsync(page, "/settings/canned-responses");
        foreach (var (field, value) in new[] { ("#canned-shortcut", "refund-policy"), ("#canned-title", "Refund policy"), ("#canned-text", "Hi {{contact.firstName}}, refunds take 5 days.") })
        {
            var input = page.Locator(field);
            await input.FillAsync(value);
            await input.PressAsync("Tab");
        }

        await page.GetByText("Shared with the whole workspace").ClickAsync();
        await page.Locator("#save-canned").ClickAsync();
        var table = page.Locator("#canned-table");
        await Expect(table).ToContainTextAsync("/refund-policy");
        await Expect(table).ToContainTextAsync("Shared");
        await Screenshot(page, "settings-canned-responses");
    }
}
