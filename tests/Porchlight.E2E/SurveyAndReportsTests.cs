using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>
/// The Owner turns on the survey of the website chat; a visitor chats, the Owner answers and resolves, the visitor
/// rates the conversation in the widget, and the Reports page shows the answer next to the response it rated.
/// </summary>
public sealed class SurveyAndReportsTests : BrowserTest
{
    [Fact]
    public async Task Survey_VisitorRatesAResolvedConversation_TheReportShowsIt()
    {
        var agent = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(agent, "Acme Support");
        var snippet = await CreateWidgetInboxAsync(agent);
        await agent.Locator("[id^='edit-survey-']").ClickAsync();
        await agent.Locator("#survey-enabled").ClickAsync();
        await agent.Locator("#survey-effort").ClickAsync();
        await agent.Locator("#survey-save").ClickAsync();
        await Expect(agent.GetByText("Saved: conversations end with the survey.")).ToBeVisibleAsync();
        await agent.Locator("#survey-section").ScreenshotAsync(new() { Path = RepositoryPaths.Screenshot("survey-settings") });

        // A visitor asks while the Owner is in the inbox; the Owner answers and resolves.
        await OpenInteractiveAsync(agent, "/inbox");
        using var site = HostSite.Start(snippet);
        var visitor = await Browser.NewPageAsync();
        await visitor.GotoAsync(site.Url);
        await WidgetLocators.Launcher(visitor).ClickAsync();
        var chat = WidgetLocators.Chat(visitor);
        var composer = chat.GetByRole(AriaRole.Textbox, new() { Name = "Write a message…" });
        await composer.FillAsync("Can I still change the size of order 1042?");
        await composer.PressAsync("Enter");
        await agent.Locator(".pl-conversation-row", new() { HasText = "order 1042" }).ClickAsync();
        await agent.Locator("#composer").FillAsync("Yes! I've changed it to a 42 for you.");
        await agent.Locator("#send-message").ClickAsync();
        await Expect(chat.GetByText("I've changed it to a 42 for you.")).ToBeVisibleAsync();
        await agent.Locator("#resolve-conversation").ClickAsync();
        await Expect(agent.Locator("#conversation-status")).ToHaveAttributeAsync("data-status", "Resolved");

        // The survey appears at the end of the conversation; five stars, easy, and a word of thanks.
        var survey = chat.GetByRole(AriaRole.Group, new() { Name = "Your feedback" });
        await Expect(survey).ToBeVisibleAsync();
        await survey.GetByRole(AriaRole.Button, new() { Name = "5 of 5" }).ClickAsync();
        await survey.GetByRole(AriaRole.Button, new() { Name = "6 of 7" }).ClickAsync();
        await survey.GetByRole(AriaRole.Textbox).FillAsync("Super quick, thank you!");
        await Screenshot(visitor, "widget-survey");
        await survey.GetByRole(AriaRole.Button, new() { Name = "Send feedback" }).ClickAsync();
        await Expect(survey.GetByText("Thank you for your feedback!")).ToBeVisibleAsync();
        await Expect(survey.GetByRole(AriaRole.Button, new() { Name = "Change my answer" })).ToBeVisibleAsync();

        // The report counts the conversation, its first response and the rating (it reads again every 30 s; a reload is quicker).
        await OpenInteractiveAsync(agent, "/reports");
        await Expect(agent.Locator("#card-conversations .pl-stat-value")).ToHaveTextAsync("1");
        await Expect(agent.Locator("#card-csat .pl-stat-value")).ToHaveTextAsync("100%", new() { Timeout = 15_000 });
        await Expect(agent.Locator("#card-csat")).ToContainTextAsync("1 answer, avg 5 / 5");
        await Expect(agent.Locator("#card-ces .pl-stat-value")).ToHaveTextAsync("6 / 7");
        await Expect(agent.Locator("#report-days .pl-figures-total")).ToContainTextAsync(new Regex(@"Total\s*1\s*1"));
        await Screenshot(agent, "reports-overview");
        await agent.Locator("nav.pl-tabs").GetByRole(AriaRole.Link, new() { Name = "Agents" }).ClickAsync();
        await Expect(agent.Locator("#report-table")).ToContainTextAsync(OwnerName);
        await Expect(agent.Locator("#report-table tr", new() { HasText = OwnerName })).ToContainTextAsync("100%");
        await Screenshot(agent, "reports-agents");
    }

