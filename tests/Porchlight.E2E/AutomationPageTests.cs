using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>
/// An Owner writes an automation rule on the Automation page; a visitor's message that matches it is labelled
/// before any agent touches it, and the rule's recent runs show what it did, linked to the conversation.
/// </summary>
public sealed class AutomationPageTests : BrowserTest
{
    private const string RuleName = "Refunds to billing";

    [Fact]
    public async Task AutomationRule_VisitorAsksForARefund_ConversationIsLabelledAndTheRunIsListed()
    {
        var agent = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(agent, "Acme Support");
        var snippet = await CreateWidgetInboxAsync(agent);

        // The rule, written on the page: a label left empty is refused at its action, then filled in.
        await OpenInteractiveAsync(agent, "/settings/automation");
        await agent.Locator("#automation-rule-new").ClickAsync();
        var name = agent.Locator("#automation-rule-name");
        await name.FillAsync(RuleName);
        await name.PressAsync("Tab");
        await agent.Locator("#automation-trigger").SelectOptionAsync("MessageReceived");
        await agent.Locator("#rule-add-condition").ClickAsync();
        var keywords = agent.Locator("#rule-value-0");
        await keywords.FillAsync("refund");
        await keywords.PressAsync("Tab");
        await agent.Locator("#automation-rule-save").ClickAsync();
        await Expect(agent.Locator("#automation-action-0 .pl-error-text")).ToContainTextAsync("addLabel needs a label");
        await agent.Locator("#automation-rule-form").ScreenshotAsync(new() { Path = RepositoryPaths.Screenshot("automation-rule-form") });
        var label = agent.Locator("#automation-action-value-0");
        await label.FillAsync("billing");
        await label.PressAsync("Tab");
        await agent.Locator("#automation-rule-save").ClickAsync();
        var rule = agent.Locator($"[data-rule='{RuleName}']");
        await Expect(rule.Locator(".pl-rule-summary")).ToHaveTextAsync("When a message is received, if message contains any of refund → add label billing");
        await Expect(agent.Locator("#automation-rule-form")).ToHaveCountAsync(0);

        // A visitor asks for a refund while the Owner is in the inbox.
        await OpenInteractiveAsync(agent, "/inbox");
        using var site = HostSite.Start(snippet);
        var visitor = await Browser.NewPageAsync();
        await visitor.GotoAsync(site.Url);
        await WidgetLocators.Launcher(visitor).ClickAsync();
        var composer = WidgetLocators.Chat(visitor).GetByRole(AriaRole.Textbox, new() { Name = "Write a message…" });
        await composer.FillAsync("Hello, I would like a refund for order 1042.");
        await composer.PressAsync("Enter");
        var row = agent.Locator(".pl-conversation-row", new() { HasText = "refund for order 1042" });
        var conversationId = await row.GetAttributeAsync("data-conversation-id");
        await row.ClickAsync();
        await Expect(agent.Locator("#labels-editor .pl-label")).ToContainTextAsync("billing");

        // The rule's recent runs: this conversation, labelled, with a link back to it.
        await OpenInteractiveAsync(agent, "/settings/automation");
        await rule.GetByRole(AriaRole.Button, new() { Name = $"Recent runs of {RuleName}" }).ClickAsync();
        var run = agent.Locator("#automation-runs tbody tr");
        await Expect(run).ToHaveCountAsync(1);
        await Expect(run.Locator("td").Nth(1)).ToContainTextAsync("#1");
        await Expect(run.Locator("td").Nth(2)).ToHaveTextAsync("Applied");
        await Expect(run.Locator("td").Nth(3)).ToHaveTextAsync("added label billing");
        await Screenshot(agent, "automation-rules");
        await run.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(agent).ToHaveURLAsync(Server.Url($"/inbox/{conversationId}"));
        await Expect(agent.Locator("#thread .pl-message[data-kind='incoming']")).ToContainTextAsync("refund for order 1042");
    }
}
