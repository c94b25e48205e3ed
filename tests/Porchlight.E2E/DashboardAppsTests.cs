using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>
/// An admin adds a page of the team's own order system as a dashboard app; beside each conversation the page shows the
/// customer and conversation the agent has open, told by Porchlight across origins, and follows the agent to the next one.
/// </summary>
public sealed class DashboardAppsTests : BrowserTest
{
    [Fact]
    public async Task DashboardApp_AgentOpensConversationsInTheInbox_TheAppsFrameShowsEachOnesContactAndNumber()
    {
        await SeedDemoWorkspaceAsync();
        using var orders = DashboardAppSite.Start(Server.BaseAddress.GetLeftPart(UriPartial.Authority));
        var dana = await SignInAsync("owner@demo.porchlight.test", "porchlight-demo", "Dana Whitfield");

        // Porchlight's own address is refused at the field; the order system's is added.
        await OpenInteractiveAsync(dana, "/settings/dashboard-apps");
        await Expect(dana.Locator("#apps-empty")).ToBeVisibleAsync();
        await FillAsync(dana, "#app-name", "Orders");
        await FillAsync(dana, "#app-url", Server.Url("/inbox"));
        await dana.Locator("#app-save").ClickAsync();
        await Expect(dana.Locator("#app-url")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(dana.Locator("#app-form")).ToContainTextAsync("another origin than Porchlight");
        await FillAsync(dana, "#app-url", orders.Url);
        await dana.Locator("#app-save").ClickAsync();
        await Expect(dana.Locator("[data-app='Orders']")).ToContainTextAsync(orders.Url);
        await Expect(dana.Locator("#app-url")).ToHaveAttributeAsync("aria-invalid", "false");
        await Expect(dana.Locator(".mud-snackbar", new() { HasText = "invalid" })).ToHaveCountAsync(0); // the earlier error's notice has gone
        await Screenshot(dana, "dashboard-apps-settings");

        await OpenInteractiveAsync(dana, "/inbox");
        await dana.Locator(".pl-conversation-row", new() { HasText = "Hannah Schmidt" }).ClickAsync();
        var hannahsNumber = await NumberOfOpenConversationAsync(dana, "Hannah Schmidt");
        var frameElement = dana.Locator("#dashboard-apps iframe[title='Orders']");
        await Expect(frameElement).ToHaveAttributeAsync("sandbox", "allow-scripts allow-forms allow-popups allow-same-origin");
        await Expect(frameElement).ToHaveAttributeAsync("referrerpolicy", "no-referrer");
        var app = dana.FrameLocator("#dashboard-apps iframe[title='Orders']");
        await Expect(app.Locator("#contact")).ToHaveTextAsync("Hannah Schmidt");
        await Expect(app.Locator("#email")).ToHaveTextAsync("hannah.schmidt@example.com");
        await Expect(app.Locator("#conversation")).ToContainTextAsync($"#{hannahsNumber} ·");
        await Expect(app.Locator("#agent")).ToHaveTextAsync("Dana Whitfield");
        await Screenshot(dana, "dashboard-apps");

        // The app asks again and is answered (only its own frame's window, from its own origin, is).
        var received = int.Parse(await app.Locator("#received").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
        await app.Locator("#ask").ClickAsync();
        await Expect(app.Locator("#received")).Not.ToHaveTextAsync(received.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // The next conversation: the same page, told the new context.
        await dana.Locator(".pl-conversation-row", new() { HasText = "James Okafor" }).ClickAsync();
        var jamesNumber = await NumberOfOpenConversationAsync(dana, "James Okafor");
        Assert.NotEqual(hannahsNumber, jamesNumber);
        await Expect(app.Locator("#contact")).ToHaveTextAsync("James Okafor");
        await Expect(app.Locator("#conversation")).ToContainTextAsync($"#{jamesNumber} ·");

        // Collapsed, the panel hides the page; opened again, it shows it.
        await dana.Locator("[data-app='Orders'] summary").ClickAsync();
        await Expect(frameElement).ToBeHiddenAsync();
        await dana.Locator("[data-app='Orders'] summary").ClickAsync();
        await Expect(app.Locator("#contact")).ToHaveTextAsync("James Okafor");
    }

    private static async Task<string> NumberOfOpenConversationAsync(IPage page, string contactName)
    {
        var title = page.Locator("#conversation-title");
        await Expect(title).ToContainTextAsync(contactName);
        return (await title.Locator(".pl-number").InnerTextAsync()).TrimStart('#');
    }
}
