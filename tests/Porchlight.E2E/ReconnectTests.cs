using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>
/// Reconnect without loss, with connections that really drop: the server is killed (SIGKILL) and started again on
/// the same address and data, the visitor's live connection goes down while the API answers, or the agent's network
/// is cut and restored while the server runs. Whatever was written meanwhile reaches both sides exactly once and in
/// order; the widget is never reloaded, nor is an inbox that only lost its connection.
/// </summary>
public sealed partial class ReconnectTests : BrowserTest
{
    private const string Question = "Do the Ridgeline boots run small?";
    private const string FirstReply = "Half a size, yes.";

    [Fact]
    public async Task Widget_ServerKilledAndStartedAgain_MessageWrittenMeanwhileIsSentOnceAndRepliesArriveWithoutReload()
    {
        using var chat = await StartChatAsync();
        var visitorState = chat.Visitor.Locator(".banner");

        await KillServerAsync();

        // The widget knows the connection is gone; a message written now waits, marked as not sent.
        await Expect(visitorState).ToHaveTextAsync("Reconnecting…");
        await chat.WriteAsync("Which size for a 42 then?");
        var waiting = chat.Visitor.Locator(".row.me", new() { HasText = "Which size for a 42 then?" });
        await Expect(waiting).ToHaveClassAsync(Failed());
        await Expect(waiting.Locator(".meta")).ToContainTextAsync("Not sent.");

        await RestartServerAsync();

        // The widget reconnects by itself and sends the waiting message: once, marked sent.
        await Expect(visitorState).ToBeHiddenAsync(WidgetReconnects);
        await Expect(waiting).Not.ToHaveClassAsync(Failed());
        await Expect(waiting.Locator(".meta")).ToContainTextAsync(SentOrSeen());
        // The agent's page, whose session died with the server, loads itself again from the new one: the visitor's
        // messages once, in order.
        await chat.AgentPageReloadedAsync();
        await Expect(chat.Incoming).ToHaveTextAsync([Question, "Which size for a 42 then?"]);

        // Replies written after the restart reach the widget live, in order, without a reload.
        await chat.ReplyAsync("Take a 43.");
        await chat.ReplyAsync("They stretch a little after a week.");
        string[] thread = [Question, FirstReply, "Which size for a 42 then?", "Take a 43.", "They stretch a little after a week."];
        await Expect(chat.VisitorBubbles).ToHaveTextAsync(thread);
        await Expect(chat.Visitor.Locator(".row.failed")).ToHaveCountAsync(0);
        await chat.AssertSameDocumentAsync();
        await Expect(chat.AgentBubbles).ToHaveTextAsync(thread);
        await AssertStoredOnceInOrderAsync(chat, thread);
    }

