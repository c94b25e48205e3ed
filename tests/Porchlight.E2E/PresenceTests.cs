using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>
/// An agent chooses Away in the top bar; a teammate sees it at once on the Agents page and in the inbox's
/// assignee picker, and the choice is still there after a reload.
/// </summary>
public sealed class PresenceTests : BrowserTest
{
    private const string DemoPassword = "porchlight-demo";

    [Fact]
    public async Task Presence_AgentChoosesAwayInTheTopBar_TeammatesSeeItLive()
    {
        await SeedDemoWorkspaceAsync();
        var lena = await SignInAsync("lena@demo.porchlight.test", DemoPassword, "Lena Fischer");
        var marco = await SignInAsync("marco@demo.porchlight.test", DemoPassword, "Marco Bianchi");
        var dana = await SignInAsync("owner@demo.porchlight.test", DemoPassword, "Dana Whitfield");
        // An open inbox makes an agent present.
        await OpenInteractiveAsync(lena, "/inbox");
        await OpenInteractiveAsync(marco, "/inbox");
        await OpenInteractiveAsync(dana, "/settings/agents");
        var lenaOnTheAgentsPage = PresenceOf(dana, "Lena Fischer");
        await Expect(lenaOnTheAgentsPage).ToHaveAttributeAsync("data-presence", "Online");
        await Expect(PresenceOf(dana, "Priya Raman")).ToHaveAttributeAsync("data-presence", "Offline");

        var status = lena.Locator("#availability");
        await Expect(status).ToHaveAttributeAsync("data-presence", "Online");
        await status.ClickAsync();
        await Expect(lena.Locator("#availability-away")).ToBeVisibleAsync();
        await ScreenshotTopRight(lena, "presence-1-status-menu");
        await lena.Locator("#availability-away").ClickAsync();

        await Expect(status).ToHaveAttributeAsync("data-presence", "Away");
        await Expect(lena.Locator("#availability-label")).ToHaveTextAsync("Away");
        await Expect(lenaOnTheAgentsPage).ToHaveAttributeAsync("data-presence", "Away");
        await ScreenshotTopRight(lena, "presence-2-top-bar-away");
        await Screenshot(dana, "presence-3-agents-page");

        // In the inbox, the assignee picker shows who is here.
        await OpenInteractiveAsync(dana, "/inbox");
        await Expect(dana.Locator("#inbox[data-ready='true']")).ToBeVisibleAsync();
        await dana.Locator(".pl-conversation-row").First.ClickAsync();
        var picker = dana.Locator("#assignee-picker");
        await Expect(picker.Locator("option", new() { HasText = "Lena Fischer" }).Locator(".pl-presence-away")).ToHaveCountAsync(1);
        await Expect(picker.Locator("option", new() { HasText = "Marco Bianchi" }).Locator(".pl-presence-online")).ToHaveCountAsync(1);
        await Expect(picker.Locator("option", new() { HasText = "Priya Raman" }).Locator(".pl-presence-offline")).ToHaveCountAsync(1);
        await picker.ClickAsync();
        await Screenshot(dana, "presence-4-assignee-picker");
        await dana.Keyboard.PressAsync("Escape");

        // The choice is kept: after a reload Lena is still Away, and back to Online with one click.
        await lena.ReloadAsync();
        await Expect(lena.Locator(".pl-page[data-interactive='true']")).ToBeVisibleAsync();
        await Expect(status).ToHaveAttributeAsync("data-availability", "Away");
        await status.ClickAsync();
        await lena.Locator("#availability-online").ClickAsync();
        await Expect(status).ToHaveAttributeAsync("data-presence", "Online");
        await Expect(picker.Locator("option", new() { HasText = "Lena Fischer" }).Locator(".pl-presence-online")).ToHaveCountAsync(1);
    }

    private static ILocator PresenceOf(IPage page, string agentName) =>
        page.Locator("#agents-table tr", new() { HasText = agentName }).Locator(".pl-presence");

    // The top bar's right end and whatever opens beneath it, at the size a person sees it.
    private static async Task ScreenshotTopRight(IPage page, string name) =>
        await page.ScreenshotAsync(new() { Path = RepositoryPaths.Screenshot(name), Clip = new() { X = 680, Y = 0, Width = 600, Height = 260 } });
}
