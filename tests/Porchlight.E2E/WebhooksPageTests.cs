using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>
/// An Owner adds a webhook on the Webhooks page: a bad URL is refused at the field, the signing secret is shown
/// once, and the webhook can be changed (narrowed to an API inbox's conversations), switched off and its log opened.
/// </summary>
public sealed class WebhooksPageTests : BrowserTest
{
    [Fact]
    public async Task WebhooksPage_OwnerAddsAWebhook_SecretShownOnceAndTheWebhookListedAfterAReload()
    {
        var page = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(page, "Acme Support");
        await OpenInteractiveAsync(page, "/settings/webhooks");
        await Expect(page.Locator("#webhooks-empty")).ToBeVisibleAsync();

        var url = page.Locator("#webhook-url");
        await url.FillAsync("ftp://ops.example.com/porchlight");
        await url.PressAsync("Tab");
        await page.Locator("#webhook-create").ClickAsync();
        await Expect(url).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("#webhook-form")).ToContainTextAsync("An absolute http or https URL");

        await url.FillAsync("http://127.0.0.1:9/porchlight");
        await url.PressAsync("Tab");
        var description = page.Locator("#webhook-description");
        await description.FillAsync("Paging");
        await description.PressAsync("Tab");
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Sent by automation rules" }).CheckAsync();
        await page.Locator("#webhook-create").ClickAsync();

        await Expect(page.Locator("#webhook-secret-value")).ToHaveTextAsync(new Regex("^[0-9a-f]{64}$"));
        var webhook = page.Locator("[data-webhook='Paging']");
        await Expect(webhook.Locator("[data-summary='events']")).ToHaveTextAsync("sla.breached · conversation.escalated · automation.rule");
        await Expect(url).ToHaveAttributeAsync("aria-invalid", "false");
        await Expect(page.Locator(".mud-snackbar")).ToHaveCountAsync(0); // the earlier error's notice has gone
        await Screenshot(page, "webhooks");

        // A website and a mobile app whose backend speaks for its users through an API inbox.
        await CreateWidgetInboxAsync(page);
        await FillAsync(page, "#inbox-name", "Mobile app");
        await page.Locator(".mud-select", new() { Has = page.Locator("#inbox-channel") }).First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "API" }).ClickAsync();
        await Expect(page.Locator(".mud-popover-open .mud-list")).ToHaveCountAsync(0);
        await page.Locator("#create-inbox").ClickAsync();
        await Expect(page.Locator("#api-inbox-ready")).ToContainTextAsync("Mobile app is ready");
        await Screenshot(page, "api-inbox");

        await OpenInteractiveAsync(page, "/settings/webhooks");
        await Expect(page.Locator("#webhook-secret")).ToHaveCountAsync(0);
        webhook = page.Locator("[data-webhook='Paging']");
        await webhook.GetByRole(AriaRole.Button, new() { Name = "Change Paging" }).ClickAsync();
        await Expect(page.Locator("#webhook-form-title")).ToHaveTextAsync("Change Paging");
        await Expect(url).ToHaveValueAsync("http://127.0.0.1:9/porchlight");
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Message created" }).CheckAsync();
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "SLA breached" }).UncheckAsync();
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Mobile app" }).CheckAsync();
        await page.Locator("#webhook-create").ClickAsync();
        await Expect(webhook.Locator("[data-summary='events']")).ToHaveTextAsync("message.created · conversation.escalated · automation.rule");
        await Expect(webhook.Locator("[data-summary='inboxes']")).ToHaveTextAsync("Only Mobile app");
        await Expect(page.Locator("#webhook-form-title")).ToHaveTextAsync("New webhook");
        await webhook.GetByRole(AriaRole.Switch).ClickAsync();
        await Expect(webhook).ToContainTextAsync("(off)");
        await webhook.GetByRole(AriaRole.Button, new() { Name = "Log" }).ClickAsync();
        await Expect(page.Locator("#webhook-log")).ToContainTextAsync("No deliveries yet.");
    }
}
