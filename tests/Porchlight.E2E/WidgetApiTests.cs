using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;
using static Porchlight.E2E.Infrastructure.WidgetLocators;

namespace Porchlight.E2E;

/// <summary>
/// What the widget offers the site that embeds it, seen from a customer's website on another origin: the
/// JavaScript API and its events, identity, the snippet's settings, the unread badge, the phone layout, the
/// keyboard, and how agents' replies look (formatting, corrections, deletions).
/// </summary>
public sealed partial class WidgetApiTests : BrowserTest
{
    private const string Composer = "Write a message…";

    // Records the widget's events on the host page as strings, e.g. "open", "unread:1", "message:outgoing:Hi".
    private const string RecordEvents = """
        () => {
          window.events = [];
          for (const name of ["open", "close", "message", "unread"]) {
            Porchlight.on(name, (value) => window.events.push(
              name === "message" ? `message:${value.kind}:${value.text}` : value === undefined ? name : `${name}:${value}`));
          }
        }
        """;

    [Fact]
    public async Task JavaScriptApi_OpenCloseAndToggle_ShowAndHideTheChatAndFireTheirEvents()
    {
        var (_, snippet) = await WorkspaceWithInboxAsync(agentOnline: false);
        using var site = HostSite.Start(snippet);
        var visitor = await Browser.NewPageAsync();
        await visitor.GotoAsync(site.Url);
        var launcher = Launcher(visitor);
        await Expect(launcher).ToBeVisibleAsync();
        // Without a position in the snippet, the inbox's own (right) places the launcher.
        var box = await launcher.BoundingBoxAsync();
        Assert.True(box!.X > 1280 - 100, $"The launcher is at x={box.X}, not in the bottom right corner.");

        await visitor.EvaluateAsync(RecordEvents);
        // A listener removed with the function `on` returned hears nothing more.
        await visitor.EvaluateAsync("() => { window.removed = []; const off = Porchlight.on('open', () => window.removed.push('open')); off(); }");
        var frame = ChatFrame(visitor);
        await visitor.EvaluateAsync("() => Porchlight.open()");
        await Expect(frame).ToBeVisibleAsync();
        await Expect(launcher).ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(Chat(visitor).GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
        await visitor.EvaluateAsync("() => Porchlight.close()");
        await Expect(frame).ToBeHiddenAsync();
        await Expect(launcher).ToHaveAttributeAsync("aria-expanded", "false");
        await visitor.EvaluateAsync("() => Porchlight.toggle()");
        await Expect(frame).ToBeVisibleAsync();
        await visitor.EvaluateAsync("() => Porchlight.toggle()");
        await Expect(frame).ToBeHiddenAsync();

        Assert.Equal(["open", "close", "open", "close"], await Events(visitor));
        Assert.Empty(await visitor.EvaluateAsync<string[]>("() => window.removed"));
    }

    [Fact]
    public async Task UnreadBadge_AgentRepliesWhileTheChatIsClosed_CountsUntilTheChatIsOpened()
    {
        var (agent, snippet) = await WorkspaceWithInboxAsync();
        using var site = HostSite.Start(snippet);
        var visitor = await Browser.NewPageAsync();
        await visitor.GotoAsync(site.Url);
        await visitor.EvaluateAsync(RecordEvents);
        await StartConversationAsync(visitor, "Is the Ridgeline boot waterproof?");
        await OpenConversationAsync(agent, "Is the Ridgeline boot waterproof?");

        await visitor.EvaluateAsync("() => Porchlight.close()");
        await ReplyAsync(agent, "Yes, it has a Gore-Tex lining.");
        await ReplyAsync(agent, "It is also resoled for free.");

        var launcher = Launcher(visitor);
        var badge = launcher.Locator(".b");
        await Expect(badge).ToHaveTextAsync("2");
        await Expect(badge).ToBeVisibleAsync();
        await Expect(launcher).ToHaveAttributeAsync("aria-label", "Open chat, 2 unread");
        var events = await Events(visitor);
        Assert.Contains("message:outgoing:Yes, it has a Gore-Tex lining.", events);
        Assert.Contains("message:outgoing:It is also resoled for free.", events);
        Assert.Contains("unread:2", events);

        await launcher.ClickAsync();
        await Expect(Chat(visitor).GetByText("It is also resoled for free.")).ToBeVisibleAsync();
        await Expect(badge).ToBeHiddenAsync();
        await Expect(launcher).ToHaveAttributeAsync("aria-label", "Close chat");
        Assert.Equal("unread:0", (await Events(visitor)).Last(e => e.StartsWith("unread", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Identify_WithTheHashOfTheIdentitySecret_AgentSeesTheContactAndLaterAttributes()
    {
        var agent = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(agent, "Acme Support");
        var snippet = await CreateWidgetInboxAsync(agent);
        // The inbox requires verification: only the site's server, which knows the secret, can vouch for a user.
        var row = agent.Locator("tr", new() { HasText = "Website chat" });
        await row.GetByRole(AriaRole.Button, new() { Name = "Identity secret" }).ClickAsync();
        var secret = (await agent.Locator("#identity-secret").TextContentAsync())!.Trim();
        await row.GetByText("Optional").ClickAsync();
        await Expect(agent.GetByText("Website chat now requires identity verification.")).ToBeVisibleAsync();
        await OpenInteractiveAsync(agent, "/inbox");
        using var site = HostSite.Start(snippet);

        var ada = await Browser.NewPageAsync();
        await ada.GotoAsync(site.Url);
        await Expect(Launcher(ada)).ToBeVisibleAsync();
        var identity = new { userId = "42", email = "ada@example.com", name = "Ada Lovelace", attributes = new { plan = "pro", company = "Analytical Engines" }, userHash = UserHash(secret, "42") };
        var identified = await ada.RunAndWaitForResponseAsync(
            () => ada.EvaluateAsync("identity => { Porchlight.identify(identity); Porchlight.open(); }", identity),
            response => response.Url.EndsWith("/widget/v1/identify", StringComparison.Ordinal));
        Assert.Equal(200, identified.Status);
        await WriteAsync(ada, "My order 4711 has not arrived.");

        var conversation = agent.Locator(".pl-conversation-row", new() { HasText = "Ada Lovelace" });
        await conversation.ClickAsync();
        await Expect(agent.Locator("#contact-name")).ToHaveTextAsync("Ada Lovelace");
        await Expect(agent.Locator("#contact-email")).ToHaveTextAsync("ada@example.com");
        await Expect(agent.Locator("#contact-sidebar dt:text-is('External id') + dd")).ToHaveTextAsync("42");
        await Expect(Attribute(agent, "plan")).ToHaveTextAsync("pro");
        await Expect(Attribute(agent, "company")).ToHaveTextAsync("Analytical Engines");

        // setAttributes merges over what the contact has, and the agent's open sidebar shows it at once.
        var updated = await ada.RunAndWaitForResponseAsync(
            () => ada.EvaluateAsync("() => Porchlight.setAttributes({ plan: 'enterprise', seats: '12' })"),
            response => response.Url.EndsWith("/widget/v1/attributes", StringComparison.Ordinal));
        Assert.Equal(204, updated.Status);
        await Expect(Attribute(agent, "plan")).ToHaveTextAsync("enterprise");
        await Expect(Attribute(agent, "seats")).ToHaveTextAsync("12");
        await Expect(Attribute(agent, "company")).ToHaveTextAsync("Analytical Engines");
        await Screenshot(agent, "widget-identified-contact");

        // Someone else claiming the same user id without the secret is refused and sees nothing of Ada's.
        var mallory = await Browser.NewPageAsync();
        await mallory.GotoAsync(site.Url);
        await Expect(Launcher(mallory)).ToBeVisibleAsync();
        var refused = await mallory.RunAndWaitForResponseAsync(
            () => mallory.EvaluateAsync("identity => { Porchlight.identify(identity); Porchlight.open(); }",
                new { userId = "42", name = "Ada Lovelace", userHash = UserHash(new string('0', 64), "42") }),
            response => response.Url.EndsWith("/widget/v1/identify", StringComparison.Ordinal));
        Assert.Equal(403, refused.Status);
        await Expect(Chat(mallory).GetByRole(AriaRole.Textbox, new() { Name = Composer })).ToBeVisibleAsync();
        await Expect(Chat(mallory).GetByText("My order 4711 has not arrived.")).ToHaveCountAsync(0);
        await Expect(Chat(mallory).GetByRole(AriaRole.Button, new() { Name = "Back to conversations" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Shutdown_AfterAConversation_TheNextPageShowsNoneOfIt()
    {
        var (_, snippet) = await WorkspaceWithInboxAsync();
        using var site = HostSite.Start(snippet);
        var visitor = await Browser.NewPageAsync();
        await visitor.GotoAsync(site.Url);
        await StartConversationAsync(visitor, "Please call me back about my return.");
        // The conversation is kept for the next page of the site...
        await visitor.ReloadAsync();
        await Launcher(visitor).ClickAsync();
        await Expect(Chat(visitor).GetByText("Please call me back about my return.")).ToBeVisibleAsync();

        // ...until the site signs its user out.
        await visitor.EvaluateAsync("() => Porchlight.shutdown()");
        await Expect(ChatFrame(visitor)).ToHaveCountAsync(0);
        await visitor.ReloadAsync();
        await Launcher(visitor).ClickAsync();
        var chat = Chat(visitor);
        await Expect(chat.GetByRole(AriaRole.Textbox, new() { Name = Composer })).ToBeVisibleAsync();
        await Expect(chat.GetByText("Please call me back about my return.")).ToHaveCountAsync(0);
        await Expect(chat.GetByRole(AriaRole.Button, new() { Name = "Back to conversations" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Snippet_GermanOnTheLeft_LauncherOnTheLeftAndTheChatInGerman()
    {
        var (agent, snippet) = await WorkspaceWithInboxAsync();
        using var site = HostSite.Start(WithAttributes(snippet, "data-porchlight-locale=\"de\" data-porchlight-position=\"left\""));
        var visitor = await Browser.NewPageAsync();
        await visitor.GotoAsync(site.Url);
        var launcher = Launcher(visitor);
        await Expect(launcher).ToHaveAttributeAsync("aria-label", "Chat öffnen");
        var box = await launcher.BoundingBoxAsync();
        Assert.True(box!.X < 100, $"The launcher is at x={box.X}, not in the bottom left corner.");

        await launcher.ClickAsync();
        var chat = Chat(visitor);
        await Expect(chat.GetByRole(AriaRole.Dialog, new() { Name = "Chat mit Website chat" })).ToBeVisibleAsync();
        await Expect(chat.GetByText("Wir antworten meist innerhalb weniger Minuten.")).ToBeVisibleAsync();
        await Expect(chat.GetByRole(AriaRole.Group, new() { Name = "Bevor es losgeht" })).ToBeVisibleAsync();
        await Expect(chat.GetByRole(AriaRole.Textbox, new() { Name = "E-Mail" })).ToBeVisibleAsync();
        await Expect(chat.GetByRole(AriaRole.Button, new() { Name = "Chat schließen" })).ToBeVisibleAsync();
        Assert.True((await ChatFrame(visitor).BoundingBoxAsync())!.X < 100, "The chat does not open on the launcher's side.");
        var composer = chat.GetByRole(AriaRole.Textbox, new() { Name = "Nachricht schreiben…" });
        await composer.FillAsync("Haben Sie die Ridgeline in Größe 47?");
        await composer.PressAsync("Enter");
        await Expect(chat.Locator(".row.me .meta").Last).ToContainTextAsync(new Regex("Gesendet|Gesehen"));

        // An agent's corrected and withdrawn replies are marked in German too.
        await OpenConversationAsync(agent, "Haben Sie die Ridgeline in Größe 47?");
        await ReplyAsync(agent, "Ja, in **Braun** und Schwarz.");
        await ReplyAsync(agent, "Der Preis ist 189 €.");
        await EditReplyAsync(agent, 0, "Ja, in **Braun**, Schwarz und Grau.");
        await DeleteReplyAsync(agent, 1);
        var replies = chat.Locator(".row.agent");
        await Expect(replies.Nth(0).Locator(".meta")).ToContainTextAsync("bearbeitet");
        await Expect(replies.Nth(1).Locator(".bubble")).ToHaveTextAsync("Nachricht gelöscht");
        await Screenshot(visitor, "widget-german");
    }

    [Fact]
    public async Task Snippet_HideLauncher_NoLauncherAndTheSiteOpensTheChatItself()
    {
        var (_, snippet) = await WorkspaceWithInboxAsync();
        // The site's own button (its script would call Porchlight.open(); the test calls it for the page).
        using var site = HostSite.Start(WithAttributes(snippet, "data-porchlight-hide-launcher") + "<button type=\"button\" id=\"help\">Help</button>");
        var visitor = await Browser.NewPageAsync();
        await visitor.GotoAsync(site.Url);
        await Expect(visitor.Locator("porchlight-widget")).ToBeAttachedAsync();
        await Expect(Launcher(visitor)).ToHaveCountAsync(0);

        var help = visitor.Locator("#help");
        await help.FocusAsync();
        await visitor.EvaluateAsync("() => Porchlight.open()");
        var composer = Chat(visitor).GetByRole(AriaRole.Textbox, new() { Name = Composer });
        await Expect(composer).ToBeFocusedAsync();
        await composer.PressAsync("Escape");
        await Expect(ChatFrame(visitor)).ToBeHiddenAsync();
        // Without a launcher, the focus goes back to where it was when the chat opened.
        await Expect(help).ToBeFocusedAsync();
    }

    [Fact]
    public async Task Phone_ChatOpened_FillsTheScreenAndClosesBackToTheLauncher()
    {
        var (_, snippet) = await WorkspaceWithInboxAsync();
        using var site = HostSite.Start(snippet);
        var visitor = await Browser.NewPageAsync();
        await visitor.SetViewportSizeAsync(390, 844);
        await visitor.GotoAsync(site.Url);
        var launcher = Launcher(visitor);
        await launcher.ClickAsync();
        var chat = Chat(visitor);
        var composer = chat.GetByRole(AriaRole.Textbox, new() { Name = Composer });
        await Expect(composer).ToBeVisibleAsync();

        Assert.Equal((0f, 0f, 390f, 844f), await SettledBoxAsync(ChatFrame(visitor)));
        await Expect(launcher).ToBeHiddenAsync(); // nothing of the host page covers the chat
        var bottom = await composer.BoundingBoxAsync();
        Assert.True(bottom!.Y + bottom.Height <= 844, "The composer is below the bottom of the screen.");
        await Screenshot(visitor, "widget-phone");

        await chat.GetByRole(AriaRole.Button, new() { Name = "Close chat" }).ClickAsync();
        await Expect(ChatFrame(visitor)).ToBeHiddenAsync();
        await Expect(launcher).ToBeVisibleAsync();
        await Expect(launcher).ToBeFocusedAsync();
    }

    [Fact]
    public async Task ChatFrame_PageLoaded_IsRequestedOnlyOnFirstOpen()
    {
        var (_, snippet) = await WorkspaceWithInboxAsync(agentOnline: false);
        using var site = HostSite.Start(snippet);
        var visitor = await Browser.NewPageAsync();
        var fromPorchlight = new List<string>();
        visitor.Request += (_, request) =>
        {
            if (request.Url.StartsWith(Server.Url("/"), StringComparison.Ordinal))
            {
                lock (fromPorchlight)
                {
                    fromPorchlight.Add(new Uri(request.Url).AbsolutePath);
                }
            }
        };

        await visitor.GotoAsync(site.Url);
        await Expect(Launcher(visitor)).ToBeVisibleAsync();
        // The launcher is drawn after the configuration arrived, and the frame would have been created with it.
        await visitor.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await Expect(ChatFrame(visitor)).ToHaveCountAsync(0);
        lock (fromPorchlight)
        {
            // The loader, its inbox's settings, the tracker's page view and its question for proactive messages:
            // nothing of the chat frame.
            Assert.Equal(
                ["/widget/loader.js", "/widget/v1/inboxes/" + InboxToken().Match(snippet).Groups[1].Value, "/t/v1/events", "/t/v1/ping"],
                fromPorchlight);
        }

        await Launcher(visitor).ClickAsync();
        await Expect(Chat(visitor).GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
        lock (fromPorchlight)
        {
            Assert.Contains("/widget/frame.html", fromPorchlight);
            Assert.Contains("/widget/frame.js", fromPorchlight);
        }
    }

    [Fact]
    public async Task Keyboard_TabAndShiftTabInTheOpenChat_NeverLeaveItAndEscapeReturnsToTheLauncher()
    {
        var (_, snippet) = await WorkspaceWithInboxAsync();
        // A link after the snippet: where the browser would take the focus when it leaves the chat.
        using var site = HostSite.Start(snippet + "<p><a href=\"#reviews\" id=\"reviews\">Read the reviews</a></p>");
        var visitor = await Browser.NewPageAsync();
        await visitor.GotoAsync(site.Url);
        var launcher = Launcher(visitor);
        await Expect(launcher).ToHaveAttributeAsync("aria-haspopup", "dialog");
        await launcher.FocusAsync();
        await visitor.Keyboard.PressAsync("Enter");

        var chat = Chat(visitor);
        var dialog = chat.GetByRole(AriaRole.Dialog, new() { Name = "Chat with Website chat" });
        await Expect(dialog).ToHaveAttributeAsync("aria-modal", "true");
        await Expect(ChatFrame(visitor)).ToHaveAttributeAsync("title", "Chat");
        await Expect(chat.GetByRole(AriaRole.Textbox, new() { Name = Composer })).ToBeFocusedAsync();

        foreach (var key in new[] { "Tab", "Shift+Tab" })
        {
            var visited = new List<string>();
            // Seven controls in a new conversation (close, messages, name, email, attach, composer, send): twice round and more.
            for (var press = 1; press <= 16; press++)
            {
                await visitor.Keyboard.PressAsync(key);
                var focused = await FocusInChatAsync(visitor);
                Assert.True(focused is not null, $"{key} number {press} took the focus out of the chat (after {string.Join(", ", visited)}).");
                visited.Add(focused);
            }

            // Round and round the chat's controls: the header's close button and the composer come up more than once.
            Assert.True(visited.Count(v => v == "Close chat") >= 2, $"{key} did not go round the chat: {string.Join(", ", visited)}");
            Assert.True(visited.Count(v => v == Composer) >= 2, $"{key} did not go round the chat: {string.Join(", ", visited)}");
        }

        await visitor.Keyboard.PressAsync("Escape");
        await Expect(ChatFrame(visitor)).ToBeHiddenAsync();
        await Expect(launcher).ToBeFocusedAsync();
        await Expect(launcher).ToHaveAttributeAsync("aria-expanded", "false");

        // Closed by the site while the visitor was in it: the focus is not lost with the chat either.
        await visitor.Keyboard.PressAsync("Enter");
        await Expect(chat.GetByRole(AriaRole.Textbox, new() { Name = Composer })).ToBeFocusedAsync();
        await visitor.EvaluateAsync("() => Porchlight.close()");
        await Expect(ChatFrame(visitor)).ToBeHiddenAsync();
        await Expect(launcher).ToBeFocusedAsync();
    }

    [Fact]
    public async Task AgentReply_EditedAndDeleted_WidgetMarksTheEditAndShowsAPlaceholderLiveAndAfterReload()
    {
        var (agent, snippet) = await WorkspaceWithInboxAsync();
        using var site = HostSite.Start(snippet);
        var visitor = await Browser.NewPageAsync();
        await visitor.GotoAsync(site.Url);
        var chat = await StartConversationAsync(visitor, "Where is my parcel?");
        await OpenConversationAsync(agent, "Where is my parcel?");
        await ReplyAsync(agent, "It left our warehouse on Monday.");
        await ReplyAsync(agent, "The tracking code is DE-4711.");

        await EditReplyAsync(agent, 0, "It left our warehouse on Tuesday.");
        await DeleteReplyAsync(agent, 1);

        var replies = chat.Locator(".row.agent");
        await ExpectEditedAndDeletedAsync(replies);
        await Screenshot(visitor, "widget-edited-and-deleted");

        // The history the widget loads on the next page shows them the same way, and the list says what became of the last one.
        await visitor.ReloadAsync();
        await Launcher(visitor).ClickAsync();
        await ExpectEditedAndDeletedAsync(replies);
        await chat.GetByRole(AriaRole.Button, new() { Name = "Back to conversations" }).ClickAsync();
        await Expect(chat.Locator(".conv").First).ToContainTextAsync("Message deleted");
    }

    [Fact]
    public async Task MessageFormatting_AgentReplyWithMarkdownLite_RendersFormattingAndLinksButNeverMarkup()
    {
        var (agent, snippet) = await WorkspaceWithInboxAsync();
        using var site = HostSite.Start(snippet);
        var visitor = await Browser.NewPageAsync();
        await visitor.GotoAsync(site.Url);
        var chat = await StartConversationAsync(visitor, "Can I return *worn* boots?");
        // The visitor's own text is formatted by the same rules.
        await Expect(chat.Locator(".row.me .bubble em")).ToHaveTextAsync("worn");
        await OpenConversationAsync(agent, "Can I return");

        await ReplyAsync(agent, string.Join('\n',
            "**Free** returns: see https://example.com/a_b_c",
            "Keep snake_case_words, _this_ and *that*, ~~€20~~, `**as typed**` and ** not bold **.",
            "- Boots in **size 42**",
            "* Laces",
            "<img src=x onerror=\"window.__xss=1\"><script>window.__xss=1</script>"));

        var bubble = chat.Locator(".row.agent .bubble").Last;
        await Expect(bubble.Locator("a")).ToHaveTextAsync("https://example.com/a_b_c");
        await Expect(bubble.Locator("a")).ToHaveAttributeAsync("href", "https://example.com/a_b_c");
        await Expect(bubble.Locator("strong")).ToHaveTextAsync(["Free", "size 42"]);
        await Expect(bubble.Locator("em")).ToHaveTextAsync(["this", "that"]);
        await Expect(bubble.Locator("del")).ToHaveTextAsync("€20");
        await Expect(bubble.Locator("code")).ToHaveTextAsync("**as typed**");
        await Expect(bubble.Locator("ul > li")).ToHaveTextAsync(["Boots in size 42", "Laces"]);
        var paragraphs = bubble.Locator("p");
        await Expect(paragraphs.First).ToContainTextAsync("Keep snake_case_words, this and that, €20, **as typed** and ** not bold **.");
        await Expect(paragraphs.Last).ToHaveTextAsync("<img src=x onerror=\"window.__xss=1\"><script>window.__xss=1</script>");
        await Screenshot(visitor, "widget-formatting");

        var frame = visitor.Frames.Single(f => f.Url.Contains("/widget/frame.html", StringComparison.Ordinal));
        Assert.Equal(0, await frame.Locator("img[src='x'], script:not([src])").CountAsync());
        Assert.Null(await frame.EvaluateAsync<int?>("() => window.__xss"));
        Assert.Null(await visitor.EvaluateAsync<int?>("() => window.__xss"));
    }

    // ---- Steps ----------------------------------------------------------------------------------------------

    /// <summary>A workspace with a web-widget inbox; the agent, when online, has the Inbox open so the widget offers live chat.</summary>
    private async Task<(IPage Agent, string Snippet)> WorkspaceWithInboxAsync(bool agentOnline = true)
    {
        var agent = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(agent, "Acme Support");
        var snippet = await CreateWidgetInboxAsync(agent);
        if (agentOnline)
        {
            await OpenInteractiveAsync(agent, "/inbox");
        }

        return (agent, snippet);
    }

    /// <summary>Opens the chat with the launcher and sends the first message; answers the chat once the server has it.</summary>
    private static async Task<IFrameLocator> StartConversationAsync(IPage visitor, string text)
    {
        await Launcher(visitor).ClickAsync();
        await WriteAsync(visitor, text);
        return Chat(visitor);
    }

    private static async Task WriteAsync(IPage visitor, string text)
    {
        var chat = Chat(visitor);
        var composer = chat.GetByRole(AriaRole.Textbox, new() { Name = Composer });
        await composer.FillAsync(text);
        await composer.PressAsync("Enter");
        await Expect(chat.Locator(".row.me .meta").Last).ToContainTextAsync(new Regex("Sent|Seen"));
    }

    private static async Task OpenConversationAsync(IPage agent, string firstMessage)
    {
        var row = agent.Locator(".pl-conversation-row", new() { HasText = firstMessage });
        await row.ClickAsync();
        await Expect(agent.Locator("#thread .pl-message[data-kind='incoming']").First).ToContainTextAsync(firstMessage);
    }

    private static async Task ReplyAsync(IPage agent, string text)
    {
        var replies = agent.Locator("#thread .pl-message[data-kind='outgoing']:not(.pl-pending)");
        var before = await replies.CountAsync();
        await agent.Locator("#composer").FillAsync(text);
        await agent.Locator("#send-message").ClickAsync();
        await Expect(replies).ToHaveCountAsync(before + 1);
    }

    /// <summary>Corrects one of the agent's replies in the inbox (the index counts the agent's replies in the thread).</summary>
    private static async Task EditReplyAsync(IPage agent, int index, string text)
    {
        var reply = agent.Locator("#thread .pl-message[data-kind='outgoing']").Nth(index);
        await reply.HoverAsync();
        await reply.GetByRole(AriaRole.Button, new() { Name = "Edit message" }).ClickAsync();
        var editor = agent.Locator("#edit-message");
        // The box opens empty and is given the reply's text just after; filling in between would type after it.
        await Expect(editor).ToBeFocusedAsync();
        await Expect(editor).Not.ToHaveValueAsync("");
        await editor.FillAsync(text);
        await editor.PressAsync("Enter");
        await Expect(editor).ToHaveCountAsync(0);
        await Expect(reply).ToContainTextAsync("edited");
    }

    private static async Task DeleteReplyAsync(IPage agent, int index)
    {
        var reply = agent.Locator("#thread .pl-message[data-kind='outgoing']").Nth(index);
        await reply.HoverAsync();
        await reply.GetByRole(AriaRole.Button, new() { Name = "Delete message" }).ClickAsync();
        await reply.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Expect(reply).ToHaveAttributeAsync("data-deleted", "true");
    }

    private static async Task ExpectEditedAndDeletedAsync(ILocator replies)
    {
        await Expect(replies).ToHaveCountAsync(2);
        await Expect(replies.Nth(0).Locator(".bubble")).ToHaveTextAsync("It left our warehouse on Tuesday.");
        await Expect(replies.Nth(0).Locator(".meta .edited")).ToHaveTextAsync("edited");
        var deleted = replies.Nth(1).Locator(".bubble");
        await Expect(deleted).ToHaveTextAsync("Message deleted");
        await Expect(deleted).ToHaveClassAsync(new Regex(@"\bdeleted\b"));
        await Expect(replies.Nth(1).Locator(".meta .edited")).ToHaveCountAsync(0);
    }

    // ---- The page -------------------------------------------------------------------------------------------

    /// <summary>The value of one of the contact's attributes in the inbox's sidebar.</summary>
    private static ILocator Attribute(IPage agent, string key) => agent.Locator($"#contact-attributes th:text-is('{key}') + td");


    /// <summary>Where the element is once its opening transition (a short slide) is over.</summary>
    private static async Task<(float X, float Y, float Width, float Height)> SettledBoxAsync(ILocator element)
    {
        (float, float, float, float) last = default;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var box = (await element.BoundingBoxAsync())!;
            var now = (box.X, box.Y, box.Width, box.Height);
            if (attempt > 0 && now == last)
            {
                break;
            }

            last = now;
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        return last;
    }

    private static async Task<string[]> Events(IPage page) => await page.EvaluateAsync<string[]>("() => window.events");

    /// <summary>
    /// What has the focus inside the chat (its accessible name, or its tag), or null when the focus is not in the chat:
    /// on the host page or nowhere.
    /// </summary>
    private static async Task<string?> FocusInChatAsync(IPage page)
    {
        var inWidget = await page.EvaluateAsync<bool>(
            "() => document.activeElement?.localName === 'porchlight-widget' && document.activeElement.shadowRoot.activeElement?.localName === 'iframe'");
        if (!inWidget)
        {
            return null;
        }

        var frame = page.Frames.Single(f => f.Url.Contains("/widget/frame.html", StringComparison.Ordinal));
        return await frame.EvaluateAsync<string?>(
            "() => document.hasFocus() && document.activeElement !== document.body ? (document.activeElement.getAttribute('aria-label') || document.activeElement.localName) : null");
    }

    private static string WithAttributes(string snippet, string attributes) =>
        snippet.Replace("<script ", $"<script {attributes} ", StringComparison.Ordinal);

    /// <summary>What the site's server computes for identify: lowercase hex of HMAC-SHA256(secret, userId).</summary>
    private static string UserHash(string secret, string userId) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(userId)));

    [GeneratedRegex("data-porchlight-inbox=\"([^\"]+)\"")]
    private static partial Regex InboxToken();
}
