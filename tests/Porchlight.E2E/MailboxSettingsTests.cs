using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>An Owner creates an email inbox and sets up its mailbox on the Inboxes page; the connection test says what is wrong.</summary>
public sealed class MailboxSettingsTests : BrowserTest
{
    [Fact]
    public async Task MailboxSection_OwnerConnectsAServerThatDoesNotAnswer_SavedWithoutShowingThePasswordAndTheTestSaysWhy()
    {
        var page = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(page, "Acme Support");
        await OpenInteractiveAsync(page, "/settings/inboxes");
        await FillAsync(page, "#inbox-name", "Support email");
        await page.Locator(".mud-select", new() { Has = page.Locator("#inbox-channel") }).First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "Email" }).ClickAsync();
        await Expect(page.Locator(".mud-popover-open .mud-list")).ToHaveCountAsync(0);
        await page.Locator("#create-inbox").ClickAsync();

        // A new email inbox opens its mailbox at once: it does nothing until that is set up.
        await Expect(page.Locator("#mailbox-section")).ToContainTextAsync("Mailbox of Support email");
        await page.Locator("#mailbox-save").ClickAsync();
        await Expect(page.Locator("#mailbox-address")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("#mailbox-imap-host")).ToHaveAttributeAsync("aria-invalid", "true");

        await FillAsync(page, "#mailbox-address", "support@acme.test");
        await FillAsync(page, "#mailbox-imap-host", "127.0.0.1");
        await FillAsync(page, "#mailbox-imap-port", "9");
        await page.Locator("#mailbox-imap-security").SelectOptionAsync("None");
        await FillAsync(page, "#mailbox-imap-username", "support@acme.test");
        await FillAsync(page, "#mailbox-imap-password", "s3cret-passw0rd");
        await FillAsync(page, "#mailbox-smtp-host", "127.0.0.1");
        await FillAsync(page, "#mailbox-smtp-port", "9");
        await page.Locator("#mailbox-smtp-security").SelectOptionAsync("None");
        await page.Locator("#mailbox-save").ClickAsync();

        var result = page.Locator("#mailbox-test-result");
        await Expect(result).ToContainTextAsync("Reading (IMAP): Could not reach the server");
        await Expect(result).ToContainTextAsync("Sending (SMTP): Could not reach the server");
        await Expect(page.Locator("#mailbox-imap-password")).ToHaveValueAsync("");
        await Expect(page.Locator("#mailbox-imap-password")).ToHaveAttributeAsync("placeholder", "unchanged");
        await Screenshot(page, "email-mailbox");

        await OpenInteractiveAsync(page, "/settings/inboxes");
        await page.Locator("[id^='edit-mailbox-']").ClickAsync();
        await Expect(page.Locator("#mailbox-address")).ToHaveValueAsync("support@acme.test");
        await Expect(page.Locator("#mailbox-imap-port")).ToHaveValueAsync("9");
        await Expect(page.Locator("#mailbox-section")).Not.ToContainTextAsync("s3cret-passw0rd");

        // The website's chat emails what it cannot say live (replies to offline messages, survey links) from this mailbox.
        await FillAsync(page, "#inbox-name", "Website");
        await page.Locator("#create-inbox").ClickAsync();
        var website = page.Locator("tr", new() { HasText = "Web widget" });
        await website.Locator("[id^='edit-offline-email-']").ClickAsync();
        await Expect(page.Locator("#offline-email-section")).ToContainTextAsync("Email from Website");
        await page.Locator("#offline-email-inbox").SelectOptionAsync(new SelectOptionValue { Label = "Email inbox Support email" });
        await Expect(page.Locator("#offline-email-address")).ToHaveTextAsync("Replies and survey links go out from support@acme.test, in the customer's thread.");
        await Screenshot(page, "email-offline-replies");

        await OpenInteractiveAsync(page, "/settings/inboxes");
        await website.Locator("[id^='edit-offline-email-']").ClickAsync();
        await Expect(page.Locator("#offline-email-inbox option:checked")).ToHaveTextAsync("Email inbox Support email");
    }
}
