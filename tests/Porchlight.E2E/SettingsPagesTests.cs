using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>An Owner sets up the workspace through the settings pages; each change shows up where it should.</summary>
public sealed class SettingsPagesTests : BrowserTest
{
    [Fact]
    public async Task SettingsPages_OwnerChangesWorkspace_ChangesAreSavedAndAudited()
    {
        var page = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(page, "Acme Support");

        // Workspace: rename and save.
        await OpenInteractiveAsync(page, "/settings/workspace");
        var workspaceName = page.Locator("#workspace-name");
        await Expect(workspaceName).ToHaveValueAsync("Acme Support");
        await workspaceName.FillAsync("Acme Help Desk");
        await workspaceName.PressAsync("Tab");
        await page.Locator("#save-workspace").ClickAsync();
        await Expect(page.GetByText("Workspace settings saved.")).ToBeVisibleAsync();
        await Screenshot(page, "settings-1-workspace");

        // Teams: create one with Enter and add the Owner to it.
        await OpenInteractiveAsync(page, "/settings/teams");
        var teamName = page.Locator("#team-name");
        await teamName.FillAsync("Billing");
        await teamName.PressAsync("Enter"); // Enter in a field submits its form, as the button does.
        var team = page.Locator(".pl-section", new() { Has = page.GetByText("Billing", new() { Exact = true }) });
        await Expect(team).ToBeVisibleAsync();
        await team.Locator(".pl-member-picker").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = OwnerName }).ClickAsync();
        await Expect(team.Locator(".mud-chip", new() { HasText = OwnerName })).ToBeVisibleAsync();
        await Screenshot(page, "settings-2-teams");

        // Agents: an invitation link is shown once and the invitation is listed.
        await OpenInteractiveAsync(page, "/settings/agents");
        await Expect(page.Locator("#agents-table")).ToContainTextAsync(OwnerEmail);
        var inviteEmail = page.Locator("#invite-email");
        await inviteEmail.FillAsync("sam@example.test");
        await inviteEmail.PressAsync("Tab");
        await page.Locator("#send-invite").ClickAsync();
        await Expect(page.Locator("#invitation-link")).ToContainTextAsync("/invite/inv_");
        await Expect(page.Locator("#invitations-table")).ToContainTextAsync("sam@example.test");
        await Screenshot(page, "settings-3-agents");

        // Profile: an API token's secret is shown once and the token is listed.
        await OpenInteractiveAsync(page, "/settings/profile");
        await Expect(page.Locator("#display-name")).ToHaveValueAsync(OwnerName);
        await Expect(page.Locator("#profile-email")).ToHaveValueAsync(OwnerEmail);
        await Expect(page.Locator("#profile-role")).ToHaveValueAsync("Owner");
        foreach (var (field, value) in new[] { ("#current-password", OwnerPassword), ("#new-password", "a-new-password-1"), ("#confirm-password", "a-new-password-2") })
        {
            await page.Locator(field).FillAsync(value);
            await page.Locator(field).PressAsync("Tab");
        }

        await page.Locator("#change-password").ClickAsync();
        await Expect(page.Locator("#confirm-password")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("#confirm-password-helper")).ToHaveTextAsync("The two new passwords differ.");
        var tokenName = page.Locator("#token-name");
        await tokenName.FillAsync("CRM sync");
        await tokenName.PressAsync("Tab");
        await page.Locator("#create-token").ClickAsync();
        await Expect(page.Locator("#token-secret")).ToContainTextAsync("plt_");
        await Expect(page.Locator("#tokens-table")).ToContainTextAsync("CRM sync");
        await Screenshot(page, "settings-4-profile");

        // Audit trail: the changes above are recorded, newest first, with before and after.
        await OpenInteractiveAsync(page, "/settings/audit");
        var rows = page.Locator("#audit-table tbody tr");
        await Expect(rows.First).ToContainTextAsync("api_token.created");
        await Expect(page.Locator("#audit-table")).ToContainTextAsync("workspace.updated");
        var workspaceUpdate = rows.Filter(new() { HasText = "workspace.updated" }).First;
        await workspaceUpdate.GetByRole(AriaRole.Button, new() { Name = "Show changes" }).ClickAsync();
        await Expect(page.Locator(".pl-changes")).ToContainTextAsync("Acme Help Desk");
        // The chain of entries is checked on the page, and the trail exports with each entry's place in it.
        await Expect(page.Locator("#audit-chain")).ToContainTextAsync("intact");
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#audit-export-json").ClickAsync());
        var exported = await File.ReadAllTextAsync(await download.PathAsync(), TestContext.Current.CancellationToken);
        Assert.Contains("\"action\": \"workspace.updated\"", exported, StringComparison.Ordinal);
        Assert.Contains("\"sequence\": 1,", exported, StringComparison.Ordinal);
        await Screenshot(page, "settings-5-audit");
    }
}
