using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>
/// A supervisor sets up the help center and writes an article in the app (Markdown, previewed, sanitized) that
/// the public help center then serves. A visitor on a customer's site finds an answer in the chat itself: searches
/// the help articles (a misspelling corrected), reads one, says it helped, and then, still needing a person, asks
/// the team, who see the message live with the article that answers it offered beside it.
/// </summary>
public sealed class KnowledgeBaseTests : BrowserTest
{
    [Fact]
    public async Task KnowledgeBaseEditor_OwnerPublishesAHelpCenterAndAnArticle_ReadersSeeItThere()
    {
        var page = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(page, "Northwind Support");
        await OpenInteractiveAsync(page, "/settings/help-center");
        await FillAsync(page, "#help-center-slug", "northwind");
        await FillAsync(page, "#help-center-colour", "#8250df");
        await page.Locator("#help-center-published").ClickAsync();
        await page.Locator("#help-center-save").ClickAsync();
        await Expect(page.Locator("#help-center-link")).ToHaveTextAsync(Server.Url("/help/northwind"));
        await FillAsync(page, "#category-name", "Billing");
        await FillAsync(page, "#category-description", "Invoices and payments.");
        await page.Locator("#category-save").ClickAsync();
        await Expect(page.Locator("[data-category='Billing']")).ToContainTextAsync("0 articles");

        await OpenInteractiveAsync(page, "/knowledge-base");
        await Expect(page.Locator("#articles-empty")).ToHaveTextAsync("No articles yet.");
        await page.Locator("#new-article").ClickAsync();
        await Expect(page.Locator(".pl-page[data-interactive='true'] #article-title")).ToBeVisibleAsync();
        await FillAsync(page, "#article-title", "Where is my invoice?");
        await FillAsync(page, "#article-body", "Invoices are sent **monthly** by email.\n\n<script>window.__xss=1</script>");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Preview" }).ClickAsync();
        await Expect(page.Locator("#article-preview strong")).ToHaveTextAsync("monthly");
        await Expect(page.Locator("#article-preview")).ToContainTextAsync("<script>window.__xss=1</script>");
        await page.Locator("#article-category").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "Billing" }).ClickAsync();
        // The choice has reached the server (the field holds the category's id the server rendered) before the article is saved.
        await Expect(page.Locator("#article-category")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^[0-9a-f-]{36}$"));
        await page.Locator("#article-published").ClickAsync();
        await page.Locator("#article-save").ClickAsync();
        await Expect(page.Locator("#article-facts")).ToContainTextAsync("0 views");
        await Screenshot(page, "knowledge-base-editor");

        var publicLink = page.Locator("#article-public-link");
        await Expect(publicLink).ToHaveAttributeAsync("href", Server.Url("/help/northwind/en/articles/where-is-my-invoice"));
        var reader = await Browser.NewPageAsync();
        await reader.GotoAsync(Server.Url("/help/northwind"));
        await reader.Locator("a", new() { HasText = "Where is my invoice?" }).ClickAsync();
        await Expect(reader).ToHaveTitleAsync("Where is my invoice? – Northwind Support Help Center");
        await Expect(reader.Locator("article.page strong")).ToHaveTextAsync("monthly");
        await Expect(reader.Locator(".crumbs")).ToContainTextAsync("Billing");
        Assert.Null(await reader.EvaluateAsync<object?>("window.__xss"));
        await reader.GetByRole(AriaRole.Button, new() { Name = "Yes" }).ClickAsync();
        await Expect(reader.GetByRole(AriaRole.Status)).ToHaveTextAsync("Thanks for letting us know.");

        await OpenInteractiveAsync(page, "/knowledge-base");
        await page.Locator("#article-search").FillAsync("invoce");
        await Expect(page.Locator("#article-correction")).ToHaveTextAsync("Showing results for “invoice”.");
        var row = page.Locator("#articles-table tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("1 of 1");
        await Expect(row.Locator("mark")).ToHaveTextAsync("invoice");
    }

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

        // Beside the conversation, the article that answers it; one click puts its link into the reply.
        var suggestion = dana.Locator("#article-assist li", new() { HasText = "Returning an item" });
        await Expect(suggestion).ToBeVisibleAsync();
        await suggestion.GetByRole(AriaRole.Button, new() { Name = "Insert link" }).ClickAsync();
        await Expect(dana.Locator("#composer")).ToHaveValueAsync($"Returning an item: {Server.Url("/help/acme-outdoor/en/articles/returning-an-item")}");
        await Screenshot(dana, "agent-assist");
    }
}
