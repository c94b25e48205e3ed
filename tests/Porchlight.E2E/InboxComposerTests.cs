using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>
/// An agent answers from the inbox's composer: a canned response picked with "/" and filled for the contact,
/// a file attached and sent, a refused file explained, and their own reply corrected and then withdrawn; and the
/// alerts that call them back while the tab is hidden.
/// </summary>
public sealed class InboxComposerTests : BrowserTest
{
    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n");

    [Fact]
    public async Task Composer_AgentPicksACannedResponseAttachesAFileAndEditsTheReply_TheThreadAndTheVisitorShowIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var agent = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(agent, "Acme Support");
        var inboxToken = await CreateInboxAsync(agent);
        await CreateCannedResponseAsync(agent, "refund-policy", "Refund policy", "Hi {{contact.firstName}}, refunds take 5 days. — {{agent.name}}");
        await CreateCannedResponseAsync(agent, "shipping", "Shipping times", "We ship within 2 days.");
        using var visitor = await Visitor.StartAsync(Server, inboxToken, "Ada <b>Lovelace</b>", "Where is my refund?", ct);

        await OpenInteractiveAsync(agent, $"/inbox/{visitor.ConversationId}");
        await Expect(agent.Locator("#inbox[data-ready='true']")).ToBeVisibleAsync();
        await Expect(agent.Locator("#thread .pl-message[data-kind='incoming']")).ToContainTextAsync("Where is my refund?");

        // "/" opens the picker; typing filters it; Enter inserts the response filled for this conversation.
        var composer = agent.Locator("#composer");
        await composer.ClickAsync();
        await composer.PressSequentiallyAsync("/");
        var picker = agent.Locator("#composer-picker");
        await Expect(picker.Locator("[role=option]")).ToHaveCountAsync(2);
        await composer.PressSequentiallyAsync("ref");
        await Expect(picker.Locator("[role=option]")).ToHaveCountAsync(1);
        await Expect(picker.Locator("[role=option][aria-selected=true]")).ToContainTextAsync("/refund-policy");
        await Expect(picker).ToContainTextAsync("Refund policy");
        await Screenshot(agent, "inbox-composer-canned-picker");
        await composer.PressAsync("Enter");
        await Expect(picker).ToHaveCountAsync(0);
        await Expect(composer).ToHaveValueAsync("Hi Ada, refunds take 5 days. — Olivia Owner");

        // Esc closes the picker and leaves the typed text; the arrow keys move through it.
        await composer.PressSequentiallyAsync(" /");
        await Expect(picker.Locator("[role=option]")).ToHaveCountAsync(2);
        await composer.PressAsync("ArrowDown");
        await Expect(picker.Locator("[role=option][aria-selected=true]")).ToContainTextAsync("/shipping");
        await composer.PressAsync("Escape");
        await Expect(picker).ToHaveCountAsync(0);
        await composer.PressAsync("Backspace");
        await Expect(composer).ToHaveValueAsync("Hi Ada, refunds take 5 days. — Olivia Owner ");

        // A file goes with the reply; one of a refused type says why and is not sent.
        await agent.Locator("#composer-file").SetInputFilesAsync(new FilePayload { Name = "refund-receipt.pdf", MimeType = "application/pdf", Buffer = Pdf });
        var files = agent.Locator("#composer-files .pl-file");
        await Expect(files.Filter(new() { HasText = "refund-receipt.pdf" })).ToHaveAttributeAsync("data-state", "ready");
        await agent.Locator("#composer-file").SetInputFilesAsync(new FilePayload { Name = "tool.exe", MimeType = "application/octet-stream", Buffer = [0x4D, 0x5A, 0x90, 0, 3, 0, 0, 0] });
        var refused = files.Filter(new() { HasText = "tool.exe" });
        await Expect(refused).ToHaveAttributeAsync("data-state", "failed");
        await Expect(refused).ToContainTextAsync("This kind of file is not accepted");
        await Screenshot(agent, "inbox-composer-files");
        await refused.GetByRole(AriaRole.Button, new() { Name = "Remove tool.exe" }).ClickAsync();
        await Expect(files).ToHaveCountAsync(1);
        await agent.Locator("#send-message").ClickAsync();

