using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Assistant;
using Porchlight.Server.Features.Webhooks;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Features.Webhooks;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Assistant;

/// <summary>
/// The assistant as a participant in real conversations: it answers through the widget, collects and validates,
/// offers articles, resolves what they solve and hands the rest to routing with a summary note; routing waits for it,
/// a conversation keeps the flow version it started with, and an agent who steps in ends its part.
/// </summary>
public abstract class AssistantConversationTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    private static readonly object[] CollectThenArticles =
    [
        new { id = "greeting", type = "message", text = "Hi! I'm the Acme assistant.", next = "email" },
        new { id = "email", type = "question", text = "What's your email address?", field = "email", validation = "email", next = "articles" },
        new { id = "articles", type = "suggestArticles", text = "These might help:" },
    ];

    [Fact]
    public async Task Visitor_ThroughTheFlowArticlesDidNotHelp_LandsWithAnAgentWithTheSummaryNote()
    {
        var desk = await NewDeskAsync();
        await PublishArticleAsync(desk.Owner, "Track your parcel", "Every order has a tracking link in the shipping email.");
        await SaveFlowAsync(desk.Owner, desk.InboxId, CollectThenArticles);
        await using var agentOnline = await HubRecorder.AgentAsync(Factory, desk.AgentToken);
        using var visitor = await TestVisitor.StartAsync(Factory, desk.InboxToken);

        var (conversationId, _) = await visitor.StartConversationAsync("Where is my parcel? I ordered a tent last week");
        var asked = await WaitForVisitorMessagesAsync(visitor, conversationId, 3);
        var routedBeforeHandover = await desk.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}");
        (await visitor.SendAsync(conversationId, "jo at example")).EnsureSuccessStatusCode();
        await WaitForVisitorMessagesAsync(visitor, conversationId, 5);
        (await visitor.SendAsync(conversationId, "jo@example.com")).EnsureSuccessStatusCode();
        var offered = await WaitForVisitorMessagesAsync(visitor, conversationId, 8);
        (await visitor.SendAsync(conversationId, "No")).EnsureSuccessStatusCode();
        await Eventually.WaitUntilAsync(async () => await AssigneeAsync(desk.Owner, conversationId) == desk.AgentId, "the agent was assigned after the handover");

        Assert.Equal(["Hi! I'm the Acme assistant.", "What's your email address?"], asked.Skip(1).Select(m => m.Text("text")));
        Assert.Equal("Assistant", asked[1].GetProperty("author").Text("name"));
        Assert.Equal(JsonValueKind.Null, routedBeforeHandover.GetProperty("teamId").ValueKind);
        Assert.Contains("Track your parcel", offered[^2].Text("text"), StringComparison.Ordinal);
        Assert.Equal([FlowRun.YesReply, FlowRun.NoReply, FlowRun.PersonReply], offered[^1].GetProperty("quickReplies").EnumerateArray().Select(r => r.GetString()));
        var messages = await MessagesAsync(desk.Owner, conversationId);
        var note = messages.Single(m => m.Text("kind") == "Note").Text("text")!;
        Assert.Contains("the articles offered did not solve it", note, StringComparison.Ordinal);
        Assert.Contains("- email: jo@example.com", note, StringComparison.Ordinal);
        Assert.Contains("- Track your parcel", note, StringComparison.Ordinal);
        Assert.Contains("- “Where is my parcel? I ordered a tent last week”", note, StringComparison.Ordinal);
        Assert.Contains(messages, m => m.Text("kind") == "Activity" && m.Text("text") == "The assistant handed over: the articles offered did not solve it");
        var conversation = await desk.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}");
        Assert.Equal(("jo@example.com", desk.TeamId), (conversation.GetProperty("contact").Text("email"), conversation.GetProperty("teamId").GetGuid()));
        var session = await desk.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/assistant");
        Assert.Equal(("HandedOver", false, 1), (session.Text("outcome"), session.GetProperty("articlesHelped").GetBoolean(), session.GetProperty("flowVersion").GetInt32()));
    }

    [Fact]
    public async Task Visitor_ArticleSolvedIt_ConversationResolvedAsContainedAndNeverQueued()
    {
        var desk = await NewDeskAsync();
        using var visitor = await TestVisitor.StartAsync(Factory, desk.InboxToken);

        var conversationId = await ContainedConversationAsync(desk, visitor);

        var session = await desk.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/assistant");
        Assert.Equal(("Contained", true), (session.Text("outcome"), session.GetProperty("articlesHelped").GetBoolean()));
        Assert.Equal(JsonValueKind.Null, (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).GetProperty("teamId").ValueKind);
        Assert.Empty((await desk.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/routing")).EnumerateArray());
    }

    [Fact]
    public async Task Flow_EditedWhileAConversationWaitsInIt_TheConversationFinishesTheVersionItStarted()
    {
        var desk = await NewDeskAsync();
        await SaveFlowAsync(desk.Owner, desk.InboxId,
        [
            new { id = "size", type = "question", text = "Which size?", field = "size", next = "thanks" },
            new { id = "thanks", type = "end", text = "Thanks, version one." },
        ]);
        using var visitor = await TestVisitor.StartAsync(Factory, desk.InboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("I need a jacket");
        await WaitForVisitorMessagesAsync(visitor, conversationId, 2);

        var saved = await SaveFlowAsync(desk.Owner, desk.InboxId, [new { id = "other", type = "end", text = "Version two." }]);
        (await visitor.SendAsync(conversationId, "XL")).EnsureSuccessStatusCode();
        var messages = await WaitForVisitorMessagesAsync(visitor, conversationId, 4);
        using var second = await TestVisitor.StartAsync(Factory, desk.InboxToken);
        var (secondId, _) = await second.StartConversationAsync("Hello");
        var secondMessages = await WaitForVisitorMessagesAsync(second, secondId, 2);

        Assert.Equal(2, saved.GetProperty("version").GetInt32());
        Assert.Equal("Thanks, version one.", messages[^1].Text("text"));
        Assert.Equal("XL", (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/assistant")).GetProperty("fields").Text("size"));
        Assert.Equal("Version two.", secondMessages[^1].Text("text"));
        var versions = (await desk.Owner.GetJsonAsync($"/api/v1/inboxes/{desk.InboxId}/assistant/versions")).EnumerateArray().Select(v => v.GetProperty("number").GetInt32());
        Assert.Equal([2, 1], versions);
    }

    [Fact]
    public async Task Agent_AssignedWhileABotAttends_TheBotIsRefusedAndTheWaitForThePersonStarts()
    {
        var (desk, receiver, _) = await NewBotDeskAsync();
        await using var bot = receiver;
        await using var agentOnline = await HubRecorder.AgentAsync(Factory, desk.AgentToken);
        using var visitor = await TestVisitor.StartAsync(Factory, desk.InboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Hello, I need help with an invoice");
        await receiver.WaitForAsync(1, "the bot got the opening message");

        await desk.Owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/assignment", new { assigneeId = desk.AgentId }).ExpectAsync(HttpStatusCode.OK);

        await Eventually.WaitUntilAsync(async () => (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/assistant")).Text("outcome") == "TakenOver",
            "the assistant stepped back without the visitor writing");
        await desk.Owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/assistant/resolve", new { }).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains(await MessagesAsync(desk.Owner, conversationId), m => m.Text("kind") == "Activity" && m.Text("text") == AnswerAsAssistant.StepBackActivity);
    }

    [Fact]
    public async Task Contained_VisitorWritesAgain_GoesToTheTeamLikeANewConversation()
    {
        var desk = await NewDeskAsync();
        using var visitor = await TestVisitor.StartAsync(Factory, desk.InboxToken);
        var conversationId = await ContainedConversationAsync(desk, visitor);

        (await visitor.SendAsync(conversationId, "Actually, the link never arrives")).EnsureSuccessStatusCode();

        await Eventually.WaitUntilAsync(async () => (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).GetProperty("teamId") is { ValueKind: JsonValueKind.String },
            "the reopened conversation joined the team's queue");
        Assert.Equal("Open", (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).Text("status"));
    }

    [Fact]
    public async Task Handover_EmailAskedForButNeverGiven_GoesAheadAfterItsPatience()
    {
        var desk = await NewDeskAsync();
        await desk.Owner.PutJsonAsync("/api/v1/workspace", new { name = "Acme", timeZone = "UTC", businessHours = Array.Empty<object>() }).ExpectAsync(HttpStatusCode.OK);
        await SaveFlowAsync(desk.Owner, desk.InboxId, [new { id = "handover", type = "handover" }]);
        using var visitor = await TestVisitor.StartAsync(Factory, desk.InboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Can someone call me back?");
        await WaitForVisitorMessagesAsync(visitor, conversationId, 3);

        var tooSoon = await Factory.Services.GetRequiredService<AssistantTimeouts>().HandOverStalledAsync(DateTime.UtcNow, Ct);
        var later = await Factory.Services.GetRequiredService<AssistantTimeouts>()
            .HandOverStalledAsync(DateTime.UtcNow + AssistantTimeouts.DefaultEmailPatience + TimeSpan.FromSeconds(5), Ct);
        await Eventually.WaitUntilAsync(async () => (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).GetProperty("teamId") is { ValueKind: JsonValueKind.String },
            "the conversation was queued");

        Assert.Equal((0, 1), (tooSoon, later));
        Assert.Equal("the visitor asked for a person; the visitor left no email address",
            (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/assistant")).Text("handoverReason"));
    }

    [Fact]
    public async Task Agent_RepliesWhileTheAssistantWaits_TheAssistantStepsBack()
    {
        var desk = await NewDeskAsync();
        await SaveFlowAsync(desk.Owner, desk.InboxId,
        [
            new { id = "order", type = "question", text = "Your order number?", field = "order", validation = "number", next = "bye" },
            new { id = "bye", type = "end", text = "Bye." },
        ]);
        using var visitor = await TestVisitor.StartAsync(Factory, desk.InboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("My order is late");
        await WaitForVisitorMessagesAsync(visitor, conversationId, 2);

        await desk.Owner.ReplyAsync(conversationId, "Hi, I'm Sam, let me look at this.").ExpectAsync(HttpStatusCode.Created);
        (await visitor.SendAsync(conversationId, "12345")).EnsureSuccessStatusCode();

        await Eventually.WaitUntilAsync(async () => (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/assistant")).Text("outcome") == "TakenOver",
            "the assistant stepped back");
        var visible = await visitor.MessagesAsync(conversationId);
        Assert.Equal("12345", visible[^1].Text("text"));
        Assert.DoesNotContain(visible, m => m.Text("text") == "Bye.");
    }

    [Fact]
    public async Task Intent_Recognised_BecomesLabelAndAttributeAndARoutingRuleSendsItToItsTeam()
    {
        var desk = await NewDeskAsync();
        foreach (var intent in new[] { "order-status", "returns", "password" })
        {
            await desk.Owner.PostJsonAsync("/api/v1/assistant/intents", new { name = intent, examples = DemoIntents.Load().Training.Where(e => e.Intent == intent).Select(e => e.Text) })
                .ExpectAsync(HttpStatusCode.Created);
        }

        await Factory.Services.GetRequiredService<IntentTraining>().TrainChangedAsync(Ct);
        var returnsTeam = await desk.Owner.PostJsonAsync("/api/v1/teams", new { name = Unique("Returns") }).ExpectAsync(HttpStatusCode.Created);
        await desk.Owner.PostJsonAsync($"/api/v1/inboxes/{desk.InboxId}/routing-rules", new
        {
            name = "Returns by intent", conditions = new[] { new { field = "intent", @operator = "equals", value = "returns" } }, teamId = returnsTeam.IdOf(),
        }).ExpectAsync(HttpStatusCode.Created);
        await SaveFlowAsync(desk.Owner, desk.InboxId, [new { id = "intent", type = "identifyIntent", threshold = 0.4, next = "handover" }, new { id = "handover", type = "handover" }]);
        await using var agentOnline = await HubRecorder.AgentAsync(Factory, desk.AgentToken);
        using var visitor = await TestVisitor.StartAsync(Factory, desk.InboxToken);

        var (conversationId, _) = await visitor.StartConversationAsync("I want to send these boots back and get a refund");
        await Eventually.WaitUntilAsync(async () => (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).GetProperty("teamId") is { ValueKind: JsonValueKind.String },
            "the conversation was routed");

        var conversation = await desk.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}");
        Assert.Equal(returnsTeam.IdOf(), conversation.GetProperty("teamId").GetGuid());
        Assert.Contains("returns", conversation.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal("returns", conversation.GetProperty("attributes").Text("intent"));
        Assert.Contains("**Intent**: returns", (await MessagesAsync(desk.Owner, conversationId)).Single(m => m.Text("kind") == "Note").Text("text"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handover_OutsideBusinessHours_SaysSoAndAsksForAnEmailBeforeQueueing()
    {
        var desk = await NewDeskAsync();
        await desk.Owner.PutJsonAsync("/api/v1/workspace", new { name = "Acme", timeZone = "UTC", businessHours = Array.Empty<object>() }).ExpectAsync(HttpStatusCode.OK);
        await SaveFlowAsync(desk.Owner, desk.InboxId, [new { id = "handover", type = "handover" }]);
        using var visitor = await TestVisitor.StartAsync(Factory, desk.InboxToken);

        var (conversationId, _) = await visitor.StartConversationAsync("Can someone call me back?");
        var asked = await WaitForVisitorMessagesAsync(visitor, conversationId, 3);
        (await visitor.SendAsync(conversationId, "sam@example.com")).EnsureSuccessStatusCode();
        await Eventually.WaitUntilAsync(async () => (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).GetProperty("teamId") is { ValueKind: JsonValueKind.String },
            "the conversation was queued");

        Assert.StartsWith("We're outside our business hours right now", asked[1].Text("text"), StringComparison.Ordinal);
        Assert.Equal("What email address can we reach you at?", asked[2].Text("text"));
        Assert.Equal("sam@example.com", (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).GetProperty("contact").Text("email"));
    }

    [Fact]
    public async Task Sla_WhileTheAssistantAttends_NoClockRunsAndTheFirstResponseCountsFromTheHandover()
    {
        var desk = await NewDeskAsync();
        await desk.Owner.PostJsonAsync("/api/v1/sla/policies", new { name = "Chat promise", firstResponseMinutes = 5, resolutionMinutes = 60 })
            .ExpectAsync(HttpStatusCode.Created);
        await SaveFlowAsync(desk.Owner, desk.InboxId,
        [
            new { id = "order", type = "question", text = "Your order number?", field = "order", validation = "number", next = "handover" },
            new { id = "handover", type = "handover" },
        ]);
        await using var agentOnline = await HubRecorder.AgentAsync(Factory, desk.AgentToken);
        using var visitor = await TestVisitor.StartAsync(Factory, desk.InboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("My order is late");
        await WaitForVisitorMessagesAsync(visitor, conversationId, 2);
        var whileAttended = await desk.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/sla");

        (await visitor.SendAsync(conversationId, "10482")).EnsureSuccessStatusCode();
        await Eventually.WaitUntilAsync(async () => (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/sla")).GetArrayLength() == 2,
            "the clocks started at the handover");

        Assert.Empty(whileAttended.EnumerateArray());
        var handedOverAt = (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/assistant")).GetProperty("endedAt").GetDateTime();
        var clocks = (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/sla")).EnumerateArray().ToDictionary(c => c.Text("metric")!);
        Assert.Equal(handedOverAt, clocks["FirstResponse"].GetProperty("startedAt").GetDateTime());
        Assert.Equal(handedOverAt, clocks["Resolution"].GetProperty("startedAt").GetDateTime());
    }

    [Fact]
    public async Task Flow_Invalid_RefusedWithFieldErrorsAndNothingSaved()
    {
        var desk = await NewDeskAsync();

        await desk.Owner.PutJsonAsync($"/api/v1/inboxes/{desk.InboxId}/assistant", new
        {
            isEnabled = true,
            definition = new { steps = new object[] { new { id = "a", type = "message", text = "Hi", next = "missing" } } },
        }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "steps[0].next");
        await desk.Owner.PutJsonAsync($"/api/v1/inboxes/{desk.InboxId}/assistant", new
        {
            isEnabled = true,
            definition = new { steps = new object[] { new { id = "q", type = "question", text = "Code?", field = "code", validation = "pattern", pattern = "([a-z" } } },
        }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "steps[0].pattern");

        var flow = await desk.Owner.GetJsonAsync($"/api/v1/inboxes/{desk.InboxId}/assistant");
        Assert.Equal((0, false), (flow.GetProperty("version").GetInt32(), flow.GetProperty("isEnabled").GetBoolean()));
        Assert.Equal(AssistantFlows.Starter.Steps.Count, flow.GetProperty("definition").GetProperty("steps").GetArrayLength());
    }

    [Fact]
    public async Task Preview_ATurnAtATime_RunsTheUnsavedFlowAndStoresNothing()
    {
        var desk = await NewDeskAsync();
        var definition = new { steps = new object[] { new { id = "name", type = "question", text = "Your name?", field = "name", next = "bye" }, new { id = "bye", type = "end", text = "Bye!" } } };

        var first = await desk.Owner.PostJsonAsync($"/api/v1/inboxes/{desk.InboxId}/assistant/preview", new { definition, text = "hello" }).ExpectAsync(HttpStatusCode.OK);
        var second = await desk.Owner.PostJsonAsync($"/api/v1/inboxes/{desk.InboxId}/assistant/preview", new { definition, state = first.GetProperty("state"), text = "Jo" })
            .ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("Your name?", first.GetProperty("replies")[0].Text("text"));
        Assert.Equal("Bye!", second.GetProperty("replies")[0].Text("text"));
        Assert.Equal(["Collects name: Jo", "Resolves the conversation"], second.GetProperty("effects").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, (await desk.Owner.GetJsonAsync($"/api/v1/inboxes/{desk.InboxId}/assistant")).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task ExternalBot_GetsSignedMessagesRepliesAndHandsOver_AgentGetsWhatItLearned()
    {
        var (desk, receiver, secret) = await NewBotDeskAsync();
        await using var bot = receiver;
        await using var agentOnline = await HubRecorder.AgentAsync(Factory, desk.AgentToken);
        using var visitor = await TestVisitor.StartAsync(Factory, desk.InboxToken);

        var (conversationId, _) = await visitor.StartConversationAsync("Do you ship to Norway?");
        var first = Assert.Single(await receiver.WaitForAsync(1, "the bot got the opening message"));
        var timestamp = long.Parse(first.Headers[WebhookSender.TimestampHeader], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("v1=" + WebhookSender.Sign(secret, timestamp, first.Body), first.Headers[WebhookSender.SignatureHeader]);
        var data = first.Json.GetProperty("data");
        Assert.Equal(("assistant.message", "Do you ship to Norway?", true), (first.Json.Text("event"), data.Text("text"), data.GetProperty("first").GetBoolean()));
        var assistantUrl = new Uri(data.Text("assistantUrl")!).PathAndQuery;
        Assert.Equal($"/api/v1/conversations/{conversationId}/assistant", assistantUrl);

        var reply = new { clientId = "bot-answer-0001", text = "We do! Norway takes 3–5 days.", quickReplies = new[] { "That's all", FlowRun.PersonReply } };
        var sent = await desk.Owner.PostJsonAsync($"{assistantUrl}/messages", reply).ExpectAsync(HttpStatusCode.Created);
        var resent = await desk.Owner.PostJsonAsync($"{assistantUrl}/messages", reply).ExpectAsync(HttpStatusCode.Created);
        var seen = await WaitForVisitorMessagesAsync(visitor, conversationId, 2);
        (await visitor.SendAsync(conversationId, "Is customs included?")).EnsureSuccessStatusCode();
        var second = (await receiver.WaitForAsync(2, "the bot got the second message"))[1].Json.GetProperty("data");
        await desk.Owner.PostJsonAsync($"{assistantUrl}/handover", new
        {
            reason = "customs questions go to people", intent = "shipping", confidence = 0.9, fields = new { country = "Norway" },
        }).ExpectAsync(HttpStatusCode.NoContent);
        await Eventually.WaitUntilAsync(async () => await AssigneeAsync(desk.Owner, conversationId) == desk.AgentId, "routing gave the conversation to the agent");

        Assert.Equal(sent.IdOf(), resent.IdOf());
        Assert.Equal(("We do! Norway takes 3–5 days.", "Assistant"), (seen[1].Text("text"), seen[1].GetProperty("author").Text("name")));
        Assert.Equal(["That's all", FlowRun.PersonReply], seen[1].GetProperty("quickReplies").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(("Is customs included?", false), (second.Text("text"), second.GetProperty("first").GetBoolean()));
        var note = (await MessagesAsync(desk.Owner, conversationId)).Single(m => m.Text("kind") == "Note").Text("text")!;
        Assert.Contains("customs questions go to people", note, StringComparison.Ordinal);
        Assert.Contains("**Intent**: shipping (90% sure)", note, StringComparison.Ordinal);
        Assert.Contains("- country: Norway", note, StringComparison.Ordinal);
        Assert.Equal("Norway", (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).GetProperty("attributes").Text("country"));
        await desk.Owner.PostJsonAsync($"{assistantUrl}/messages", new { clientId = "bot-answer-0002", text = "Too late" }).ExpectAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task ExternalBot_VisitorAsksForAPerson_PorchlightHandsOverWithoutAskingTheBot()
    {
        var (desk, receiver, _) = await NewBotDeskAsync();
        await using var bot = receiver;
        await using var agentOnline = await HubRecorder.AgentAsync(Factory, desk.AgentToken);
        using var visitor = await TestVisitor.StartAsync(Factory, desk.InboxToken);

        var (conversationId, _) = await visitor.StartConversationAsync("Hello");
        await receiver.WaitForAsync(1, "the bot got the opening message");
        (await visitor.SendAsync(conversationId, "let me talk to a human")).EnsureSuccessStatusCode();
        await Eventually.WaitUntilAsync(async () => await AssigneeAsync(desk.Owner, conversationId) == desk.AgentId, "Porchlight handed over");

        Assert.Single(receiver.Received);
        var session = await desk.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/assistant");
        Assert.Equal(("HandedOver", "the visitor asked for a person"), (session.Text("outcome"), session.Text("handoverReason")));
        await desk.Owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/assistant/resolve", new { }).ExpectAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task ExternalBot_SilentPastItsPatience_PorchlightHandsOverWhileAnAnsweredChatStays()
    {
        var (desk, receiver, _) = await NewBotDeskAsync();
        await using var bot = receiver;
        await using var agentOnline = await HubRecorder.AgentAsync(Factory, desk.AgentToken);
        using var ignored = await TestVisitor.StartAsync(Factory, desk.InboxToken);
        using var answered = await TestVisitor.StartAsync(Factory, desk.InboxToken);
        var (ignoredId, _) = await ignored.StartConversationAsync("Anyone there?");
        var (answeredId, _) = await answered.StartConversationAsync("Do you sell tents?");
        await receiver.WaitForAsync(2, "the bot got both messages");
        await desk.Owner.PostJsonAsync($"/api/v1/conversations/{answeredId}/assistant/messages", new { clientId = "bot-answer-0004", text = "We do! Which size?" })
            .ExpectAsync(HttpStatusCode.Created);

        var beforeItsPatience = await Factory.Services.GetRequiredService<AssistantTimeouts>().HandOverStalledAsync(DateTime.UtcNow, Ct);
        var handedOver = await Factory.Services.GetRequiredService<AssistantTimeouts>()
            .HandOverStalledAsync(DateTime.UtcNow + AssistantTimeouts.DefaultBotPatience + TimeSpan.FromSeconds(5), Ct);

        Assert.Equal((0, 1), (beforeItsPatience, handedOver));
        var ignoredSession = await desk.Owner.GetJsonAsync($"/api/v1/conversations/{ignoredId}/assistant");
        Assert.Equal(("HandedOver", "the bot did not answer within 60 s"), (ignoredSession.Text("outcome"), ignoredSession.Text("handoverReason")));
        Assert.Contains("connecting you with a person", (await ignored.MessagesAsync(ignoredId))[^1].Text("text"), StringComparison.Ordinal);
        Assert.Equal("Active", (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{answeredId}/assistant")).Text("outcome"));
    }

    [Fact]
    public async Task ExternalBot_ResolvesOrAnswersBadly_ContainedOrFieldErrors()
    {
        var (desk, receiver, _) = await NewBotDeskAsync();
        await using var bot = receiver;
        using var visitor = await TestVisitor.StartAsync(Factory, desk.InboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("What are your opening hours?");
        await receiver.WaitForAsync(1, "the bot got the opening message");
        var assistantUrl = $"/api/v1/conversations/{conversationId}/assistant";

        await desk.Owner.PostJsonAsync($"{assistantUrl}/messages", new { clientId = "x", text = "" }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "clientId");
        await desk.Owner.PostJsonAsync($"{assistantUrl}/messages", new { clientId = "bot-answer-0003", text = "Hi", quickReplies = new[] { new string('x', 41) } })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "quickReplies");
        await desk.Owner.PostJsonAsync($"{assistantUrl}/handover", new { reason = "x", teamId = Guid.NewGuid() }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "teamId");
        await desk.Owner.PostJsonAsync($"/api/v1/conversations/{Guid.NewGuid()}/assistant/resolve", new { }).ExpectAsync(HttpStatusCode.NotFound);
        await desk.Owner.PostJsonAsync($"{assistantUrl}/resolve", new { text = "We're open 9–17, Monday to Friday." }).ExpectAsync(HttpStatusCode.NoContent);

        var session = await desk.Owner.GetJsonAsync(assistantUrl);
        Assert.Equal(("Contained", "Resolved"), (session.Text("outcome"), (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).Text("status")));
        Assert.Equal("We're open 9–17, Monday to Friday.", (await visitor.MessagesAsync(conversationId))[^1].Text("text"));
    }

    private sealed record Desk(HttpClient Owner, Guid InboxId, string InboxToken, Guid TeamId, Guid AgentId, string AgentToken);

    private async Task<Desk> NewDeskAsync()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var team = await owner.PostJsonAsync("/api/v1/teams", new { name = Unique("Support") }).ExpectAsync(HttpStatusCode.Created);
        var (agentId, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        await owner.PutJsonAsync($"/api/v1/teams/{team.IdOf()}/members/{agentId}", new { }).ExpectAsync(HttpStatusCode.OK);
        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}/routing", new { defaultTeamId = team.IdOf() }).ExpectAsync(HttpStatusCode.OK);
        return new Desk(owner, inboxId, inboxToken, team.IdOf(), agentId, agent.DefaultRequestHeaders.Authorization!.Parameter!);
    }

    // A desk whose inbox is answered by an external bot: the receiver stands in for it.
    private async Task<(Desk Desk, WebhookReceiver Receiver, string Secret)> NewBotDeskAsync()
    {
        var desk = await NewDeskAsync();
        var receiver = await WebhookReceiver.StartAsync();
        var (webhookId, secret) = await WebhookTests.CreateWebhookAsync(desk.Owner, receiver, WebhookEvents.SlaBreached);
        await SaveFlowAsync(desk.Owner, desk.InboxId, [new { id = "handover", type = "handover" }], webhookId);
        return (desk, receiver, secret);
    }

    // A password question an article answers: the visitor says so and the assistant resolves it as contained.
    private static async Task<Guid> ContainedConversationAsync(Desk desk, TestVisitor visitor)
    {
        await PublishArticleAsync(desk.Owner, "Reset your password", "Use the “Forgot password” link on the sign-in page.");
        await SaveFlowAsync(desk.Owner, desk.InboxId, [new { id = "articles", type = "suggestArticles" }]);
        var (conversationId, _) = await visitor.StartConversationAsync("How do I reset my password?");
        await WaitForVisitorMessagesAsync(visitor, conversationId, 3);
        (await visitor.SendAsync(conversationId, FlowRun.YesReply)).EnsureSuccessStatusCode();
        await Eventually.WaitUntilAsync(async () => (await desk.Owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).Text("status") == "Resolved",
            "the assistant resolved it");
        return conversationId;
    }

    private static Task<JsonElement> SaveFlowAsync(HttpClient owner, Guid inboxId, object[] steps, Guid? botWebhookId = null) =>
        owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}/assistant", new { isEnabled = true, definition = new { steps }, botWebhookId }).ExpectAsync(HttpStatusCode.OK);

    private static async Task PublishArticleAsync(HttpClient owner, string title, string body) =>
        await owner.PostJsonAsync("/api/v1/knowledge-base/articles", new { title, body, status = "Published" }).ExpectAsync(HttpStatusCode.Created);

    private static async Task<List<JsonElement>> WaitForVisitorMessagesAsync(TestVisitor visitor, Guid conversationId, int count)
    {
        List<JsonElement> messages = [];
        await Eventually.WaitUntilAsync(async () => (messages = await visitor.MessagesAsync(conversationId)).Count >= count, $"{count} messages in the widget");
        return messages;
    }

    private static async Task<List<JsonElement>> MessagesAsync(HttpClient agent, Guid conversationId) =>
        [.. (await agent.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages")).EnumerateArray()];

    private static async Task<Guid?> AssigneeAsync(HttpClient client, Guid conversationId) =>
        (await client.GetJsonAsync($"/api/v1/conversations/{conversationId}")).GetProperty("assigneeId") is { ValueKind: JsonValueKind.String } id ? id.GetGuid() : null;
}

public sealed class AssistantConversationSqliteTests(SqliteApiFixture fixture) : AssistantConversationTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class AssistantConversationPostgresTests(PostgresApiFixture fixture) : AssistantConversationTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
