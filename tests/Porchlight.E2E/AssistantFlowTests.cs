using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>
/// An owner builds the assistant of an inbox in the flow editor, tries it in the preview and switches it on; a
/// visitor on another site answers it with a button and is handed to the owner, who reads the assistant's summary.
/// </summary>
public sealed class AssistantFlowTests : BrowserTest
{
    [Fact]
    public async Task AssistantFlow_OwnerBuildsAndTriesIt_VisitorPressesAButtonAndLandsWithTheOwner()
    {
        var owner = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(owner, "Northwind Outfitters");
        var snippet = await CreateWidgetInboxAsync(owner);
        await OpenInteractiveAsync(owner, "/settings/assistant");
        await Expect(owner.Locator("#flow-version")).ToHaveTextAsync("Not saved yet: a starter flow");

        // A choice after the greeting: "My order" looks for articles, "Something else" goes to a person.
        await owner.Locator("#flow-add").SelectOptionAsync("choice");
        var choice = owner.Locator(".pl-flow-step[data-step='choice-4']");
        await choice.GetByLabel("What the assistant says").FillAsync("What can I help you with?");
        await choice.GetByLabel("Button", new() { Exact = true }).FillAsync("My order");
        await choice.GetByLabel("leads to").SelectOptionAsync("articles");
        await choice.GetByRole(AriaRole.Button, new() { Name = "Button", Exact = true }).ClickAsync();
        await choice.GetByLabel("Button", new() { Exact = true }).Nth(1).FillAsync("Something else");
        await choice.GetByLabel("leads to").Nth(1).SelectOptionAsync("handover");
        await owner.Locator(".pl-flow-step[data-step='greeting']").GetByLabel("Then").SelectOptionAsync("choice-4");

        // The preview runs the unsaved flow: the greeting, the question with its buttons, then what a press leads to.
        await FillAsync(owner, "#flow-preview-text", "Hello");
        await owner.Locator("#flow-preview-form button[type=submit]").ClickAsync();
        var preview = owner.Locator("#flow-preview");
        await Expect(preview.Locator(".pl-flow-line.bot").Last).ToHaveTextAsync("What can I help you with?");
        await preview.GetByRole(AriaRole.Button, new() { Name = "My order" }).ClickAsync();
        await Expect(preview.Locator(".pl-flow-line.bot", new() { HasText = "I couldn't find an article about that." })).ToBeVisibleAsync();
        // Nobody is in the inbox yet: the assistant says so honestly and asks where the team can answer.
        await Expect(preview.Locator(".pl-flow-line.bot", new() { HasText = "they'll see everything you've told me" })).ToBeVisibleAsync();
        await Expect(preview.Locator(".pl-flow-line.bot").Last).ToHaveTextAsync("What email address can we reach you at?");
        await FillAsync(owner, "#flow-preview-text", "olivia@example.test");
        await owner.Locator("#flow-preview-form button[type=submit]").ClickAsync();
        await Expect(preview.Locator(".pl-flow-line.effect").Last).ToContainTextAsync("Hands over to routing: the flow's step “handover” hands over");
        await Screenshot(owner, "assistant-flow");

        await owner.GetByText("Answer new chats in this inbox").ClickAsync();
        await owner.Locator("#flow-save").ClickAsync();
        await Expect(owner.Locator("#flow-version")).ToContainTextAsync("Version 1, saved");
        await OpenInteractiveAsync(owner, "/inbox");

        using var site = HostSite.Start(snippet);
        var visitor = await Browser.NewPageAsync();
        await visitor.GotoAsync(site.Url);
        await WidgetLocators.Launcher(visitor).ClickAsync();
        var chat = WidgetLocators.Chat(visitor);
        var composer = chat.GetByRole(AriaRole.Textbox, new() { Name = "Write a message…" });
        await composer.FillAsync("Hi! A question about my tent order");
        await composer.PressAsync("Enter");
        var buttons = chat.GetByRole(AriaRole.Group, new() { Name = "Suggested answers" });
        await Expect(buttons.GetByRole(AriaRole.Button)).ToHaveTextAsync(["My order", "Something else"]);
        await Screenshot(visitor, "widget-assistant");
        await buttons.GetByRole(AriaRole.Button, new() { Name = "Something else" }).ClickAsync();
        await Expect(chat.GetByText("I'm connecting you with a person from our team.", new() { Exact = false })).ToBeVisibleAsync();
        await Expect(buttons).ToHaveCountAsync(0);

        var row = owner.Locator(".pl-conversation-row", new() { HasText = "connecting you with a person" });
        await Expect(row).ToBeVisibleAsync();
        await row.ClickAsync();
        var note = owner.Locator("#thread .pl-message[data-kind='note']");
        await Expect(note).ToContainTextAsync("Handed over by the assistant");
        await Expect(note).ToContainTextAsync("Hi! A question about my tent order");
        await Screenshot(owner, "assistant-handover");
    }
}