    [Fact]
    public async Task Widget_ServerStoredAMessageButDiedBeforeAnswering_ResentWithTheSameClientIdAndKeptOnce()
    {
        const string Lost = "Can I return them after a hike?";
        var posts = new ConcurrentQueue<(string ClientId, int Status)>();
        var stored = new TaskCompletionSource<(string ClientId, int Status)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var died = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        using var chat = await StartChatAsync(async visitor =>
        {
            // The server stores the message and dies before its answer or its announcement leaves: the widget hears of
            // the message neither from the answer (the connection resets) nor from the visitor hub.
            await visitor.RouteWebSocketAsync(VisitorHub(), hub =>
            {
                var beforeTheCrash = !died.Task.IsCompleted;
                var server = hub.ConnectToServer();
                server.OnMessage(frame =>
                {
                    if (frame.Text is not { } text)
                    {
                        hub.Send(frame.Binary!);
                        return;
                    }

                    var records = text.Split('\u001e', StringSplitOptions.RemoveEmptyEntries)
                        .Where(r => !beforeTheCrash || !r.Contains(Lost, StringComparison.Ordinal)).ToList();
                    if (records.Count > 0)
                    {
                        hub.Send(string.Concat(records.Select(r => r + '\u001e')));
                    }
                });
            });
            await visitor.RouteAsync(MessagesOfAConversation(), async route =>
            {
                if (route.Request.Method != "POST" || route.Request.PostData?.Contains(Lost, StringComparison.Ordinal) != true)
                {
                    await route.ContinueAsync();
                    return;
                }

                var clientId = JsonDocument.Parse(route.Request.PostData).RootElement.GetProperty("clientId").GetString()!;
                var response = await route.FetchAsync();
                posts.Enqueue((clientId, response.Status));
                if (stored.TrySetResult((clientId, response.Status)))
                {
                    await died.Task;
                    await route.AbortAsync("connectionreset");
                    return;
                }

                await route.FulfillAsync(new() { Response = response });
                resent.TrySetResult();
            });
        });

        await chat.WriteAsync(Lost);
        var (clientId, status) = await stored.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(201, status);
        await KillServerAsync();
        died.SetResult();

        // The widget never saw the answer: for all it knows the message is not sent.
        var lost = chat.Visitor.Locator(".row.me", new() { HasText = Lost });
        await Expect(lost).ToHaveClassAsync(Failed());
        await Expect(chat.Visitor.Locator(".banner")).ToHaveTextAsync("Reconnecting…");

        await RestartServerAsync();

        // Back online, the widget sends it again with the same client id; the server answers with the copy it kept.
        await Expect(chat.Visitor.Locator(".banner")).ToBeHiddenAsync(WidgetReconnects);
        await Expect(lost.Locator(".meta")).ToContainTextAsync(SentOrSeen());
        await resent.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal((clientId, 201), posts.First());
        Assert.All(posts.Skip(1), resend => Assert.Equal((clientId, 200), resend));
        string[] thread = [Question, FirstReply, Lost];
        await chat.AgentPageReloadedAsync();
        await Expect(chat.Incoming).ToHaveTextAsync([Question, Lost]);
        await Expect(chat.VisitorBubbles).ToHaveTextAsync(thread);
        await chat.ReplyAsync("Within 30 days, hiked in or not.");
        await Expect(chat.VisitorBubbles).ToHaveTextAsync([.. thread, "Within 30 days, hiked in or not."]);
        await Expect(chat.AgentBubbles).ToHaveTextAsync([.. thread, "Within 30 days, hiked in or not."]);
        await chat.AssertSameDocumentAsync();
        await AssertStoredOnceInOrderAsync(chat, [.. thread, "Within 30 days, hiked in or not."]);
    }

    [Fact]
    public async Task Widget_LiveConnectionDownWhileAgentRepliesAndVisitorSends_MissedReplyAppearsAfterReconnect()
    {
        // The visitor's live connection goes down and stays down while the visitor API still answers: what the
        // widget lives through after any network loss, while its next attempt waits (2, 5, 10, then 30 s).
        var hubDown = false;
        var hubs = new ConcurrentQueue<IWebSocketRoute>();
        using var chat = await StartChatAsync(async visitor =>
        {
            await visitor.RouteWebSocketAsync(VisitorHub(), async hub =>
            {
                if (hubDown)
                {
                    // The WebSocket does not get through to the server.
                    await hub.CloseAsync(new() { Code = 1006 });
                    return;
                }

                hub.ConnectToServer();
                hubs.Enqueue(hub);
            });
            await visitor.RouteAsync(VisitorHub(), route => hubDown ? route.AbortAsync("connectionrefused") : route.ContinueAsync());
        });

        hubDown = true;
        foreach (var hub in hubs)
        {
            await hub.CloseAsync(new() { Code = 1006 });
        }

        await Expect(chat.Visitor.Locator(".banner")).ToHaveTextAsync("Reconnecting…");
        // The agent answers; the widget cannot hear it. The visitor writes, and the API takes it.
        await chat.ReplyAsync("We also make a wide fit.");
        await chat.WriteAsync("Do you have the wide fit in 43?");
        await Expect(chat.Visitor.Locator(".row.me", new() { HasText = "Do you have the wide fit in 43?" }).Locator(".meta")).ToContainTextAsync(SentOrSeen());
        string[] thread = [Question, FirstReply, "We also make a wide fit.", "Do you have the wide fit in 43?"];
        await AssertStoredOnceInOrderAsync(chat, thread);

        hubDown = false;

        // Back, the widget asks for everything after the last message it saw: the reply written meanwhile comes too,
        // before the visitor's message that followed it.
        await Expect(chat.Visitor.Locator(".banner")).ToBeHiddenAsync(WidgetReconnects);
        await Expect(chat.VisitorBubbles).ToHaveTextAsync(thread);
        await chat.ReplyAsync("Yes, two pairs left.");
        await Expect(chat.VisitorBubbles).ToHaveTextAsync([.. thread, "Yes, two pairs left."]);
        await chat.AssertSameDocumentAsync();
    }

