using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>
/// A visitor on a customer's website (another origin, with a strict CSP) answers the inbox's pre-chat form
/// and chats through the widget with an agent in the inbox, live, both ways, with a photo; the history
/// survives a reload; a file can be the first message; nothing the visitor types runs as script.
/// </summary>
public sealed class LiveChatTests : BrowserTest
{
    private const string Payload = "<img src=x onerror=\"window.__xss=1\"><script>window.__xss=1</script>";

    [Fact]
    public async Task LiveChat_VisitorOnAnotherSiteAndAgentInInbox_ChatBothWaysAndHistorySurvivesReload()
    {
        var agent = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(agent, "Acme Support");
        var snippet = await CreateWidgetInboxAsync(agent);
        using var site = HostSite.Start(snippet);

        // The pre-chat form gets three more questions: the order number (required), a topic to choose, and a checkbox.
        await agent.Locator("[id^='edit-prechat-']").ClickAsync();
        await AddQuestionAsync(agent, 2, "Order number", "order_number", null);
        await agent.Locator("#prechat-question-2").GetByText("Required").ClickAsync();
        var placeholder = agent.Locator("#prechat-placeholder-2");
        await placeholder.FillAsync("e.g. 47110");
        await placeholder.PressAsync("Tab");
        await AddQuestionAsync(agent, 3, "Topic", "topic", "Choice");
        var options = agent.Locator("#prechat-options-3");
        await options.FillAsync("Sizing\nReturns\nSomething else");
        await options.PressAsync("Tab");
        await AddQuestionAsync(agent, 4, "Email me a copy of this chat", "email_me_a_copy_of_this_chat", "Checkbox");
        await agent.Locator("#prechat-save").ClickAsync();
        await Expect(agent.GetByText("Pre-chat form of Website chat saved.")).ToBeVisibleAsync();
        await Expect(agent.Locator("td[data-label='Pre-chat form']")).ToContainTextAsync(new Regex(@"5 questions\s*1 required"));
        await agent.Locator(".mud-table").ScreenshotAsync(new() { Path = RepositoryPaths.Screenshot("live-chat-0-inboxes") });
        await agent.Locator("#prechat-section").ScreenshotAsync(new() { Path = RepositoryPaths.Screenshot("live-chat-0-prechat-settings") });
        // Who works in the inbox: everyone to begin with, and the owner's role sees every inbox anyway.
        await agent.Locator("[id^='edit-members-']").ClickAsync();
        var members = agent.Locator("#inbox-members-section");
        await Expect(members).ToContainTextAsync("1 of 1 agents are members.");
        await Expect(members).ToContainTextAsync("sees every inbox by role");
        await members.ScreenshotAsync(new() { Path = RepositoryPaths.Screenshot("inbox-members") });
        // The agent is online while the inbox is open, so the widget offers live chat.
        await OpenInteractiveAsync(agent, "/inbox");

        var visitor = await Browser.NewPageAsync();
        await visitor.GotoAsync(site.Url);
        var launcher = visitor.Locator("porchlight-widget button.l");
        await launcher.ClickAsync();
        var chat = visitor.FrameLocator("porchlight-widget iframe");
        await chat.Locator("#field-name").FillAsync("Ada Lovelace");
        await chat.Locator("#field-email").FillAsync("ada@example.com");
        var composer = chat.GetByRole(AriaRole.Textbox, new() { Name = "Write a message…" });
        await composer.FillAsync("Hi! Do the Ridgeline boots run small?");
        await composer.PressAsync("Enter");
        // The required question stops the first message, with the reason at the question.
        var orderNumber = chat.GetByRole(AriaRole.Textbox, new() { Name = "Order number" });
        await Expect(orderNumber).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(chat.Locator("#field-order_number-e")).ToHaveTextAsync("Please fill in this field.");
        await Expect(orderNumber).ToBeFocusedAsync();
        await Expect(orderNumber).ToHaveAttributeAsync("placeholder", "e.g. 47110");
        await Screenshot(visitor, "live-chat-0-widget-prechat");
        await orderNumber.FillAsync("47110");
        await Expect(chat.Locator("#field-order_number-e")).ToHaveTextAsync("");
        await chat.GetByRole(AriaRole.Combobox, new() { Name = "Topic" }).SelectOptionAsync("Sizing");
        await chat.GetByRole(AriaRole.Checkbox, new() { Name = "Email me a copy of this chat" }).CheckAsync();
        await Screenshot(visitor, "live-chat-0-widget-prechat-answered");
        await composer.PressAsync("Enter");
        await Expect(chat.GetByText("Hi! Do the Ridgeline boots run small?", new() { Exact = false })).ToBeVisibleAsync();

        // The agent sees the new conversation live, opens it, and starts typing.
        var row = agent.Locator(".pl-conversation-row").First;
        await Expect(row).ToContainTextAsync("Ada");
        await row.ClickAsync();
        await Expect(agent.Locator("#thread .pl-message[data-kind='incoming']")).ToContainTextAsync("Do the Ridgeline boots run small?");
        await Expect(agent.Locator("#contact-sidebar")).ToContainTextAsync("47110");
        await Expect(agent.Locator("#contact-sidebar")).ToContainTextAsync("Sizing");
        // The visitor adds a screenshot; both sides see it as an image.
        var image = await File.ReadAllBytesAsync(Path.Combine(RepositoryPaths.Root, "docs", "screenshots", "agents.png"), TestContext.Current.CancellationToken);
        await chat.Locator("input[type=file]").SetInputFilesAsync(new FilePayload { Name = "my-order.png", MimeType = "image/png", Buffer = image });
        await Expect(agent.Locator("#thread .pl-message[data-kind='incoming'] img[alt='my-order.png']")).ToBeVisibleAsync();
        await Expect(chat.Locator("img[alt='my-order.png']")).ToBeVisibleAsync();

        var reply = agent.Locator("#composer");
        await reply.PressSequentiallyAsync("They run half a size small");
        await Expect(chat.GetByText("Olivia Owner is typing…")).ToBeVisibleAsync();
        await reply.PressSequentiallyAsync(", so order one size up.");
        await agent.Locator("#send-message").ClickAsync();

        await Expect(chat.GetByText("They run half a size small, so order one size up.")).ToBeVisibleAsync();
        await Screenshot(visitor, "live-chat-1-widget");
        await Expect(agent.Locator("#thread .pl-message[data-kind='outgoing']").Last).ToContainTextAsync("order one size up");
        await Screenshot(agent, "live-chat-2-inbox");

        // The visitor comes back to the page: the conversation is still there.
        await visitor.ReloadAsync();
        await visitor.Locator("porchlight-widget button.l").ClickAsync();
        await Expect(chat.GetByText("They run half a size small, so order one size up.")).ToBeVisibleAsync();
        await Expect(chat.GetByText("Do the Ridgeline boots run small?", new() { Exact = false })).ToBeVisibleAsync();

        // Another visitor types script into the name field and the message: shown as text everywhere, run nowhere.
        var mallory = await Browser.NewPageAsync();
        await mallory.GotoAsync(site.Url);
        await mallory.Locator("porchlight-widget button.l").ClickAsync();
        var malloryChat = mallory.FrameLocator("porchlight-widget iframe");
        await malloryChat.Locator("#field-name").FillAsync("Mallory " + Payload);
        await malloryChat.Locator("#field-order_number").FillAsync(Payload);
        // Mallory's first message is a file: it starts the conversation.
        await malloryChat.Locator("input[type=file]").SetInputFilesAsync(new FilePayload { Name = "receipt.png", MimeType = "image/png", Buffer = image });
        await Expect(malloryChat.Locator("img[alt='receipt.png']")).ToBeVisibleAsync();
        await Expect(malloryChat.GetByRole(AriaRole.Group, new() { Name = "Before we start" })).ToBeHiddenAsync();
        var malloryComposer = malloryChat.GetByRole(AriaRole.Textbox, new() { Name = "Write a message…" });
        await malloryComposer.FillAsync("Look: " + Payload);
        await malloryComposer.PressAsync("Enter");
        // The server took both messages (on a failure the widget says why, and the agent would never hear of them).
        await Expect(malloryChat.Locator(".row.me .meta").Last).ToContainTextAsync(new Regex("Sent|Seen"));
        await Expect(malloryChat.Locator(".row.failed")).ToHaveCountAsync(0);
        var malloryRow = agent.Locator(".pl-conversation-row", new() { HasText = "Mallory" });
        await Expect(malloryRow).ToContainTextAsync("Mallory " + Payload);
        await malloryRow.ClickAsync();
        await Expect(agent.Locator("#thread .pl-message[data-kind='incoming'] img[alt='receipt.png']")).ToBeVisibleAsync();
        await Expect(agent.Locator("#thread .pl-message[data-kind='incoming']", new() { HasText = "Look:" })).ToContainTextAsync("Look: " + Payload);
        await Expect(agent.Locator("#contact-sidebar")).ToContainTextAsync("Mallory " + Payload);
        await agent.Locator("#composer").FillAsync("Echo: " + Payload);
        await agent.Locator("#send-message").ClickAsync();
        await Expect(malloryChat.GetByText("Echo: " + Payload)).ToBeVisibleAsync();

        Assert.Null(await agent.EvaluateAsync<int?>("() => window.__xss"));
        Assert.Equal(0, await agent.Locator("img[src='x']").CountAsync());
        foreach (var page in new[] { visitor, mallory })
        {
            Assert.Null(await page.EvaluateAsync<int?>("() => window.__xss"));
            var frame = page.Frames.Single(f => f.Url.Contains("/widget/frame.html", StringComparison.Ordinal));
            Assert.Null(await frame.EvaluateAsync<int?>("() => window.__xss"));
            Assert.Equal(0, await frame.Locator("img[src='x']").CountAsync());
        }
    }

    /// <summary>Adds a question to the open pre-chat form editor; its key is suggested from the label.</summary>
    private static async Task AddQuestionAsync(IPage agent, int index, string label, string key, string? answer)
    {
        await agent.Locator("#prechat-add").ClickAsync();
        var field = agent.Locator($"#prechat-label-{index}");
        await field.FillAsync(label);
        await field.PressAsync("Tab");
        await Expect(agent.Locator($"#prechat-key-{index}")).ToHaveValueAsync(key);
        if (answer is not null)
        {
            await agent.Locator($"#prechat-question-{index} .mud-select").First.ClickAsync();
            await agent.Locator(".mud-popover-open .mud-list-item", new() { HasText = answer }).ClickAsync();
        }
    }
}