    [Fact]
    public async Task Reports_DemoWorkspace_CardsTablesAndExportAgree()
    {
        await SeedDemoWorkspaceAsync();
        var dana = await SignInAsync("owner@demo.porchlight.test", "porchlight-demo", "Dana Whitfield");
        await OpenInteractiveAsync(dana, "/reports");

        // Two months of history: the last 30 days have hundreds of conversations, and the day table's total is the card.
        var conversations = dana.Locator("#card-conversations .pl-stat-value");
        await Expect(conversations).ToHaveTextAsync(new Regex(@"^[\d,]{3,}$"));
        var count = await conversations.InnerTextAsync();
        await Expect(dana.Locator("#report-days .pl-figures-total td").Nth(1)).ToHaveTextAsync(count);
        await Expect(dana.Locator("#card-first-response .pl-stat-value")).ToHaveTextAsync(new Regex(@"\d+ (s|min)"));
        await Screenshot(dana, "reports");

        // The teams' table adds up to the same conversations, and the CSV export downloads it.
        await dana.Locator("nav.pl-tabs").GetByRole(AriaRole.Link, new() { Name = "Teams" }).ClickAsync();
        await Expect(dana.Locator("#report-table")).ToContainTextAsync("Billing");
        await Expect(dana.Locator("#report-table .pl-figures-total td").Nth(1)).ToHaveTextAsync(count);
        var download = await dana.RunAndWaitForDownloadAsync(() => dana.Locator("#report-export").ClickAsync());
        Assert.StartsWith("teams-", download.SuggestedFilename, StringComparison.Ordinal);
        var csv = await File.ReadAllTextAsync(await download.PathAsync(), TestContext.Current.CancellationToken);
        Assert.Contains("Billing", csv, StringComparison.Ordinal);
        Assert.StartsWith("id,name,conversations,", csv, StringComparison.Ordinal);
        await Screenshot(dana, "reports-teams");

        // Labels, service levels and surveys have their own tabs; a custom period narrows every one of them.
        var tabs = dana.Locator("nav.pl-tabs");
        await tabs.GetByRole(AriaRole.Link, new() { Name = "Labels" }).ClickAsync();
        await Expect(dana.Locator("#report-table th").First).ToHaveTextAsync("Label");
        await tabs.GetByRole(AriaRole.Link, new() { Name = "SLA" }).ClickAsync();
        await Expect(dana.Locator("#report-sla, #report-sla-empty")).ToBeVisibleAsync();
        await tabs.GetByRole(AriaRole.Link, new() { Name = "Surveys" }).ClickAsync();
        await Expect(dana.Locator("#survey-csat .pl-stat-value")).ToHaveTextAsync(new Regex(@"^\d+(\.\d)?%$"));
        await dana.Locator("#survey-comments-only").CheckAsync();
        await Expect(dana.Locator("#report-survey-answers tbody tr").First.Locator("td").Last).Not.ToBeEmptyAsync();
        await Screenshot(dana, "reports-surveys");
        await tabs.GetByRole(AriaRole.Link, new() { Name = "Self-service" }).ClickAsync();
        await Expect(dana.Locator("#self-deflection .pl-stat-value")).ToHaveTextAsync(new Regex(@"^\d+(\.\d)?%$"));
        await Expect(dana.Locator("#self-articles tbody tr").First).ToBeVisibleAsync();
        await Screenshot(dana, "reports-self-service");
        await tabs.GetByRole(AriaRole.Link, new() { Name = "Insights" }).ClickAsync();
        await Expect(dana.Locator("#insight-topics")).ToContainTextAsync("shipping");
        await Expect(dana.Locator("#insight-negative .pl-stat-value")).ToHaveTextAsync(new Regex(@"^\d+(\.\d)?%$"));
        await Expect(dana.Locator("#customer-activity")).ToContainTextAsync("A correlation, not a cause");
        await dana.Locator("#weekly-digest-show").ClickAsync();
        await Expect(dana.Locator("#weekly-digest-text")).ToContainTextAsync("Conversations:");
        await Screenshot(dana, "reports-insights");
        await dana.Locator("#report-period").SelectOptionAsync("0");
        await Expect(dana.Locator("#report-from")).ToBeVisibleAsync();
        var to = await dana.Locator("#report-to").InputValueAsync();
        await dana.Locator("#report-from").FillAsync(to);
        await Expect(dana.Locator(".pl-analytics-head")).ToContainTextAsync(new Regex(@"compared with (\d+ \w+)–\1\."));
    }
}
