using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Conversations;

/// <summary>A visitor in the widget and an agent in the inbox, over the real HTTP and SignalR paths.</summary>
public abstract class LiveChatTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task SendMessage_StoredWithPlainStatements_ReadsBackThroughTheModelWithEveryValue()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Hello");
        var visitorClientId = TestVisitor.NewClientId();

        var asked = await visitor.SendAsync(conversationId, "Where is my parcel?", visitorClientId).ExpectAsync(HttpStatusCode.Created);
        var answered = await owner.ReplyAsync(conversationId, "On its way.").ExpectAsync(HttpStatusCode.Created);

        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var stored = await db.Messages.AsNoTracking().Where(m => m.ConversationId == conversationId).OrderBy(m => m.Sequence).ToListAsync(Ct);
        Assert.Equal([1L, 2L, 3L], stored.Select(m => m.Sequence));
        var question = stored[1];
        Assert.Equal(asked.GetProperty("id").GetGuid(), question.Id);
        Assert.Equal(workspace.WorkspaceId, question.WorkspaceId);
        Assert.Equal(visitorClientId, question.ClientId);
        Assert.Equal(MessageKind.Incoming, question.Kind);
        Assert.Null(question.AuthorAgentId);
        Assert.Equal("Where is my parcel?", question.Text);
        Assert.Equal(DateTimeKind.Utc, question.CreatedAt.Kind);
        // PostgreSQL keeps microseconds; the answer was made before the row was stored.
        Assert.Equal(asked.GetProperty("createdAt").GetDateTime().ToUniversalTime(), question.CreatedAt, TimeSpan.FromTicks(10));
        Assert.Null(question.EditedAt);
        Assert.Null(question.DeletedAt);
        var reply = stored[2];
        Assert.Equal(MessageKind.Outgoing, reply.Kind);
        Assert.Equal(workspace.OwnerId, reply.AuthorAgentId);

        var conversation = await db.Conversations.AsNoTracking().SingleAsync(c => c.Id == conversationId, Ct);
        Assert.Equal(3, conversation.LastSequence);
        Assert.Equal(2, conversation.ContactReadSequence);
        Assert.Equal(3, conversation.AgentReadSequence);
        Assert.Equal("On its way.", conversation.LastMessagePreview);
        Assert.Equal(question.CreatedAt, conversation.LastContactMessageAt);
        Assert.Equal(reply.CreatedAt, conversation.LastAgentMessageAt);
        Assert.Equal(reply.CreatedAt, conversation.FirstAgentReplyAt);
        Assert.Equal(reply.CreatedAt, conversation.LastActivityAt);
        Assert.Equal(answered.GetProperty("createdAt").GetDateTime().ToUniversalTime(), reply.CreatedAt, TimeSpan.FromTicks(10));
        Assert.Equal(ConversationStatus.Open, conversation.Status);
    }

    [Fact]
    public async Task Chat_VisitorAndAgent_SeeEachOthersMessagesLiveAndInOrder()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await using var agentHub = await HubRecorder.AgentAsync(Factory, workspace.OwnerToken);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        await using var visitorHub = await HubRecorder.VisitorAsync(Factory, visitor.Token);

        var (conversationId, first) = await visitor.StartConversationAsync("Hello, is my order shipped?", new { name = "Ada", email = "ada@example.com" });
        var seenByAgent = await agentHub.WaitForAsync("MessageCreated", m => m.Text("text") == "Hello, is my order shipped?", "the agent sees the visitor's message");
        Assert.Equal(conversationId, seenByAgent.ConversationIdOf());
        Assert.Equal("Ada", seenByAgent.GetProperty("author").Text("name"));
        Assert.Equal(1, first.SequenceOf());

        await owner.ReplyAsync(conversationId, "Yes, it left this morning.").ExpectAsync(HttpStatusCode.Created);
        var reply = await visitorHub.WaitForAsync("MessageCreated", m => m.Text("text") == "Yes, it left this morning.", "the visitor sees the reply");
        Assert.Equal("outgoing", reply.Text("kind"));
        Assert.Equal("Olivia Owner", reply.GetProperty("author").Text("name"));

        var thread = await visitor.MessagesAsync(conversationId);
        Assert.Equal(["Hello, is my order shipped?", "Yes, it left this morning."], thread.Select(m => m.Text("text")));
        Assert.Equal([1L, 2L], thread.Select(m => m.SequenceOf()));
        var listed = await owner.GetJsonAsync("/api/v1/conversations");
        var conversation = Assert.Single(listed.GetProperty("items").EnumerateArray());
        Assert.Equal("Ada", conversation.GetProperty("contact").Text("name"));
        Assert.Equal(1, conversation.GetProperty("number").GetInt32());
    }

    [Fact]
    public async Task PrivateNote_AgentsSeeIt_VisitorNeverReceivesOrReadsIt()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        await using var visitorHub = await HubRecorder.VisitorAsync(Factory, visitor.Token);
        await using var agentHub = await HubRecorder.AgentAsync(Factory, workspace.OwnerToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Can I get a refund?");

        await owner.ReplyAsync(conversationId, "Internal: customer is on the legacy plan", isPrivate: true).ExpectAsync(HttpStatusCode.Created);
        await owner.ReplyAsync(conversationId, "Let me check that for you.").ExpectAsync(HttpStatusCode.Created);

        await agentHub.WaitForAsync("MessageCreated", m => m.Text("kind") == "Note", "agents receive the note");
        // Events of one connection arrive in order: once the later reply is here, the note would have been too.
        await visitorHub.WaitForAsync("MessageCreated", m => m.Text("text") == "Let me check that for you.", "the visitor receives the reply");
        Assert.DoesNotContain(visitorHub.All("MessageCreated"), m => m.Text("text")!.Contains("Internal", StringComparison.Ordinal));
        Assert.DoesNotContain(await visitor.MessagesAsync(conversationId), m => m.Text("text")!.Contains("Internal", StringComparison.Ordinal));
        var agentThread = await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages");
        Assert.Equal(["Incoming", "Note", "Outgoing"], agentThread.EnumerateArray().Select(m => m.Text("kind")));
    }

    [Fact]
    public async Task VisitorApi_AnotherVisitorsConversation_AnswersNotFoundAndChangesNothing()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var alice = await TestVisitor.StartAsync(Factory, inboxToken);
        using var mallory = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await alice.StartConversationAsync("My address is 1 Main Street");

        await mallory.Http.GetAsync($"/widget/v1/conversations/{conversationId}/messages", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await mallory.SendAsync(conversationId, "injected").ExpectProblemAsync(HttpStatusCode.NotFound);
        await mallory.Http.PostJsonAsync($"/widget/v1/conversations/{conversationId}/read", new { sequence = 1 }).ExpectProblemAsync(HttpStatusCode.NotFound);
        await mallory.Http.GetAsync($"/widget/v1/conversations/{Guid.CreateVersion7()}/messages", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty((await mallory.Http.GetJsonAsync("/widget/v1/conversations")).EnumerateArray());

        var altered = alice.Token[..^4] + (alice.Token[^4..] == "AAAA" ? "BBBB" : "AAAA");
        using var forger = Factory.CreateClient();
        forger.DefaultRequestHeaders.Authorization = new("Bearer", altered);
        await forger.GetAsync("/widget/v1/conversations", Ct).ExpectProblemAsync(HttpStatusCode.Unauthorized);
        using var anonymous = Factory.CreateClient();
        await anonymous.GetAsync("/widget/v1/conversations", Ct).ExpectProblemAsync(HttpStatusCode.Unauthorized);

        Assert.Equal(["My address is 1 Main Street"], (await alice.MessagesAsync(conversationId)).Select(m => m.Text("text")));
    }

    [Fact]
    public async Task VisitorHub_AnotherVisitorsConversation_ReceivesNothingOfIt()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var alice = await TestVisitor.StartAsync(Factory, inboxToken);
        using var bob = await TestVisitor.StartAsync(Factory, inboxToken);
        await using var aliceHub = await HubRecorder.VisitorAsync(Factory, alice.Token);
        await using var bobHub = await HubRecorder.VisitorAsync(Factory, bob.Token);
        var (aliceConversation, _) = await alice.StartConversationAsync("Alice's question");
        var (bobConversation, _) = await bob.StartConversationAsync("Bob's question");

        await owner.ReplyAsync(aliceConversation, "For Alice only").ExpectAsync(HttpStatusCode.Created);
        await owner.ReplyAsync(bobConversation, "For Bob only").ExpectAsync(HttpStatusCode.Created);

        await aliceHub.WaitForAsync("MessageCreated", m => m.Text("text") == "For Alice only", "Alice gets her reply");
        await bobHub.WaitForAsync("MessageCreated", m => m.Text("text") == "For Bob only", "Bob gets his reply");
        // Whatever was sent to either connection with those replies has arrived by now.
        await aliceHub.DrainAsync();
        await bobHub.DrainAsync();
        Assert.All(aliceHub.All("MessageCreated"), m => Assert.Equal(aliceConversation, m.ConversationIdOf()));
        Assert.All(bobHub.All("MessageCreated"), m => Assert.Equal(bobConversation, m.ConversationIdOf()));
    }

    [Fact]
    public async Task SendMessage_SameClientIdResent_StoredOnceAndTheSameMessageReturned()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("First");
        var clientId = TestVisitor.NewClientId();

        var stored = await visitor.SendAsync(conversationId, "Second", clientId).ExpectAsync(HttpStatusCode.Created);
        var resent = await visitor.SendAsync(conversationId, "Second", clientId).ExpectAsync(HttpStatusCode.OK);
        // Retries racing each other: still one message.
        var racing = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => visitor.SendAsync(conversationId, "Second", clientId)));

        Assert.Equal(stored.IdOf(), resent.IdOf());
        Assert.All(racing, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        var thread = await visitor.MessagesAsync(conversationId);
        Assert.Equal(["First", "Second"], thread.Select(m => m.Text("text")));
    }

    [Fact]
    public async Task StartConversation_SameClientIdResent_OneConversation()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var body = new { clientId = TestVisitor.NewClientId(), text = "Hi" };

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => visitor.Http.PostJsonAsync("/widget/v1/conversations", body)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"{r.StatusCode}"));
        Assert.Single((await visitor.Http.GetJsonAsync("/widget/v1/conversations")).EnumerateArray());
    }

    [Fact]
    public async Task SendMessage_ManyConcurrentSenders_SequencesAreUniqueAndGapFree()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Start");

        var sends = Enumerable.Range(0, 20).Select(i => i % 2 == 0
            ? visitor.SendAsync(conversationId, $"visitor {i}")
            : owner.ReplyAsync(conversationId, $"agent {i}"));
        var responses = await Task.WhenAll(sends);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var thread = await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages?limit=200");
        Assert.Equal(Enumerable.Range(1, 21).Select(i => (long)i), thread.EnumerateArray().Select(m => m.SequenceOf()));
    }

    [Fact]
    public async Task SendMessage_BurstMixingGoodForeignAndResentMessages_EachSenderGetsItsOwnAnswer()
    {
        // Messages that arrive together are stored together: a sender with a foreign conversation or a
        // resend in the same burst must neither fail the others nor be stored by mistake.
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var alice = await TestVisitor.StartAsync(Factory, inboxToken);
        using var mallory = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await alice.StartConversationAsync("Start");
        var resentId = TestVisitor.NewClientId();

        var sends = Enumerable.Range(0, 24).Select(i => (i % 4) switch
        {
            0 => mallory.SendAsync(conversationId, $"intruder {i}"),
            1 => alice.SendAsync(conversationId, "resent", resentId),
            2 => alice.SendAsync(conversationId, $"alice {i}"),
            _ => owner.ReplyAsync(conversationId, $"agent {i}"),
        }).ToList();
        var responses = await Task.WhenAll(sends);

        Assert.All(responses.Where((_, i) => i % 4 == 0), r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        Assert.Single(responses.Where((_, i) => i % 4 == 1), r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where((_, i) => i % 4 == 1), r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"{r.StatusCode}"));
        Assert.All(responses.Where((_, i) => i % 4 >= 2), r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var thread = (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages?limit=200")).EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, 1 + 1 + 12).Select(i => (long)i), thread.Select(m => m.SequenceOf()));
        Assert.DoesNotContain(thread, m => m.Text("text")!.StartsWith("intruder", StringComparison.Ordinal));
        Assert.Single(thread, m => m.Text("text") == "resent");
    }

    [Fact]
    public async Task LiveEvents_ConcurrentSendersInOneConversation_ArriveInSequenceOrder()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        await using var agentHub = await HubRecorder.AgentAsync(Factory, workspace.OwnerToken);
        await using var visitorHub = await HubRecorder.VisitorAsync(Factory, visitor.Token);
        var (conversationId, _) = await visitor.StartConversationAsync("Start");

        await Task.WhenAll(Enumerable.Range(0, 30).Select(i => i % 2 == 0
            ? visitor.SendAsync(conversationId, $"visitor {i}")
            : owner.ReplyAsync(conversationId, $"agent {i}")));

        await agentHub.WaitForAsync("MessageCreated", m => m.SequenceOf() == 31, "the agent hub has every message");
        await visitorHub.WaitForAsync("MessageCreated", m => m.SequenceOf() == 31, "the visitor hub has every message");
        var agentOrder = agentHub.All("MessageCreated").Where(m => m.ConversationIdOf() == conversationId).Select(m => m.SequenceOf()).ToList();
        var visitorOrder = visitorHub.All("MessageCreated").Select(m => m.SequenceOf()).ToList();
        Assert.Equal(Enumerable.Range(1, 31).Select(i => (long)i), agentOrder);
        Assert.Equal(Enumerable.Range(1, 31).Select(i => (long)i), visitorOrder);
    }

    [Fact]
    public async Task Reconnect_AfterMissedMessages_AskingAfterLastSequenceFillsTheGapExactly()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, first) = await visitor.StartConversationAsync("Are you there?");
        var lastSeen = first.SequenceOf();

        // The visitor is offline (no hub connection) while the agent writes.
        foreach (var text in new[] { "Yes!", "One moment", "Found it" })
        {
            await owner.ReplyAsync(conversationId, text).ExpectAsync(HttpStatusCode.Created);
        }

        var missed = await visitor.MessagesAsync(conversationId, after: lastSeen);
        Assert.Equal(["Yes!", "One moment", "Found it"], missed.Select(m => m.Text("text")));
        Assert.Empty(await visitor.MessagesAsync(conversationId, after: missed[^1].SequenceOf()));
    }

    [Fact]
    public async Task VisitorMessage_AfterResolve_ReopensTheConversation()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        await using var visitorHub = await HubRecorder.VisitorAsync(Factory, visitor.Token);
        var (conversationId, _) = await visitor.StartConversationAsync("Thanks!");

        var resolved = await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Resolved", resolved.Text("status"));
        await visitorHub.WaitForAsync("ConversationUpdated", c => c.Text("status") == "resolved", "the widget hears it was resolved");

        await visitor.SendAsync(conversationId, "Actually, one more thing").ExpectAsync(HttpStatusCode.Created);

        var reopened = await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}");
        Assert.Equal("Open", reopened.Text("status"));
        Assert.Null(reopened.GetProperty("resolvedAt").GetString());
    }

    [Fact]
    public async Task Snooze_TimeComes_ConversationReopensWithAnActivity()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Call me back tomorrow");

        var snoozed = await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/status",
            new { status = "Snoozed", snoozedUntil = DateTime.UtcNow.AddSeconds(2) }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Snoozed", snoozed.Text("status"));

        await Hosting.Eventually.WaitUntilAsync(
            async () => (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).Text("status") == "Open",
            "the snoozed conversation reopens");
        var last = (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages")).EnumerateArray().Last();
        Assert.Equal("Activity", last.Text("kind"));
        Assert.Contains("snooze ended", last.Text("text"), StringComparison.Ordinal);
        Assert.Null((await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).GetProperty("snoozedUntil").GetString());
    }

    [Fact]
    public async Task Typing_BothWays_ReachesTheOtherSide()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        await using var visitorHub = await HubRecorder.VisitorAsync(Factory, visitor.Token);
        await using var agentHub = await HubRecorder.AgentAsync(Factory, workspace.OwnerToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Hi", new { name = "Ada" });

        await visitorHub.Connection.InvokeAsync("Typing", conversationId, true, Ct);
        await agentHub.Connection.InvokeAsync("Typing", conversationId, true, Ct);

        var visitorTyping = await agentHub.WaitForAsync("Typing", t => t.Text("who") == "contact", "the agent sees the visitor typing");
        Assert.Equal("Ada", visitorTyping.Text("name"));
        var agentTyping = await visitorHub.WaitForAsync("Typing", t => t.GetProperty("isTyping").GetBoolean(), "the visitor sees the agent typing");
        Assert.Equal("Olivia Owner", agentTyping.Text("name"));
        Assert.Equal(conversationId, agentTyping.GetProperty("conversationId").GetGuid());
    }

    [Fact]
    public async Task Read_AgentReadsThread_VisitorSeesItSeen()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        await using var visitorHub = await HubRecorder.VisitorAsync(Factory, visitor.Token);
        var (conversationId, first) = await visitor.StartConversationAsync("Hello?");
        Assert.Equal(1, (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).GetProperty("unread").GetInt64());

        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/read", new { sequence = first.SequenceOf() }).ExpectAsync(HttpStatusCode.NoContent);

        var seen = await visitorHub.WaitForAsync("Read", r => r.GetProperty("conversationId").GetGuid() == conversationId, "the visitor sees the message read");
        Assert.Equal(1, seen.GetProperty("sequence").GetInt64());
        Assert.Equal(0, (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).GetProperty("unread").GetInt64());
    }

    [Fact]
    public async Task VisitorSession_TokenStillGood_SameVisitorFindsTheirConversations()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var (_, otherInboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner, "Other site");
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Remember me?");

        using var returning = await TestVisitor.StartAsync(Factory, inboxToken, visitor.Token);
        using var elsewhere = await TestVisitor.StartAsync(Factory, otherInboxToken, visitor.Token);

        Assert.Equal(visitor.Id, returning.Id);
        Assert.Equal(conversationId, Assert.Single((await returning.Http.GetJsonAsync("/widget/v1/conversations")).EnumerateArray()).IdOf());
        Assert.NotEqual(visitor.Id, elsewhere.Id);
        Assert.Empty((await elsewhere.Http.GetJsonAsync("/widget/v1/conversations")).EnumerateArray());
    }

    [Fact]
    public async Task WidgetConfig_AgentsAvailableOnlyWhileAnAgentIsConnected()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var anyone = Factory.CreateClient();

        var before = await anyone.GetJsonAsync($"/widget/v1/inboxes/{inboxToken}");
        Assert.False(before.GetProperty("agentsAvailable").GetBoolean());
        Assert.Equal("#1F6FEB", before.Text("color"));

        await using (await HubRecorder.AgentAsync(Factory, workspace.OwnerToken))
        {
            await Hosting.Eventually.WaitUntilAsync(
                async () => (await anyone.GetJsonAsync($"/widget/v1/inboxes/{inboxToken}")).GetProperty("agentsAvailable").GetBoolean(),
                "the connected agent makes chat available");
        }

        await Hosting.Eventually.WaitUntilAsync(
            async () => !(await anyone.GetJsonAsync($"/widget/v1/inboxes/{inboxToken}")).GetProperty("agentsAvailable").GetBoolean(),
            "the agent's disconnect is noticed");
        await anyone.GetAsync("/widget/v1/inboxes/inb_unknown", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task OfflineMessage_NoAgentAvailable_BecomesPendingConversationWithTheEmail()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);

        await visitor.Http.PostJsonAsync("/widget/v1/offline-messages", new { clientId = TestVisitor.NewClientId(), name = "Grace", text = "Call me back" })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "email");
        var started = await visitor.Http.PostJsonAsync("/widget/v1/offline-messages",
            new { clientId = TestVisitor.NewClientId(), name = "Grace", email = "grace@example.com", text = "Call me back" }).ExpectAsync(HttpStatusCode.Created);

        var conversation = await owner.GetJsonAsync($"/api/v1/conversations/{started.GetProperty("conversation").IdOf()}");
        Assert.Equal("Pending", conversation.Text("status"));
        Assert.Equal("OfflineForm", conversation.Text("origin"));
        Assert.Equal("grace@example.com", conversation.GetProperty("contact").Text("email"));
    }

    [Theory]
    [InlineData("{\"text\": \"Hi\"}", "clientId")]
    [InlineData("{\"clientId\": \"short\", \"text\": \"Hi\"}", "clientId")]
    [InlineData("{\"clientId\": \"abcdefgh<script>\", \"text\": \"Hi\"}", "clientId")]
    [InlineData("{\"clientId\": \"abcdefghij\", \"text\": \"   \"}", "text")]
    [InlineData("{\"clientId\": \"abcdefghij\", \"text\": \"Hi\", \"fields\": {\"email\": \"not-an-email\"}}", "fields.email")]
    public async Task StartConversation_BadInput_Returns400NamingTheFieldAndStoresNothing(string body, string field)
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);

        await visitor.Http.SendRawAsync(HttpMethod.Post, "/widget/v1/conversations", body).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, field);

        Assert.Empty((await visitor.Http.GetJsonAsync("/widget/v1/conversations")).EnumerateArray());
        Assert.Empty((await owner.GetJsonAsync("/api/v1/conversations")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task ConversationList_Views_FilterByAssigneeAndCountOpenOnes()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (agentId, _, agent) = await NewAgentAsync(workspace.WorkspaceId, Server.Features.Agents.AgentRole.Agent);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (mine, _) = await visitor.StartConversationAsync("For the agent");
        var (theirs, _) = await visitor.StartConversationAsync("Unassigned one");

        await owner.PostJsonAsync($"/api/v1/conversations/{mine}/assignment", new { assigneeId = agentId }).ExpectAsync(HttpStatusCode.OK);

        var agentsMine = await agent.GetJsonAsync("/api/v1/conversations?view=Mine");
        Assert.Equal(mine, Assert.Single(agentsMine.GetProperty("items").EnumerateArray()).IdOf());
        var unassigned = await agent.GetJsonAsync("/api/v1/conversations?view=Unassigned");
        Assert.Equal(theirs, Assert.Single(unassigned.GetProperty("items").EnumerateArray()).IdOf());
        var counts = agentsMine.GetProperty("counts");
        Assert.Equal((1, 1, 2), (counts.GetProperty("mine").GetInt32(), counts.GetProperty("unassigned").GetInt32(), counts.GetProperty("all").GetInt32()));
        var activity = (await owner.GetJsonAsync($"/api/v1/conversations/{mine}/messages")).EnumerateArray().Last();
        Assert.Equal("Activity", activity.Text("kind"));
        Assert.Contains("assigned the conversation to Agent Person", activity.Text("text"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConversationList_StatusInboxTeamAndPriorityFilters_EachFindOnlyItsConversations()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (shopInbox, shopToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var (_, helpToken) = await ChatSetup.CreateWidgetInboxAsync(owner, "Help center");
        var team = (await owner.PostJsonAsync("/api/v1/teams", new { name = "Billing" }).ExpectAsync(HttpStatusCode.Created)).IdOf();
        using var shopper = await TestVisitor.StartAsync(Factory, shopToken);
        using var reader = await TestVisitor.StartAsync(Factory, helpToken);
        var (inShop, _) = await shopper.StartConversationAsync("Shop question");
        var (resolved, _) = await shopper.StartConversationAsync("Answered already");
        var (inHelp, _) = await reader.StartConversationAsync("Help center question");
        await owner.PostJsonAsync($"/api/v1/conversations/{resolved}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);
        await owner.PostJsonAsync($"/api/v1/conversations/{inHelp}/assignment", new { assigneeId = (Guid?)null, teamId = team }).ExpectAsync(HttpStatusCode.OK);
        await owner.PostJsonAsync($"/api/v1/conversations/{inShop}/priority", new { priority = "High" }).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal([resolved], await IdsAsync("status=Resolved"));
        Assert.Equal([inShop, inHelp], (await IdsAsync("status=Open")).Order());
        Assert.Equal([inShop], await IdsAsync($"status=Open&inboxId={shopInbox}"));
        Assert.Equal([inHelp], await IdsAsync($"teamId={team}"));
        Assert.Equal([inShop], await IdsAsync("priority=High"));
        // Oldest waiting first: the conversation whose contact has waited longest leads.
        Assert.Equal([inShop, inHelp], await IdsAsync("status=Open&sort=OldestWaiting"));

        async Task<List<Guid>> IdsAsync(string query) =>
            [.. (await owner.GetJsonAsync($"/api/v1/conversations?{query}")).GetProperty("items").EnumerateArray().Select(c => c.IdOf())];
    }

    [Fact]
    public async Task ConversationList_SearchAndLabel_FindTheRightConversation()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var grace = await TestVisitor.StartAsync(Factory, inboxToken);
        using var alan = await TestVisitor.StartAsync(Factory, inboxToken);
        var (invoice, _) = await grace.StartConversationAsync("My INVOICE is wrong", new { name = "Grace Hopper" });
        var (login, _) = await alan.StartConversationAsync("I cannot log in", new { name = "Alan Turing" });
        await owner.PutJsonAsync($"/api/v1/conversations/{login}/labels", new { labels = new List<string> { "Bug", "login" } }).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(invoice, Single(await owner.GetJsonAsync("/api/v1/conversations?search=invoice")));
        Assert.Equal(login, Single(await owner.GetJsonAsync("/api/v1/conversations?search=turing")));
        Assert.Equal(login, Single(await owner.GetJsonAsync("/api/v1/conversations?label=bug")));

        static Guid Single(JsonElement list) => Assert.Single(list.GetProperty("items").EnumerateArray()).IdOf();
    }

    [Fact]
    public async Task ConversationAttributes_Replaced_AreReturnedAndRecordedAsActivity()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (id, _) = await visitor.StartConversationAsync("Where is my parcel?");

        var first = await owner.PutJsonAsync($"/api/v1/conversations/{id}/attributes", new { attributes = new { orderNumber = "4711", topic = "delivery" } })
            .ExpectAsync(HttpStatusCode.OK);
        await owner.PutJsonAsync($"/api/v1/conversations/{id}/attributes", new { attributes = new { orderNumber = " 4712 " } }).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("delivery", first.GetProperty("attributes").Text("topic"));
        var attributes = (await owner.GetJsonAsync($"/api/v1/conversations/{id}")).GetProperty("attributes");
        Assert.Equal(["orderNumber"], attributes.EnumerateObject().Select(a => a.Name));
        Assert.Equal("4712", attributes.Text("orderNumber"));
        var activity = (await owner.GetJsonAsync($"/api/v1/conversations/{id}/messages")).EnumerateArray().Last();
        Assert.Equal("Activity", activity.Text("kind"));
        Assert.EndsWith("set orderNumber to 4712 and removed topic", activity.Text("text"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConversationAttributes_BadInput_AnswerFieldErrorsAndChangeNothing()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, stranger) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (id, _) = await visitor.StartConversationAsync("Where is my parcel?");
        var path = $"/api/v1/conversations/{id}/attributes";
        await owner.PutJsonAsync(path, new { attributes = new { orderNumber = "4711" } }).ExpectAsync(HttpStatusCode.OK);

        var tooLong = await owner.PutJsonAsync(path, new { attributes = new { orderNumber = "4712", note = new string('x', 501) } }).ExpectAsync(HttpStatusCode.BadRequest);
        var missing = await owner.PutJsonAsync(path, new { }).ExpectAsync(HttpStatusCode.BadRequest);
        await stranger.PutJsonAsync(path, new { attributes = new { orderNumber = "1" } }).ExpectAsync(HttpStatusCode.NotFound);

        Assert.True(tooLong.GetProperty("errors").TryGetProperty("attributes.note", out _));
        Assert.True(missing.GetProperty("errors").TryGetProperty("attributes", out _));
        var attributes = (await owner.GetJsonAsync($"/api/v1/conversations/{id}")).GetProperty("attributes");
        Assert.Equal("4711", Assert.Single(attributes.EnumerateObject()).Value.GetString());
    }

    [Fact]
    public async Task ConversationList_SortedByPriority_UrgentFirstThenHighMediumLowNone()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var ids = new Dictionary<string, Guid>();
        foreach (var priority in new[] { "Low", "Urgent", "None", "Medium", "High" })
        {
            var (id, _) = await visitor.StartConversationAsync($"{priority} question");
            await owner.PostJsonAsync($"/api/v1/conversations/{id}/priority", new { priority }).ExpectAsync(HttpStatusCode.OK);
            ids[priority] = id;
        }

        var sorted = await owner.GetJsonAsync("/api/v1/conversations?sort=Priority");

        string[] expected = ["Urgent", "High", "Medium", "Low", "None"];
        Assert.Equal(expected.Select(p => ids[p]), sorted.GetProperty("items").EnumerateArray().Select(c => c.IdOf()));
    }

    // An inbox with no allowed origins (the default) is open to every site; see the refused cases below.
    [Fact]
    public async Task WidgetApi_CalledFromAnotherOrigin_AllowedByCorsWithoutCredentials()
    {
        using var client = Factory.CreateClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/widget/v1/sessions");
        preflight.Headers.Add("Origin", "https://shop.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type,authorization");

        using var response = await client.SendAsync(preflight, Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task WidgetApi_OriginNotOnTheInboxList_RefusedWith403AndStartsNoSession()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await owner.AllowOriginsAsync(inboxId, "https://shop.example");
        using var client = Factory.CreateClient();

        var config = await SendFromAsync(client, "https://elsewhere.example", HttpMethod.Get, $"/widget/v1/inboxes/{inboxToken}").ExpectProblemAsync(HttpStatusCode.Forbidden);
        await SendFromAsync(client, "https://elsewhere.example", HttpMethod.Post, "/widget/v1/sessions", new { inboxToken }).ExpectProblemAsync(HttpStatusCode.Forbidden);

        Assert.Contains("allowed origins", config.Text("detail"), StringComparison.Ordinal);
        Assert.Equal(0, await ContactCountAsync(workspace.WorkspaceId));
        // The listed site, and a call with no Origin at all (not a browser), are taken.
        await SendFromAsync(client, "https://shop.example", HttpMethod.Get, $"/widget/v1/inboxes/{inboxToken}").ExpectAsync(HttpStatusCode.OK);
        await SendFromAsync(client, "https://shop.example", HttpMethod.Post, "/widget/v1/sessions", new { inboxToken }).ExpectAsync(HttpStatusCode.OK);
        await SendFromAsync(client, null, HttpMethod.Get, $"/widget/v1/inboxes/{inboxToken}").ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task WidgetApi_VisitorTokenUsedFromAnotherOrigin_RefusedAndStoresNothing()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Hello");
        await owner.AllowOriginsAsync(inboxId, "https://shop.example");
        var message = new { clientId = TestVisitor.NewClientId(), text = "Sent from a page of another site" };

        await SendFromAsync(visitor.Http, "https://elsewhere.example", HttpMethod.Post, $"/widget/v1/conversations/{conversationId}/messages", message)
            .ExpectProblemAsync(HttpStatusCode.Forbidden);

        Assert.Single(await visitor.MessagesAsync(conversationId));
        // The chat frame is served by Porchlight itself: its calls carry Porchlight's own origin and are taken.
        await SendFromAsync(visitor.Http, "http://localhost", HttpMethod.Post, $"/widget/v1/conversations/{conversationId}/messages", message)
            .ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task VisitorHub_NegotiateFromAnotherOrigin_RefusedWith403()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        await owner.AllowOriginsAsync(inboxId, "https://shop.example");

        await SendFromAsync(visitor.Http, "https://elsewhere.example", HttpMethod.Post, "/hubs/visitor/negotiate?negotiateVersion=1").ExpectProblemAsync(HttpStatusCode.Forbidden);
        await SendFromAsync(visitor.Http, "https://shop.example", HttpMethod.Post, "/hubs/visitor/negotiate?negotiateVersion=1").ExpectAsync(HttpStatusCode.OK);
    }

    private static Task<HttpResponseMessage> SendFromAsync(HttpClient client, string? origin, HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : System.Net.Http.Json.JsonContent.Create(body) };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        return client.SendAsync(request, Ct);
    }

    private async Task<int> ContactCountAsync(Guid workspaceId)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().Contacts.IgnoreQueryFilters().CountAsync(c => c.WorkspaceId == workspaceId, Ct);
    }
}

public sealed class LiveChatSqliteTests(SqliteApiFixture fixture) : LiveChatTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class LiveChatPostgresTests(PostgresApiFixture fixture) : LiveChatTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
