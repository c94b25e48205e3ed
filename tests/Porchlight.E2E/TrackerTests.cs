using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;
using static Porchlight.E2E.Infrastructure.WidgetLocators;

namespace Porchlight.E2E;

/// <summary>
/// The tracker in the loader, seen from a customer's website on another origin: the pages a visitor views
/// (including a single-page app's navigation) and the events the site reports reach the agent's sidebar in
/// order and live, and nothing the tracker does can break the host page.
/// </summary>
public sealed partial class TrackerTests : BrowserTest
{
    [Fact]
    public async Task PageTrail_VisitorBrowsesPagesAndASinglePageApp_AgentSeesTheExactTrailLive()
    {
        var agent = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(agent, "Acme Support");
        var snippet = await CreateWidgetInboxAsync(agent);
        await OpenInteractiveAsync(agent, "/inbox");
        using var site = HostSite.Start(snippet);

        var visitor = await Browser.NewPageAsync();
        await visitor.GotoAsync(site.Url);
        await Expect(Launcher(visitor)).ToBeVisibleAsync();
        await visitor.Locator("#to-cart").ClickAsync();
        await Expect(visitor).ToHaveTitleAsync("Acme Outdoor – Cart");
        await Expect(Launcher(visitor)).ToBeVisibleAsync();
        await visitor.Locator("#to-app").ClickAsync();
        await Expect(Launcher(visitor)).ToBeVisibleAsync();
        await visitor.Locator("#to-plans").ClickAsync();
        await Expect(visitor).ToHaveURLAsync(site.Root + "app/plans");
        await visitor.EvaluateAsync("() => Porchlight.track('checkout_started', { plan: 'pro' })");

        // Before any chat, the agent sees an anonymous visitor on the Visitors page, on the page they are on.
        await OpenInteractiveAsync(agent, "/visitors");
        var row = agent.Locator("#visitors-table tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.Locator("td[data-label='Page']")).ToHaveTextAsync("Plans");
        await Expect(row.Locator("td[data-label='Visitor']")).ToContainTextAsync("Anonymous");
        await Expect(row.Locator("td[data-label='Visits']")).ToHaveTextAsync("New");
        await Screenshot(agent, "tracker-visitors");
        await OpenInteractiveAsync(agent, "/inbox");

        await Launcher(visitor).ClickAsync();
        var composer = Chat(visitor).GetByRole(AriaRole.Textbox, new() { Name = "Write a message…" });
        await composer.FillAsync("Which plan includes phone support?");
        await composer.PressAsync("Enter");

        await agent.Locator(".pl-conversation-row", new() { HasText = "Which plan includes phone support?" }).ClickAsync();
        var trail = agent.Locator("#contact-page-trail li");
        await Expect(trail).ToHaveCountAsync(5);
        Assert.Equal(
            ["Acme Outdoor – Boots", "Acme Outdoor – Cart", "Acme Account", "Plans", "checkout_started plan: pro"],
            (await trail.Locator(".pl-trail-what").AllInnerTextsAsync()).Select(t => t.Trim()));
        // The pages left have their time in view; the page in view has none yet.
        await Expect(trail.Nth(0).Locator(".pl-trail-duration")).ToHaveTextAsync(Duration());
        await Expect(trail.Nth(3).Locator(".pl-trail-duration")).ToHaveCountAsync(0);
        await Expect(agent.Locator("#contact-current-page")).ToContainTextAsync("Viewing Plans");
        await Expect(agent.Locator("#contact-visits")).ToContainTextAsync("1 ·");

        // The visitor moves on in the app: the agent's sidebar follows without a reload.
        await visitor.Locator("#to-billing").ClickAsync();
        await Expect(trail).ToHaveCountAsync(6);
        await Expect(trail.Last.Locator(".pl-trail-what")).ToHaveTextAsync("Billing");
        await Expect(agent.Locator("#contact-current-page")).ToContainTextAsync("Viewing Billing");
        await Screenshot(agent, "tracker-page-trail");

        // The Visitors page now names the contact and leads to their conversation.
        await OpenInteractiveAsync(agent, "/visitors");
        await Expect(row.Locator("td[data-label='Page']")).ToHaveTextAsync("Billing");
        await row.Locator("td[data-label='Visitor'] a").ClickAsync();
        await Expect(agent.Locator("#thread")).ToContainTextAsync("Which plan includes phone support?");
    }

    [Fact]
    public async Task SiteAnalytics_VisitorAsksOnThePlansPage_TeamSeesTheVisitAndThePageThatLedToTheConversation()
    {
        var agent = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(agent, "Acme Support");
        var snippet = await CreateWidgetInboxAsync(agent);
        await OpenInteractiveAsync(agent, "/inbox"); // an agent online, so the widget offers the chat
        using var site = HostSite.Start(snippet);
        var visitor = await Browser.NewPageAsync();
        await visitor.GotoAsync(site.Url);
        await Expect(Launcher(visitor)).ToBeVisibleAsync();
        await visitor.Locator("#to-cart").ClickAsync();
        await Expect(Launcher(visitor)).ToBeVisibleAsync();
        await visitor.Locator("#to-app").ClickAsync();
        await Expect(Launcher(visitor)).ToBeVisibleAsync();
        await visitor.Locator("#to-plans").ClickAsync();
        await Launcher(visitor).ClickAsync();
        var composer = Chat(visitor).GetByRole(AriaRole.Textbox, new() { Name = "Write a message…" });
        await composer.FillAsync("Can I pay yearly?");
        await composer.PressAsync("Enter");
        await Expect(Chat(visitor).GetByText("Can I pay yearly?")).ToBeVisibleAsync();

        // Figures are rolled up in the background; the page reads them as they stand when it opens.
        var conversations = agent.Locator("#stat-conversations");
        await OpenInteractiveAsync(agent, "/analytics");
        for (var attempt = 0; attempt < 30 && await conversations.TextContentAsync() != "1"; attempt++)
        {
            await Task.Delay(500, TestContext.Current.CancellationToken);
            await OpenInteractiveAsync(agent, "/analytics");
        }

        await Expect(conversations).ToHaveTextAsync("1");
        await Expect(agent.Locator("#stat-visits")).ToHaveTextAsync("1");
        await Expect(agent.Locator("#stat-pageviews")).ToHaveTextAsync("4");
        var asked = agent.Locator("#pages-before-conversations tbody tr");
        await Expect(asked).ToHaveCountAsync(1);
        await Expect(asked.Locator("td").First).ToHaveTextAsync("/app/plans");
        await Expect(asked.Locator("td").Last).ToHaveTextAsync("100%");
        await Expect(agent.Locator("#top-pages tbody tr")).ToHaveCountAsync(4);
        await Expect(agent.Locator("#devices")).ToContainTextAsync("Desktop");
        await Screenshot(agent, "tracker-analytics");
    }

    [Fact]
    public async Task ProactiveMessage_CampaignForThePlansPage_VisitorAnswersItAndTheTeamSeesItCounted()
    {
        var agent = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(agent, "Acme Support");
        var snippet = await CreateWidgetInboxAsync(agent);
        await OpenInteractiveAsync(agent, "/settings/campaigns");
        await agent.Locator("#campaign-name").FillAsync("Plans help");
        await agent.Locator("#campaign-pattern").FillAsync("/app/plans");
        await agent.Locator("#campaign-text").FillAsync("Questions about our plans? Ask me.");
        await agent.Locator("#campaign-text").PressAsync("Tab");
        await agent.Locator("#save-campaign").ClickAsync();
        await Expect(agent.Locator("#campaigns-table tbody tr")).ToContainTextAsync("Plans help");
        await OpenInteractiveAsync(agent, "/inbox"); // an agent online, so the chat takes the answer live
        using var site = HostSite.Start(snippet);

        var visitor = await Browser.NewPageAsync();
        await visitor.GotoAsync(site.Root + "app");
        await Expect(Launcher(visitor)).ToBeVisibleAsync();
        await Expect(Bubble(visitor)).Not.ToContainTextAsync("Questions about our plans?"); // the inbox's greeting: not this page
        await visitor.Locator("#to-plans").ClickAsync();
        await Expect(Bubble(visitor)).ToContainTextAsync("Questions about our plans? Ask me.");
        await Expect(Bubble(visitor)).ToContainTextAsync(OwnerName);
        await Screenshot(visitor, "proactive-bubble");

        await Bubble(visitor).Locator(".t").ClickAsync();
        await Expect(Chat(visitor).GetByText("Questions about our plans? Ask me.")).ToBeVisibleAsync();
        var composer = Chat(visitor).GetByRole(AriaRole.Textbox, new() { Name = "Write a message…" });
        await composer.FillAsync("Is there a discount for schools?");
        await composer.PressAsync("Enter");

        await agent.Locator(".pl-conversation-row", new() { HasText = "Is there a discount for schools?" }).ClickAsync();
        await Expect(agent.Locator("#thread")).ToContainTextAsync("Questions about our plans? Ask me.");
        await OpenInteractiveAsync(agent, "/settings/campaigns");
        await Expect(agent.Locator("#campaigns-table .pl-campaign-answered")).ToHaveTextAsync("1 (100%)");
        await Screenshot(agent, "proactive-campaigns");
    }

    [Fact]
    public async Task ProactiveMessage_AgentWritesToAVisitorOnTheVisitorsPage_ItAppearsOnTheirPage()
    {
        var agent = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(agent, "Acme Support");
        var snippet = await CreateWidgetInboxAsync(agent);
        using var site = HostSite.Start(snippet);
        var visitor = await Browser.NewPageAsync();
        await visitor.GotoAsync(site.Url);
        await Expect(Launcher(visitor)).ToBeVisibleAsync();

        await OpenInteractiveAsync(agent, "/visitors");
        await agent.Locator("#visitors-table button[id^='message-']").ClickAsync();
        await agent.Locator("#proactive-text").FillAsync("Hi! Looking for a size? I can help.");
        await agent.Locator("#proactive-send").ClickAsync();
        await Expect(agent.GetByText("Message sent")).ToBeVisibleAsync();

        // The page asks every 15 seconds while it is in view.
        await Expect(Bubble(visitor)).ToContainTextAsync("Hi! Looking for a size? I can help.");
    }

    [Fact]
    public async Task TrackingSettings_AdminChoosesCookielessForOneSite_AgentSeesTheTrailAndTheBrowserKeepsNoIds()
    {
        var agent = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(agent, "Acme Support");
        var snippet = await CreateWidgetInboxAsync(agent);
        using var site = HostSite.Start(snippet);

        await agent.Locator("[id^='edit-tracking-']").ClickAsync();
        await agent.Locator("#tracking-section .mud-select").First.ClickAsync();
        await agent.Locator(".mud-popover-open .mud-list-item", new() { HasText = "Cookieless" }).ClickAsync();
        await FillAsync(agent, "#tracking-origins", "https://shop.example/checkout");
        await agent.Locator("#tracking-save").ClickAsync();
        await Expect(agent.Locator("#tracking-section")).ToContainTextAsync("is not an origin");
        await FillAsync(agent, "#tracking-origins", site.Root.TrimEnd('/'));
        await agent.Locator("#tracking-save").ClickAsync();
        await Expect(agent.GetByText("Tracking of Website chat saved.")).ToBeVisibleAsync();
        await Expect(agent.Locator("[id^='tracking-summary-']")).ToHaveTextAsync("Cookieless");
        await Screenshot(agent, "tracker-settings");
        await OpenInteractiveAsync(agent, "/inbox");

        var visitor = await Browser.NewPageAsync();
        await visitor.GotoAsync(site.Url);
        await Expect(Launcher(visitor)).ToBeVisibleAsync();
        await visitor.Locator("#to-cart").ClickAsync();
        await Expect(Launcher(visitor)).ToBeVisibleAsync();
        await Launcher(visitor).ClickAsync();
        var composer = Chat(visitor).GetByRole(AriaRole.Textbox, new() { Name = "Write a message…" });
        await composer.FillAsync("Do you ship to Norway?");
        await composer.PressAsync("Enter");

        // The chat's contact is linked to the cookieless visitor by the same daily hash the tracker's requests got.
        await agent.Locator(".pl-conversation-row", new() { HasText = "Do you ship to Norway?" }).ClickAsync();
        var trail = agent.Locator("#contact-page-trail li .pl-trail-what");
        await Expect(trail).ToHaveTextAsync(["Acme Outdoor – Boots", "Acme Outdoor – Cart"]);
        var trackerKeys = await visitor.EvaluateAsync<string[]>("() => Object.keys(localStorage).filter(key => /:t[vsc]$/.test(key))");
        Assert.Empty(trackerKeys);
    }

    [Fact]
    public async Task Tracker_ServerGoesDown_NeverThrowsIntoTheHostPage()
    {
        var agent = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(agent, "Acme Support");
        var snippet = await CreateWidgetInboxAsync(agent);
        using var site = HostSite.Start(snippet);
        var visitor = await Browser.NewPageAsync();
        var uncaught = new List<string>();
        visitor.PageError += (_, error) => uncaught.Add(error);
        await visitor.GotoAsync(site.Root + "app");
        await Expect(Launcher(visitor)).ToBeVisibleAsync();

        await KillServerAsync();
        await visitor.Locator("#to-plans").ClickAsync();
        await visitor.EvaluateAsync("() => { for (let i = 0; i < 20; i++) Porchlight.track('clicked', { n: i, nested: { a: 1 } }); }");
        await visitor.Locator("#to-billing").ClickAsync();
        await visitor.EvaluateAsync("() => Porchlight.consent(false)");
        await visitor.EvaluateAsync("() => Porchlight.consent(true)");
        await visitor.EvaluateAsync("() => Porchlight.track(undefined)");

        // The app's own code kept working, and nothing the tracker did surfaced as an uncaught error.
        await Expect(visitor.Locator("h1")).ToHaveTextAsync("Billing");
        Assert.Equal("Billing", await visitor.TitleAsync());
        Assert.Empty(uncaught);
    }

    [GeneratedRegex(@"^\d+s$")]
    private static partial Regex Duration();
}
