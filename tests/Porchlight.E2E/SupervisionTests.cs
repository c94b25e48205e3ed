using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>
/// A supervisor routes the website's chats to a team and watches the live queues page: a visitor's chat waits
/// while the only agent present has no room (the visitor sees their place in line), and the moment the supervisor
/// raises that agent's cap the agent gets it, on both screens, without a reload.
/// </summary>
public sealed partial class SupervisionTests : BrowserTest
{
    private const string DemoPassword = "porchlight-demo";

    [Fact]
    public async Task LiveQueues_VisitorWaitsUntilTheSupervisorRaisesACap_BothScreensFollowLive()
    {
        await SeedDemoWorkspaceAsync();
        var dana = await SignInAsync("owner@demo.porchlight.test", DemoPassword, "Dana Whitfield");
        var marco = await SignInAsync("marco@demo.porchlight.test", DemoPassword, "Marco Bianchi");
        // The demo's assistant answers the website chat first; this test is about the queue, so it is switched off.
        await OpenInteractiveAsync(dana, "/settings/assistant");
        await dana.GetByText("Answer new chats in this inbox").ClickAsync();
        await dana.Locator("#flow-save").ClickAsync();
        await Expect(dana.GetByText("Saved as version 1; switched off.")).ToBeVisibleAsync();
        await OpenInteractiveAsync(dana, "/settings/inboxes");
        var website = dana.Locator("tr", new() { HasText = "Website chat" });
        var snippet = (await website.Locator("td[data-label='Embed snippet'] code").InnerTextAsync()).Trim();
        await website.Locator("select[id^='inbox-team-']").SelectOptionAsync(new SelectOptionValue { Label = "Team Support" });
        await Expect(dana.GetByText("New conversations of Website chat wait for team Support.")).ToBeVisibleAsync();
        // A rule: chats about returns are High priority.
        await website.Locator("[id^='edit-rules-']").ClickAsync();
        await dana.Locator("#rule-new").ClickAsync();
        var ruleName = dana.Locator("#rule-name");
        await ruleName.FillAsync("Returns first");
        await ruleName.PressAsync("Tab");
        await dana.Locator("#rule-add-condition").ClickAsync();
        var keywords = dana.Locator("#rule-value-0");
        await keywords.FillAsync("return, refund");
        await keywords.PressAsync("Tab");
        await dana.Locator("#rule-priority").SelectOptionAsync("High");
        await dana.Locator("#rule-save").ClickAsync();
        await Expect(dana.Locator("[data-rule='Returns first'] .pl-rule-summary"))
            .ToHaveTextAsync("Opening message contains any of return, refund → team of the inbox, priority High");
        await dana.Locator("#routing-rules-section").ScreenshotAsync(new() { Path = RepositoryPaths.Screenshot("supervision-0-routing-rules") });

        // Marco is the only agent present; the supervisor leaves him no room for another chat.
        await OpenInteractiveAsync(marco, "/inbox");
        await OpenInteractiveAsync(dana, "/supervision");
        var marcoRow = dana.Locator("tr[data-agent='Marco Bianchi']");
        await Expect(marcoRow.Locator(".pl-presence-online")).ToHaveCountAsync(1);
        var cap = marcoRow.Locator("input.pl-cap-input");
        await cap.FillAsync("0");
        await cap.PressAsync("Tab");
        var chats = marcoRow.Locator("td[data-channel='Chat']");
        await Expect(chats).ToHaveTextAsync(ZeroCap());
        var held = int.Parse((await chats.InnerTextAsync()).Split('/')[0], System.Globalization.CultureInfo.InvariantCulture);

        // A visitor starts a chat: it waits in Support's queue, and the visitor is told their place.
        using var site = HostSite.Start(snippet);
        var visitor = await Browser.NewPageAsync();
        // The place in line is announced as soon as the conversation is routed, which can be before the widget has the
        // answer that created it; holding that answer back makes the announcement always come first.
        await visitor.RouteAsync(StartConversation(), async route =>
        {
            var response = await route.FetchAsync();
            await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
            await route.FulfillAsync(new() { Response = response });
        });
        await visitor.GotoAsync(site.Url);
        await WidgetLocators.Launcher(visitor).ClickAsync();
        var chat = WidgetLocators.Chat(visitor);
        var composer = chat.GetByRole(AriaRole.Textbox, new() { Name = "Write a message…" });
        await composer.FillAsync("Hello, can someone help me with a return?");
        await composer.PressAsync("Enter");
        await Expect(chat.Locator("p.notice")).ToHaveTextAsync("You're number 1 in line.");
        var support = dana.Locator("[data-team='Support']");
        await Expect(support.Locator("[data-figure='waiting'] .pl-figure-value")).ToHaveTextAsync("1");
        await Expect(support.Locator(".pl-queue tbody tr")).ToHaveCountAsync(1);
        await Expect(support.Locator(".pl-queue tbody tr td").Nth(2)).ToHaveTextAsync("High"); // the rule's priority
        await Screenshot(dana, "supervision-1-waiting");
        await Screenshot(visitor, "supervision-2-widget-in-line");

        // Room for one more: Marco gets the chat at once, and both screens follow.
        await cap.FillAsync((held + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await cap.PressAsync("Tab");
        await Expect(support.Locator("[data-figure='waiting'] .pl-figure-value")).ToHaveTextAsync("0");
        await Expect(chats).ToHaveTextAsync($"{held + 1}/{held + 1}");
        await Expect(support.Locator(".pl-queue")).ToHaveCountAsync(0);
        await Expect(chat.Locator("p.notice")).ToHaveTextAsync("");
        await Expect(marco.Locator(".pl-conversation-row", new() { HasText = "return" })).ToHaveCountAsync(1);
        await Screenshot(dana, "supervision-3-assigned");
    }

    [GeneratedRegex("/widget/v1/conversations$")]
    private static partial Regex StartConversation();

    [GeneratedRegex(@"^\d+/0$")]
    private static partial Regex ZeroCap();
}