    [Fact]
    public async Task Inbox_AgentsConnectionCutAndRestored_VisitorMessagesFromMeanwhileAppearOnceInOrderWithoutReload()
    {
        var ct = TestContext.Current.CancellationToken;
        var agent = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(agent, "Acme Support");
        var inboxToken = ApiVisitor.InboxTokenOf(await CreateWidgetInboxAsync(agent));
        using var visitor = await ApiVisitor.StartAsync(Server.BaseAddress, inboxToken, "Ada Lovelace", Question, ct);
        // The agent's page reaches the server through a link the test can cut; the visitor talks to the server directly.
        using var link = CuttableLink.To(Server.BaseAddress);
        await agent.GotoAsync(link.Url($"/inbox/{visitor.ConversationId}"));
        await Expect(agent.Locator("#inbox[data-ready='true']")).ToBeVisibleAsync();
        var incoming = agent.Locator("#thread .pl-message[data-kind='incoming'] .pl-bubble");
        await Expect(incoming).ToHaveTextAsync([Question]);
        await agent.EvaluateAsync("() => { window.sameDocument = true; }");

        link.Cut();
        var reconnecting = agent.Locator("#components-reconnect-modal .components-reconnect-dialog");
        await Expect(reconnecting).ToBeVisibleAsync();
        // More renders than the server keeps unacknowledged for a disconnected page (10): it pauses and resumes.
        var meanwhile = Enumerable.Range(1, 12).Select(i => $"Are you there? ({i})").ToList();
        foreach (var text in meanwhile)
        {
            await visitor.SendAsync(text, ct);
        }

        link.Restore();

        await Expect(reconnecting).ToBeHiddenAsync();
        await Expect(incoming).ToHaveTextAsync([Question, .. meanwhile]);
        var sequences = await agent.Locator("#thread .pl-message[data-kind='incoming']").EvaluateAllAsync<long[]>("messages => messages.map(m => Number(m.dataset.sequence))");
        Assert.Equal(Enumerable.Range(1, 13).Select(i => (long)i), sequences);
        Assert.True(await agent.EvaluateAsync<bool>("() => window.sameDocument === true"), "The inbox was reloaded.");

        // The page is live again: the agent's reply reaches the visitor.
        await agent.Locator("#composer").FillAsync("Yes, sorry, I was away.");
        await agent.Locator("#send-message").ClickAsync();
        // Not the bubble shown while sending: the stored one, which the visitor can read.
        await Expect(agent.Locator("#thread .pl-message[data-kind='outgoing']:not(.pl-pending) .pl-bubble")).ToHaveTextAsync(["Yes, sorry, I was away."]);
        Assert.Equal("Yes, sorry, I was away.", (await visitor.MessagesAsync(ct)).Last().GetProperty("text").GetString());
    }

