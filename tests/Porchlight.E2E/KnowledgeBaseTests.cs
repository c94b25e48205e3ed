using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>
/// A visitor on a customer's site finds an answer in the chat itself: searches the help articles (a misspelling
/// corrected), reads one, says it helped, and then, still needing a person, asks the team, who see the message live.
/// </summary>
public sealed class KnowledgeBaseTests : BrowserTest
{
    [Fact]
    public async Task WidgetHelp_VisitorSearchesReadsThenAsksForAPerson_AgentGetsTheConversation()
    {
        await SeedDemoWorkspaceAsync();
        var dana = await SignInAsync("owner@demo.porchlight.test", "porchlight-demo", "Dana Whitfield");
        var snippet = await CreateWidgetInboxAsync(dana, "Shop chat");
        using var site = HostSite.Start(snippet);
        await OpenInteractiveAsync(dana, "/inbox");

        var visitor = await Browser.NewPageAsync();
        await visitor.GotoAsync(site.Url);
        await WidgetLocators.Launcher(visitor).ClickAsync();
        var chat = WidgetLocators.Chat(visitor);
        await chat.GetByRole(AriaRole.Button, new() { Name = "Help articles" }).ClickAsync();
        await Expect(chat.Locator(".note")).ToHaveTextAsync("Popular articles");
        await Expect(chat.Locator(".article")).ToHaveCountAsync(5);

        var search = chat.GetByRole(AriaRole.Searchbox, new() { Name = "Search for answers" });
        await search.FillAsync("retrun");
        await Expect(chat.Locator(".note")).ToHaveTextAsync("Showing results for “return”.");
        var result = chat.Locator(".article", new() { HasText = "Returning an item" });
        await Expect(result.Locator("mark").First).ToBeVisibleAsync();
        await Screenshot(visitor, "widget-help-search");
        await result.ClickAsync();

        var article = chat.Locator("article.read");
        await Expect(article.GetByRole(AriaRole.Heading, new() { Name = "Returning an item" })).ToBeFocusedAsync();
        await Expect(article).ToContainTextAsync("30 days");
        await Expect(article.Locator("li")).ToHaveCountAsync(3);
        await chat.GetByRole(AriaRole.Button, new() { Name = "Yes" }).ClickAsync();
        await Expect(chat.Locator(".feedback [role=status]")).ToHaveTextAsync("Thanks for letting us know.");
        await Expect(chat.GetByRole(AriaRole.Button, new() { Name = "Yes" })).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(chat.GetByRole(AriaRole.Link, new() { Name = "Open in the help center" }))
            .ToHaveAttributeAsync("href", Server.Url("/help/acme-outdoor/en/articles/returning-an-item"));
        await Screenshot(visitor, "widget-help-article");

        await chat.GetByRole(AriaRole.Button, new() { Name = "Chat with us" }).ClickAsync();
        var composer = chat.GetByRole(AriaRole.Textbox, new() { Name = "Write a message…" });
        await composer.FillAsync("I read the returns article, but my boots were a gift. Can I still return them?");
        await composer.PressAsync("Enter");

        var row = dana.Locator(".pl-conversation-row", new() { HasText = "my boots were a gift" });
        await Expect(row).ToBeVisibleAsync();
        await row.ClickAsync();
        await Expect(dana.Locator("#thread .pl-message[data-kind='incoming']")).ToContainTextAsync("Can I still return them?");
    }
}