        var reply = agent.Locator("#thread .pl-message[data-kind='outgoing']").Last;
        await Expect(reply).ToContainTextAsync("Hi Ada, refunds take 5 days. — Olivia Owner");
        await Expect(reply.Locator("a.pl-attachment")).ToContainTextAsync("refund-receipt.pdf");
        await Expect(agent.Locator("#composer-files")).ToHaveCountAsync(0);
        var seen = await visitor.LastMessageAsync(ct);
        Assert.Equal("Hi Ada, refunds take 5 days. — Olivia Owner", seen.GetProperty("text").GetString());
        Assert.Equal("refund-receipt.pdf", seen.GetProperty("attachments")[0].GetProperty("fileName").GetString());

        // The agent corrects their reply in place; the visitor reads the new text.
        await reply.HoverAsync();
        await reply.GetByRole(AriaRole.Button, new() { Name = "Edit message" }).ClickAsync();
        var editor = agent.Locator("#edit-message");
        await Expect(editor).ToBeFocusedAsync();
        await editor.FillAsync("Hi Ada, refunds take 3 days. — Olivia Owner");
        await Screenshot(agent, "inbox-edit-message");
        await editor.PressAsync("Enter");
        await Expect(editor).ToHaveCountAsync(0);
        await Expect(reply.Locator(".pl-bubble")).ToContainTextAsync("refunds take 3 days");
        await Expect(reply).ToContainTextAsync("edited");
        await Eventually(async () => (await visitor.LastMessageAsync(ct)).GetProperty("text").GetString() == "Hi Ada, refunds take 3 days. — Olivia Owner");