    [Fact]
    public async Task Inbox_MessageAnnouncedOnAnotherNode_FilledInInOrderWhenTheAgentRepliesAndWhenTheNextMessageArrives()
    {
        var ct = TestContext.Current.CancellationToken;
        var agent = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(agent, "Acme Support");
        var inboxToken = ApiVisitor.InboxTokenOf(await CreateWidgetInboxAsync(agent));
        using var visitor = await ApiVisitor.StartAsync(Server.BaseAddress, inboxToken, "Ada Lovelace", Question, ct);
        await OpenInteractiveAsync(agent, $"/inbox/{visitor.ConversationId}");
        await Expect(agent.Locator("#inbox[data-ready='true']")).ToBeVisibleAsync();
        var incoming = agent.Locator("#thread .pl-message[data-kind='incoming'] .pl-bubble");
        await Expect(incoming).ToHaveTextAsync([Question]);

        // Another node stores the visitor's next message and announces it to its own pages only: this inbox misses it.
        await using (var otherNode = await StartAnotherNodeAsync())
        {
            await visitor.SendAsync("Sent through the other server.", ct, otherNode.BaseAddress);
        }

        // The agent's own reply is stored after it: the inbox fills the hole before the reply instead of skipping it.
        var composer = agent.Locator("#composer");
        await composer.FillAsync("Let me check that for you.");
        await composer.PressAsync("Enter");
        await Expect(incoming).ToHaveTextAsync([Question, "Sent through the other server."]);

        // The next message arrives live; everything shows once, in order.
        await visitor.SendAsync("And this one through yours.", ct);
        await Expect(incoming).ToHaveTextAsync([Question, "Sent through the other server.", "And this one through yours."]);
        var sequences = await agent.Locator("#thread .pl-message").EvaluateAllAsync<long[]>("messages => messages.map(m => Number(m.dataset.sequence))");
        Assert.Equal([1L, 2L, 3L, 4L], sequences);
    }

    // ----- Shared steps -----

    /// <summary>
    /// The owner in the inbox and a visitor on the customer's site (another origin) in the widget have exchanged a
    /// question and a reply, with the conversation open on both sides. <paramref name="prepareVisitor"/> runs on the
    /// visitor's page before it loads.
    /// </summary>
    private async Task<Chat> StartChatAsync(Func<IPage, Task>? prepareVisitor = null)
    {
        var agent = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(agent, "Acme Support");
        var snippet = await CreateWidgetInboxAsync(agent);
        await OpenInteractiveAsync(agent, "/inbox");

        var visitor = await Browser.NewPageAsync();
        if (prepareVisitor is not null)
        {
            await prepareVisitor(visitor);
        }

        var chat = new Chat(agent, visitor, HostSite.Start(snippet));
        await visitor.GotoAsync(chat.Site.Url);
        await visitor.Locator("porchlight-widget button.l").ClickAsync();
        await chat.Visitor.Locator("#field-name").FillAsync("Ada Lovelace");
        await chat.WriteAsync(Question);
        await Expect(chat.Visitor.Locator(".row.me .meta")).ToContainTextAsync(SentOrSeen());

        var row = agent.Locator(".pl-conversation-row", new() { HasText = "Ada Lovelace" });
        await row.ClickAsync();
        await Expect(chat.Incoming).ToHaveTextAsync([Question]);
        await chat.ReplyAsync(FirstReply);
        await Expect(chat.VisitorBubbles).ToHaveTextAsync([Question, FirstReply]);
        await chat.MarkDocumentsAsync();
        return chat;
    }

