using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>
/// An owner sets retention policies on the Retention page (a too-short audit trail is refused at its field) and places legal
/// holds on a contact's page and beside one of her conversations in the inbox; an agent sees the hold without the controls;
/// the owner releases it there again.
/// </summary>
public sealed class RetentionPageTests : BrowserTest
{
    [Fact]
    public async Task Retention_OwnerSetsPoliciesAndHoldsAContactAndAConversation_AnAgentSeesTheHoldOnly()
    {
        await SeedDemoWorkspaceAsync();
        var dana = await SignInAsync("owner@demo.porchlight.test", "porchlight-demo", "Dana Whitfield");

        await OpenInteractiveAsync(dana, "/settings/retention");
        await Expect(dana.Locator("#retention-conversations-days")).ToHaveCountAsync(0);
        await dana.Locator("#retention-conversations-mode").SelectOptionAsync("Anonymize");
        await FillAsync(dana, "#retention-conversations-days", "730");
        await dana.Locator("#retention-auditEntries-mode").SelectOptionAsync("Delete");
        await FillAsync(dana, "#retention-auditEntries-days", "100");
        await dana.Locator("#retention-save").ClickAsync();
        await Expect(dana.Locator("#retention-auditEntries-error")).ToContainTextAsync("365");
        await FillAsync(dana, "#retention-auditEntries-days", "400");
        await dana.Locator("#retention-save").ClickAsync();
        await Expect(dana.Locator(".mud-snackbar", new() { HasText = "Retention policies saved." })).ToBeVisibleAsync();
        await Expect(dana.Locator("#retention-auditEntries-error")).ToHaveCountAsync(0);

        await dana.ReloadAsync();
        await Expect(dana.Locator("[data-interactive='true']")).ToBeVisibleAsync();
        await Expect(dana.Locator("#retention-conversations-mode")).ToHaveValueAsync("Anonymize");
        await Expect(dana.Locator("#retention-conversations-days")).ToHaveValueAsync("730");
        await Expect(dana.Locator("#retention-auditEntries-days")).ToHaveValueAsync("400");
        await Expect(dana.Locator("#retention-attachments-mode")).ToHaveValueAsync("Keep");
        await Expect(dana.Locator("#retention-runs-empty")).ToBeVisibleAsync();

        // A hold on Hannah, on her page.
        await OpenInteractiveAsync(dana, "/contacts");
        await FillAsync(dana, "#contact-search", "Hannah");
        await dana.Locator("[data-contact='Hannah Schmidt']").GetByRole(AriaRole.Link, new() { Name = "Hannah Schmidt" }).ClickAsync();
        await Expect(dana.Locator("#contact-title")).ToHaveTextAsync("Hannah Schmidt");
        await Expect(dana.Locator("[data-interactive='true']")).ToBeVisibleAsync();
        await dana.Locator("#legal-hold-place").ClickAsync();
        await Expect(dana.Locator("#legal-hold")).ToContainTextAsync("Required.");
        await FillAsync(dana, "#legal-hold-reason-input", "Case 2026-114");
        await dana.Locator("#legal-hold-place").ClickAsync();
        await Expect(dana.Locator("#legal-hold-reason")).ToHaveTextAsync("Case 2026-114");
        await Expect(dana.Locator("#legal-hold")).ToContainTextAsync("Dana Whitfield");

        // Beside one of her conversations: her hold is shown, and the conversation gets its own.
        await dana.Locator("#contact-conversations a[href^='/inbox/']").First.ClickAsync();
        await Expect(dana.Locator("#legal-hold-contact")).ToContainTextAsync("Case 2026-114");
        await FillAsync(dana, "#legal-hold-reason-input", "Chargeback dispute");
        await dana.Locator("#legal-hold-place").ClickAsync();
        await Expect(dana.Locator("#legal-hold-reason")).ToHaveTextAsync("Chargeback dispute");
        var conversation = new Uri(dana.Url).PathAndQuery;

        // An agent sees both holds, with nothing to change them by.
        var lena = await SignInAsync("lena@demo.porchlight.test", "porchlight-demo", "Lena Fischer");
        await OpenInteractiveAsync(lena, conversation);
        await Expect(lena.Locator("#legal-hold-reason")).ToHaveTextAsync("Chargeback dispute");
        await Expect(lena.Locator("#legal-hold-contact")).ToContainTextAsync("Case 2026-114");
        await Expect(lena.Locator("#legal-hold-release")).ToHaveCountAsync(0);

        // The retention page lists both; the conversation's hold is released beside it, the contact's stays.
        await OpenInteractiveAsync(dana, "/settings/retention");
        await Expect(dana.Locator("#retention-holds [data-hold]")).ToHaveCountAsync(2);
        await Expect(dana.Locator("#retention-holds")).ToContainTextAsync("Hannah Schmidt — Case 2026-114");
        await Expect(dana.Locator("#retention-holds")).ToContainTextAsync("with Hannah Schmidt — Chargeback dispute");
        await Screenshot(dana, "retention");
        await OpenInteractiveAsync(dana, conversation);
        await dana.Locator("#legal-hold-release").ClickAsync();
        await Expect(dana.Locator("#legal-hold-place")).ToBeVisibleAsync();
        await Expect(dana.Locator("#legal-hold-contact")).ToContainTextAsync("Case 2026-114");
        await Screenshot(dana, "legal-hold");
    }
}