        // A note is withdrawn after a confirmation; the thread keeps its place, marked deleted.
        await agent.Locator("#note-toggle").ClickAsync();
        await composer.FillAsync("Refund approved by finance");
        await composer.PressAsync("Enter");
        var note = agent.Locator("#thread .pl-message[data-kind='note']").Last;
        await Expect(note).ToContainTextAsync("Refund approved by finance");
        await note.HoverAsync();
        await note.GetByRole(AriaRole.Button, new() { Name = "Delete message" }).ClickAsync();
        await note.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Expect(note).ToHaveAttributeAsync("data-deleted", "true");
        await Expect(note).ToContainTextAsync("This message was deleted.");
        await Screenshot(agent, "inbox-composer-done");
        Assert.Null(await agent.EvaluateAsync<int?>("() => window.__xss"));
    }

    [Fact]
    public async Task Composer_OwnerMentionsATeammateInANote_TheTeammateIsToldInTheirInbox()
    {
        var ct = TestContext.Current.CancellationToken;
        var owner = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(owner, "Acme Support");
        var inboxToken = await CreateInboxAsync(owner);
        await OpenInteractiveAsync(owner, "/settings/agents");
        var inviteEmail = owner.Locator("#invite-email");
        await inviteEmail.FillAsync("sam@example.test");
        await inviteEmail.PressAsync("Tab");
        await owner.Locator("#send-invite").ClickAsync();
        var link = (await owner.Locator("#invitation-link").InnerTextAsync()).Trim();
        var sam = await Browser.NewPageAsync();
        await sam.GotoAsync(link);
        await sam.Locator("#displayName").FillAsync("Sam Rivera");
        await sam.Locator("#password").FillAsync("quiet-harbour-lantern-2026");
        await sam.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        await Expect(sam.Locator("#signed-in-as")).ToHaveTextAsync("Sam Rivera");
        using var visitor = await Visitor.StartAsync(Server, inboxToken, "Ada Lovelace", "My parcel is lost", ct);
        await OpenInteractiveAsync(sam, "/inbox");
        await Expect(sam.Locator("#inbox[data-ready='true']")).ToBeVisibleAsync();

        // In a note, "@" offers the workspace's other agents; the choice reads as a name in the composer.
        await OpenInteractiveAsync(owner, $"/inbox/{visitor.ConversationId}");
        await Expect(owner.Locator("#inbox[data-ready='true']")).ToBeVisibleAsync();
        await owner.Locator("#note-toggle").ClickAsync();
        var composer = owner.Locator("#composer");
        await composer.PressSequentiallyAsync("Please call her, @");
        var picker = owner.Locator("#composer-picker");
        await Expect(picker.Locator("[role=option]")).ToHaveCountAsync(1);
        await Expect(picker).ToContainTextAsync("Sam Rivera");
        await Expect(picker).Not.ToContainTextAsync(OwnerName);
        await composer.PressSequentiallyAsync("sa");
        await Expect(picker.Locator("[role=option][aria-selected=true]")).ToContainTextAsync("Sam Rivera");
        await Screenshot(owner, "inbox-composer-mention-picker");
        await composer.PressAsync("Tab");
        await Expect(composer).ToHaveValueAsync("Please call her, @Sam Rivera ");
        await composer.PressSequentiallyAsync("thanks");
        await composer.PressAsync("Enter");
        var note = owner.Locator("#thread .pl-message[data-kind='note']").Last;
        await Expect(note.Locator(".pl-mention")).ToHaveTextAsync("@Sam Rivera");
        await Expect(note).ToContainTextAsync("Please call her, @Sam Rivera thanks");
        await Screenshot(owner, "inbox-note-with-mention");

        // Sam is told at once: a notice, and the conversation marked in the list until opened.
        await Expect(sam.GetByText("Olivia Owner mentioned you in #1 · Ada Lovelace")).ToBeVisibleAsync();
        var row = sam.Locator($".pl-conversation-row[data-conversation-id='{visitor.ConversationId}']");
        await Expect(row.Locator(".pl-mention-badge")).ToBeVisibleAsync();
        await Screenshot(sam, "inbox-mentioned");
        await row.ClickAsync();
        await Expect(sam.Locator("#thread .pl-message[data-kind='note'] .pl-mention-me")).ToHaveTextAsync("@Sam Rivera");
        await Expect(row.Locator(".pl-mention-badge")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Composer_AgentFormatsAReplyAndPicksAnEmoji_ThreadShowsTheFormattingAndTheVisitorGetsTheText()
    {
        var ct = TestContext.Current.CancellationToken;
        var agent = await Browser.NewPageAsync();
        using var visitor = await OpenAdasQuestionAsync(agent, ct);

        var composer = agent.Locator("#composer");
        await composer.FillAsync("**Yes**, they run _half a size_ small:\n- order one size up\n- keep the `RETURN-7` code ");
        await agent.Locator("#emoji-picker summary").ClickAsync();
        await agent.Locator("#emoji-picker [data-emoji='👍']").ClickAsync();
        await Expect(agent.Locator("#emoji-picker")).Not.ToHaveAttributeAsync("open", "");
        await Expect(composer).ToHaveValueAsync(new Regex("code 👍$"));
        await composer.PressAsync("Enter");

        var bubble = agent.Locator("#thread .pl-message[data-kind='outgoing'] .pl-bubble").Last;
        await Expect(bubble.Locator("strong")).ToHaveTextAsync("Yes");
        await Expect(bubble.Locator("em")).ToHaveTextAsync("half a size");
        await Expect(bubble.Locator("ul li")).ToHaveTextAsync(["order one size up", "keep the RETURN-7 code 👍"]);
        await Expect(bubble.Locator("code")).ToHaveTextAsync("RETURN-7");
        await Expect(agent.Locator(".pl-conversation-row .pl-row-preview").First).ToContainTextAsync("Yes, they run half a size small:");
        await Screenshot(agent, "inbox-formatted-reply");
        // The text is stored as typed; each side formats it.
        await Eventually(async () => (await visitor.LastMessageAsync(ct)).GetProperty("text").GetString()
            == "**Yes**, they run _half a size_ small:\n- order one size up\n- keep the `RETURN-7` code 👍");
    }

    [Fact]
    public async Task Composer_ServerStallsWhileTheAgentTypes_KeepsEveryCharacterAndSendsThem()
    {
        var ct = TestContext.Current.CancellationToken;
        var agent = await Browser.NewPageAsync();
        using var visitor = await OpenAdasQuestionAsync(agent, ct);

        // The server stops and resumes while the agent types, as a busy one does: keystrokes pile up in between.
        const string Text = "They run half a size small, so please order one size up and keep the receipt for an exchange.";
        var composer = agent.Locator("#composer");
        await composer.ClickAsync();
        using (ServerStalls.Start(Server.ProcessId))
        {
            await composer.PressSequentiallyAsync(Text, new() { Delay = 15 });
        }

        await Expect(composer).ToHaveValueAsync(Text);
        await agent.Locator("#send-message").ClickAsync();
        await Expect(agent.Locator("#thread .pl-message[data-kind='outgoing']").Last).ToContainTextAsync(Text);
        await Expect(composer).ToHaveValueAsync("");
        await Eventually(async () => (await visitor.LastMessageAsync(ct)).GetProperty("text").GetString() == Text);

        // Enter sends what the composer held; what the agent types before the server gets to it stays there.
        using (ServerStalls.Start(Server.ProcessId))
        {
            await composer.PressSequentiallyAsync("Anything else I can help with?", new() { Delay = 15 });
            await composer.PressAsync("Enter");
            await composer.PressSequentiallyAsync("Have a nice day", new() { Delay = 15 });
        }

        await Expect(agent.Locator("#thread .pl-message[data-kind='outgoing']").Last).ToContainTextAsync("Anything else I can help with?");
        await Expect(composer).ToHaveValueAsync("Have a nice day");
        await Eventually(async () => (await visitor.LastMessageAsync(ct)).GetProperty("text").GetString() == "Anything else I can help with?");
    }

    [Fact]
    public async Task Composer_AgentTypesWhileTheNextConversationOpens_KeepsTheTextAndSendsItThere()
    {
        var ct = TestContext.Current.CancellationToken;
        var agent = await Browser.NewPageAsync();
        using var ada = await OpenAdasQuestionAsync(agent, ct);
        using var grace = await Visitor.StartAsync(Server, ada.InboxToken, "Grace Hopper", "Is the tracking number right?", ct);
        var graceRow = agent.Locator($".pl-conversation-row[data-conversation-id='{grace.ConversationId}']");
        await Expect(graceRow).ToBeVisibleAsync();

        // The agent picks Grace and types at once; the server is held still until the typing is done, so the
        // conversation (and the draft it brings, none) arrives after every keystroke.
        await graceRow.ClickAsync();
        var composer = agent.Locator("#composer");
        await ServerStalls.SignalAsync(Server.ProcessId, "STOP");
        try
        {
            await composer.PressSequentiallyAsync("Yes, it is");
        }
        finally
        {
            await ServerStalls.SignalAsync(Server.ProcessId, "CONT");
        }

        await Expect(agent.Locator("#thread .pl-message[data-kind='incoming']")).ToContainTextAsync("Is the tracking number right?");
        // One more round trip to the server: what the page does to the composer on opening a conversation is done by its end.
        var moreFilters = agent.Locator("#more-filters");
        await moreFilters.ClickAsync();
        await Expect(moreFilters).ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(composer).ToHaveValueAsync("Yes, it is");
        await composer.PressAsync("Enter");
        await Expect(agent.Locator("#thread .pl-message[data-kind='outgoing']").Last).ToContainTextAsync("Yes, it is");
        await Eventually(async () => (await grace.LastMessageAsync(ct)).GetProperty("text").GetString() == "Yes, it is");
        Assert.Equal("Do the boots run small?", (await ada.LastMessageAsync(ct)).GetProperty("text").GetString());
    }

    [Fact]
    public async Task Alerts_AgentSwitchesThemOnInTheInbox_KeptAcrossReloadsAndRaisedWhileTheTabIsHidden()
    {
        var ct = TestContext.Current.CancellationToken;
        var agent = await Browser.NewPageAsync();
        await agent.Context.GrantPermissionsAsync(["notifications"], new() { Origin = Server.Url("/").TrimEnd('/') });
        // Records the notifications the page raises (the browser still shows them), and lets the test hide the tab.
        await agent.AddInitScriptAsync("""
            window.raised = [];
            const RealNotification = window.Notification;
            window.Notification = new Proxy(RealNotification, { construct(target, args) { window.raised.push(args[0]); return new target(...args); } });
            Object.defineProperty(document, "hidden", { get: () => window.tabHidden === true });
            """);
        using var visitor = await OpenAdasQuestionAsync(agent, ct);
        var bell = agent.Locator("#notify-toggle");
        await Expect(bell).ToHaveAttributeAsync("aria-pressed", "false");

        await bell.ClickAsync();
        await Expect(bell).ToHaveAttributeAsync("aria-pressed", "true");
        await agent.ReloadAsync();
        await Expect(agent.Locator("#inbox[data-ready='true']")).ToBeVisibleAsync();
        await Expect(bell).ToHaveAttributeAsync("aria-pressed", "true");
        await agent.EvaluateAsync("() => { window.tabHidden = true; document.dispatchEvent(new Event('visibilitychange')); }");
        await visitor.SendAsync("Hello? Anyone there?", ct);

        await Expect(agent.Locator("#thread")).ToContainTextAsync("Hello? Anyone there?");
        await Eventually(async () => (await agent.EvaluateAsync<string[]>("() => window.raised")).Contains("Ada Lovelace"));
        await OpenInteractiveAsync(agent, "/settings/profile");
        await Expect(agent.Locator("#inbox-alerts")).ToBeCheckedAsync();
    }

    // An Owner with a widget inbox, and the conversation a visitor started with a question, open in the inbox.
    private async Task<Visitor> OpenAdasQuestionAsync(IPage agent, CancellationToken ct)
    {
        await SetUpWorkspaceAsync(agent, "Acme Support");
        var inboxToken = await CreateInboxAsync(agent);
        var visitor = await Visitor.StartAsync(Server, inboxToken, "Ada Lovelace", "Do the boots run small?", ct);
        await OpenInteractiveAsync(agent, $"/inbox/{visitor.ConversationId}");
        await Expect(agent.Locator("#inbox[data-ready='true']")).ToBeVisibleAsync();
        return visitor;
    }

    private async Task<string> CreateInboxAsync(IPage page) => ApiVisitor.InboxTokenOf(await CreateWidgetInboxAsync(page));

    private async Task CreateCannedResponseAsync(IPage page, string shortcut, string title, string text)
    {
        await OpenInteractiveAsync(page, "/settings/canned-responses");
        foreach (var (field, value) in new[] { ("#canned-shortcut", shortcut), ("#canned-title", title), ("#canned-text", text) })
        {
            var input = page.Locator(field);
            await input.FillAsync(value);
            await input.PressAsync("Tab");
        }

        await page.Locator("#save-canned").ClickAsync();
        await Expect(page.Locator("#canned-table")).ToContainTextAsync("/" + shortcut);
    }

    /// <summary>A widget visitor speaking the widget's own API, as the chat frame does.</summary>
    private sealed class Visitor(HttpClient http, Guid conversationId, string inboxToken) : IDisposable
    {
        public Guid ConversationId { get; } = conversationId;

        public string InboxToken { get; } = inboxToken;

        public static async Task<Visitor> StartAsync(Testing.ServerProcess server, string inboxToken, string name, string text, CancellationToken ct)
        {
            var http = new HttpClient { BaseAddress = new Uri(server.Url("/")) };
            try
            {
                using var session = await http.PostAsJsonAsync("widget/v1/sessions", new { inboxToken }, ct);
                session.EnsureSuccessStatusCode();
                var token = (await session.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("visitorToken").GetString();
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var started = await http.PostAsJsonAsync("widget/v1/conversations",
                    new { clientId = "c_" + Guid.NewGuid().ToString("N"), text, fields = new { name } }, ct);
                started.EnsureSuccessStatusCode();
                var body = await started.Content.ReadFromJsonAsync<JsonElement>(ct);
                return new Visitor(http, body.GetProperty("conversation").GetProperty("id").GetGuid(), inboxToken);
            }
            catch
            {
                http.Dispose();
                throw;
            }
        }

        public async Task SendAsync(string text, CancellationToken ct)
        {
            using var sent = await http.PostAsJsonAsync($"widget/v1/conversations/{ConversationId}/messages", new { clientId = "c_" + Guid.NewGuid().ToString("N"), text }, ct);
            sent.EnsureSuccessStatusCode();
        }

        public async Task<JsonElement> LastMessageAsync(CancellationToken ct) =>
            (await http.GetFromJsonAsync<JsonElement>($"widget/v1/conversations/{ConversationId}/messages?after=0", ct)).EnumerateArray().Last();

        public void Dispose() => http.Dispose();
    }
}