    /// <summary>What the server stored, read as the visitor: every message once, in sequence order, no client id twice.</summary>
    private async Task AssertStoredOnceInOrderAsync(Chat chat, string[] thread)
    {
        var ct = TestContext.Current.CancellationToken;
        using var http = new HttpClient { BaseAddress = Server.BaseAddress };
        http.DefaultRequestHeaders.Authorization = AuthenticationHeaderValue.Parse(await chat.VisitorAuthorizationAsync());
        var conversation = (await http.GetFromJsonAsync<JsonElement>("widget/v1/conversations", ct)).EnumerateArray().Single();
        var messages = (await http.GetFromJsonAsync<JsonElement>($"widget/v1/conversations/{conversation.GetProperty("id").GetString()}/messages?after=0", ct))
            .EnumerateArray().ToList();
        Assert.Equal(thread, messages.Select(m => m.GetProperty("text").GetString()));
        var sequences = messages.Select(m => m.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(sequences.Order(), sequences);
        var clientIds = messages.Select(m => m.GetProperty("clientId").GetString()).Where(id => id is not null).ToList();
        Assert.Equal(clientIds.Distinct(), clientIds);
    }

    /// <summary>The widget's next attempt after a lost connection is at most 30 s away (2, 5, 10, then 30 s).</summary>
    private static readonly LocatorAssertionsToBeHiddenOptions WidgetReconnects = new() { Timeout = 45_000 };

    [GeneratedRegex(@"\bfailed\b")]
    private static partial Regex Failed();

    [GeneratedRegex("Sent|Seen")]
    private static partial Regex SentOrSeen();

    [GeneratedRegex("/hubs/visitor")]
    private static partial Regex VisitorHub();

    [GeneratedRegex("/widget/v1/conversations/[^/?]+/messages$")]
    private static partial Regex MessagesOfAConversation();

    /// <summary>Both sides of one conversation: the agent's inbox page and the visitor's widget on the host page.</summary>
    private sealed class Chat : IDisposable
    {
        private readonly IPage _visitor;
        private IRequest? _visitorCall;

        public Chat(IPage agent, IPage visitor, HostSite site)
        {
            Agent = agent;
            _visitor = visitor;
            Site = site;
            Visitor = visitor.FrameLocator("porchlight-widget iframe");
            // The widget's calls carry the visitor's token, the key to what the server stored for them.
            visitor.Request += (_, request) =>
            {
                if (request.Url.Contains("/widget/v1/conversations", StringComparison.Ordinal))
                {
                    _visitorCall = request;
                }
            };
        }

        public IPage Agent { get; }

        /// <summary>The customer's site with the snippet pasted in, where the visitor chats.</summary>
        public HostSite Site { get; }

        public IFrameLocator Visitor { get; }

        private IFrame VisitorFrame => _visitor.Frames.Single(f => f.Url.Contains("/widget/frame.html", StringComparison.Ordinal));

        /// <summary>The text of every message in the widget, in the order shown.</summary>
        public ILocator VisitorBubbles => Visitor.Locator(".log .row .bubble");

        /// <summary>The text of every message and reply in the agent's open thread, in the order shown.</summary>
        public ILocator AgentBubbles => Agent.Locator("#thread .pl-message:not(.pl-pending) .pl-bubble");

        public ILocator Incoming => Agent.Locator("#thread .pl-message[data-kind='incoming'] .pl-bubble");

        public async Task WriteAsync(string text)
        {
            var composer = Visitor.GetByRole(AriaRole.Textbox, new() { Name = "Write a message…" });
            await composer.FillAsync(text);
            await composer.PressAsync("Enter");
        }

        public async Task ReplyAsync(string text)
        {
            await Agent.Locator("#composer").FillAsync(text);
            await Agent.Locator("#send-message").ClickAsync();
            await Expect(Agent.Locator("#thread .pl-message[data-kind='outgoing']:not(.pl-pending) .pl-bubble").Last).ToHaveTextAsync(text);
        }

        /// <summary>Marks the agent's page, the host page and the widget's frame, so a reload of any of them shows.</summary>
        public async Task MarkDocumentsAsync()
        {
            await Agent.EvaluateAsync("() => { window.sameDocument = true; }");
            await _visitor.EvaluateAsync("() => { window.sameDocument = true; }");
            await VisitorFrame.EvaluateAsync("() => { window.sameDocument = true; }");
        }

        /// <summary>
        /// Waits until the agent's page has loaded itself again (the app reloads a page whose session the server no
        /// longer knows, as after a restart) and is interactive.
        /// </summary>
        public async Task AgentPageReloadedAsync()
        {
            await Agent.WaitForFunctionAsync("() => window.sameDocument !== true", null, new() { PollingInterval = 100 });
            await Expect(Agent.Locator("#inbox[data-ready='true']")).ToBeVisibleAsync();
        }

        public async Task AssertSameDocumentAsync()
        {
            Assert.True(await _visitor.EvaluateAsync<bool>("() => window.sameDocument === true"), "The customer's page was reloaded.");
            Assert.True(await VisitorFrame.EvaluateAsync<bool>("() => window.sameDocument === true"), "The widget was reloaded.");
        }

        public async Task<string> VisitorAuthorizationAsync() =>
            await (_visitorCall ?? throw new InvalidOperationException("The widget has not called the visitor API.")).HeaderValueAsync("authorization")
            ?? throw new InvalidOperationException("The widget's call carried no token.");

        public void Dispose() => Site.Dispose();
    }
}
