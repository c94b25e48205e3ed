using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>The demo workspace as an agent meets it: believable conversations with what the team knows beside them.</summary>
public sealed class DemoInboxTests : BrowserTest
{
    [Fact]
    public async Task DemoInbox_OwnerWorksThroughConversations_SidebarShowsTheirAttributesAndShortcutsDriveTheInbox()
    {
        await SeedDemoWorkspaceAsync();
        var dana = await SignInAsync("owner@demo.porchlight.test", "porchlight-demo", "Dana Whitfield");
        await OpenInteractiveAsync(dana, "/inbox");

        await dana.Locator(".pl-conversation-row", new() { HasText = "Hannah Schmidt" }).ClickAsync();

        await Expect(dana.Locator("#thread")).ToContainTextAsync("tracking hasn't moved since Monday");
        var conversationAttributes = dana.Locator("#conversation-attributes");
        await Expect(conversationAttributes.Locator("tr", new() { HasText = "orderNumber" })).ToContainTextAsync("48213");
        await Expect(conversationAttributes.Locator("tr", new() { HasText = "carrier" })).ToContainTextAsync("DHL");
        await Expect(dana.Locator("#contact-attributes tr", new() { HasText = "plan" })).ToContainTextAsync("Member");
        await Screenshot(dana, "demo-inbox-attributes");

        // Keyboard: j and k walk the list, n and r switch the composer, e resolves.
        await dana.Keyboard.PressAsync("j");
        await Expect(dana.Locator(".pl-conversation-row.pl-selected")).ToContainTextAsync("James Okafor");
        await dana.Keyboard.PressAsync("k");
        await Expect(dana.Locator(".pl-conversation-row.pl-selected")).ToContainTextAsync("Hannah Schmidt");
        await dana.Keyboard.PressAsync("n");
        await Expect(dana.Locator("#note-toggle")).ToHaveAttributeAsync("aria-pressed", "true");
        await dana.Locator("#thread").ClickAsync();
        await dana.Keyboard.PressAsync("r");
        await Expect(dana.Locator("#reply-toggle")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(dana.Locator("#composer")).ToBeFocusedAsync();
        await dana.Locator("#thread").ClickAsync();
        await dana.Keyboard.PressAsync("e");
        await Expect(dana.Locator("#conversation-status")).ToHaveAttributeAsync("data-status", "Resolved");
    }
}
