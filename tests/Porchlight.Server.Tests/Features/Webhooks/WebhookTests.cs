using System.Net;
using System.Text.Json;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Webhooks;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Webhooks;

/// <summary>
/// Webhooks reach their receivers signed, at least once, with one delivery id however often they are tried; a
/// receiver that fails is tried again until it accepts or the delivery is dead, and a dead one can be replayed.
/// </summary>
public abstract class WebhookTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    public const int MaxAttempts = 3;

    private static readonly string[] Shipping = ["shipping"];

    private static readonly string[] OneKnownOneNot = ["sla.breached", "conversation.exploded"];

    public static readonly Dictionary<string, string?> Settings = new() { ["Webhooks:MaxAttempts"] = MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    [Fact]
    public async Task Webhook_RuleSendsANewConversation_ReceiverGetsOneSignedDeliveryItCanVerify()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var (webhook, secret) = await CreateWebhookAsync(owner, receiver, WebhookEvents.AutomationRule);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await CreateRuleAsync(owner, webhook);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);

        var (conversationId, _) = await visitor.StartConversationAsync("Where is my parcel?");

        var received = Assert.Single(await receiver.WaitForAsync(1, "the receiver got the conversation"));
        var timestamp = long.Parse(received.Headers[WebhookSender.TimestampHeader], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("v1=" + WebhookSender.Sign(secret, timestamp, received.Body), received.Headers[WebhookSender.SignatureHeader]);
        Assert.InRange(timestamp, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var body = received.Json;
        Assert.Equal(
            (received.Headers[WebhookSender.IdHeader], "automation.rule", 1, workspace.WorkspaceId),
            (body.Text("id"), body.Text("event"), body.GetProperty("version").GetInt32(), body.GetProperty("workspaceId").GetGuid()));
        Assert.Equal("automation.rule", received.Headers[WebhookSender.EventHeader]);
        var data = body.GetProperty("data");
        Assert.Equal((conversationId, "Open", "Forward new chats", "ConversationCreated"),
            (data.GetProperty("conversation").GetProperty("id").GetGuid(), data.GetProperty("conversation").Text("status"), data.Text("ruleName"), data.Text("trigger")));
        var delivery = await DeliveryAsync(owner, webhook, d => d.Text("state") == "Delivered");
        Assert.Equal((body.Text("id"), 1, 200, received.Body), (delivery.Text("id"), delivery.GetProperty("attempts").GetInt32(), delivery.GetProperty("lastStatusCode").GetInt32(), delivery.Text("payload")));
        Assert.Equal(JsonValueKind.Null, (await owner.GetJsonAsync($"/api/v1/webhooks/{webhook}")).GetProperty("secret").ValueKind);
    }

    [Fact]
    public async Task Webhook_ReceiverFailsTwiceThenAccepts_TriedAgainWithTheSameIdAndBody()
    {
        var (_, owner) = await NewWorkspaceAsync();
        await using var receiver = await WebhookReceiver.StartAsync(500, 503, 200);
        var (webhook, _) = await CreateWebhookAsync(owner, receiver, WebhookEvents.AutomationRule);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await CreateRuleAsync(owner, webhook);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);

        await visitor.StartConversationAsync("Hello");

        var delivery = await DeliveryAsync(owner, webhook, d => d.Text("state") == "Delivered");
        var received = receiver.Received;
        Assert.Equal(3, received.Count);
        Assert.Single(received.Select(r => (r.Headers[WebhookSender.IdHeader], r.Body)).Distinct());
        Assert.Equal((3, 200), (delivery.GetProperty("attempts").GetInt32(), delivery.GetProperty("lastStatusCode").GetInt32()));
    }

    [Fact]
    public async Task Webhook_ReceiverNeverAccepts_DeadAfterItsAttemptsAndAReplayDeliversIt()
    {
        var (_, owner) = await NewWorkspaceAsync();
        await using var receiver = await WebhookReceiver.StartAsync(500);
        var (webhook, _) = await CreateWebhookAsync(owner, receiver, WebhookEvents.AutomationRule);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await CreateRuleAsync(owner, webhook);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        await visitor.StartConversationAsync("Hello");

        var dead = await DeliveryAsync(owner, webhook, d => d.Text("state") == "Dead");
        Assert.Equal((MaxAttempts, 500, "The receiver answered 500 Internal Server Error."),
            (dead.GetProperty("attempts").GetInt32(), dead.GetProperty("lastStatusCode").GetInt32(), dead.Text("lastError")));
        Assert.Equal(JsonValueKind.Null, dead.GetProperty("nextAttemptAt").ValueKind);
        Assert.Equal(MaxAttempts, receiver.Received.Count);

        receiver.AnswerFromNowOn(204);
        await owner.PostJsonAsync($"/api/v1/webhooks/{webhook}/deliveries/{dead.Text("id")}/replay", new { }).ExpectAsync(HttpStatusCode.OK);

        var delivered = await DeliveryAsync(owner, webhook, d => d.Text("state") == "Delivered");
        Assert.Equal((dead.Text("id"), 204), (delivered.Text("id"), delivered.GetProperty("lastStatusCode").GetInt32()));
        Assert.Single(receiver.Received.Select(r => r.Headers[WebhookSender.IdHeader]).Distinct());
    }

    [Fact]
    public async Task Webhook_SwitchedOffOrDeleted_RuleSendsNothingAndSaysSo()
    {
        var (_, owner) = await NewWorkspaceAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var (webhook, _) = await CreateWebhookAsync(owner, receiver, WebhookEvents.AutomationRule);
        await owner.PutJsonAsync($"/api/v1/webhooks/{webhook}", new { url = receiver.Url.ToString(), events = new[] { WebhookEvents.AutomationRule }, isActive = false })
            .ExpectAsync(HttpStatusCode.OK);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var rule = await CreateRuleAsync(owner, webhook);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);

        await visitor.StartConversationAsync("Hello");

        await Eventually.WaitUntilAsync(async () => (await owner.GetJsonAsync($"/api/v1/automation/rules/{rule.IdOf()}/runs")).GetArrayLength() == 1, "the rule ran");
        var run = (await owner.GetJsonAsync($"/api/v1/automation/rules/{rule.IdOf()}/runs"))[0];
        Assert.Equal(("NoChange", "no webhook sent: it was deleted or switched off"), (run.Text("outcome"), run.Text("summary")));
        Assert.Empty(await owner.GetJsonAsync($"/api/v1/webhooks/{webhook}/deliveries").ContinueWith(t => t.Result.EnumerateArray().ToList(), TaskScheduler.Default));
        await owner.DeleteAsync($"/api/v1/webhooks/{webhook}", Ct);
        await owner.GetAsync($"/api/v1/webhooks/{webhook}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty(receiver.Received);
    }

    [Fact]
    public async Task CreateWebhook_BadUrlEventsOrDescription_Returns400NamingEachFieldAndCreatesNothing()
    {
        var (_, owner) = await NewWorkspaceAsync();

        var problem = await owner.PostJsonAsync("/api/v1/webhooks", new { url = "ftp://example.com/x", events = OneKnownOneNot, description = new string('d', 201) })
            .ExpectProblemAsync(HttpStatusCode.BadRequest);
        await owner.PostJsonAsync("/api/v1/webhooks", new { url = "https://user:pw@example.com/x", events = Array.Empty<string>() })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "events");

        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("url", out _) && errors.TryGetProperty("events[1]", out _) && errors.TryGetProperty("description", out _));
        Assert.False(errors.TryGetProperty("events[0]", out _));
        Assert.Equal(0, (await owner.GetJsonAsync("/api/v1/webhooks")).GetArrayLength());
    }

    [Fact]
    public async Task Webhooks_SupervisorOrAnotherWorkspace_Answers403Or404()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var (webhook, _) = await CreateWebhookAsync(owner, receiver, WebhookEvents.SlaBreached);
        var (_, _, supervisor) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Supervisor);
        var (_, stranger) = await NewWorkspaceAsync("Globex");

        await supervisor.GetAsync("/api/v1/webhooks", Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await stranger.GetAsync($"/api/v1/webhooks/{webhook}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await stranger.PostJsonAsync($"/api/v1/webhooks/{webhook}/secret", new { }).ExpectProblemAsync(HttpStatusCode.NotFound);
        await stranger.GetAsync($"/api/v1/webhooks/{webhook}/deliveries", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await stranger.PostJsonAsync("/api/v1/automation/rules", new
        {
            name = "Steal", trigger = "ConversationCreated", conditions = Array.Empty<object>(), actions = new[] { new { type = "sendWebhook", value = webhook.ToString() } },
        }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "actions[0]");
    }

    [Fact]
    public async Task ReplaceSecret_NewSecretShownOnce_LaterDeliveriesSignedWithIt()
    {
        var (_, owner) = await NewWorkspaceAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var (webhook, first) = await CreateWebhookAsync(owner, receiver, WebhookEvents.AutomationRule);

        var second = (await owner.PostJsonAsync($"/api/v1/webhooks/{webhook}/secret", new { }).ExpectAsync(HttpStatusCode.OK)).Text("secret")!;
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await CreateRuleAsync(owner, webhook);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        await visitor.StartConversationAsync("Hello");

        var received = Assert.Single(await receiver.WaitForAsync(1, "the delivery arrived"));
        var timestamp = long.Parse(received.Headers[WebhookSender.TimestampHeader], System.Globalization.CultureInfo.InvariantCulture);
        Assert.NotEqual(first, second);
        Assert.Equal("v1=" + WebhookSender.Sign(second, timestamp, received.Body), received.Headers[WebhookSender.SignatureHeader]);
    }

    [Fact]
    public async Task Webhook_ConversationLifeCycle_ReceiverGetsEveryEventOnceInTheOrderWritten()
    {
        var (_, owner) = await NewWorkspaceAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await CreateWebhookAsync(owner, receiver, WebhookEvents.ConversationCreated, WebhookEvents.MessageCreated, WebhookEvents.ConversationUpdated,
            WebhookEvents.ConversationStatusChanged);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);

        var (conversationId, _) = await visitor.StartConversationAsync("Where is my parcel?");
        await owner.ReplyAsync(conversationId, "It left the warehouse today.").ExpectAsync(HttpStatusCode.Created);
        await owner.ReplyAsync(conversationId, "Tracking number sent by email.", isPrivate: true).ExpectAsync(HttpStatusCode.Created);
        await owner.PutJsonAsync($"/api/v1/conversations/{conversationId}/labels", new { labels = Shipping }).ExpectAsync(HttpStatusCode.OK);
        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);

        var received = await receiver.WaitForAsync(6, "every event of the conversation arrived");
        var events = received.Select(r => r.Json).ToList();
        Assert.Equal(
            ["conversation.created", "message.created", "message.created", "message.created", "conversation.updated", "conversation.status_changed"],
            events.Select(e => e.Text("event")));
        Assert.Equal(
            [("Incoming", "Where is my parcel?"), ("Outgoing", "It left the warehouse today."), ("Note", "Tracking number sent by email.")],
            events.Where(e => e.Text("event") == "message.created")
                .Select(e => (e.GetProperty("data").GetProperty("message").Text("kind"), e.GetProperty("data").GetProperty("message").Text("text"))));
        var resolved = events[^1].GetProperty("data");
        Assert.Equal(("Open", "Resolved", "Resolved"), (resolved.Text("from"), resolved.Text("to"), resolved.GetProperty("conversation").Text("status")));
        Assert.Equal("labels", Assert.Single(events[4].GetProperty("data").GetProperty("changed").EnumerateArray()).GetString());
        Assert.All(events, e => Assert.Equal(conversationId, e.GetProperty("data").GetProperty("conversation").GetProperty("id").GetGuid()));
        // One conversation's deliveries arrive one at a time in the order they were written; ids grow with that order.
        var ids = events.Select(e => e.GetProperty("id").GetGuid()).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task ReplayMany_AllDead_EachSentAgainWithItsIdAndBadRequestsChangeNothing()
    {
        var (_, owner) = await NewWorkspaceAsync();
        await using var receiver = await WebhookReceiver.StartAsync(500);
        var (webhook, _) = await CreateWebhookAsync(owner, receiver, WebhookEvents.ConversationCreated);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        foreach (var question in new[] { "First?", "Second?" })
        {
            using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
            await visitor.StartConversationAsync(question);
        }

        await Eventually.WaitUntilAsync(async () => (await owner.GetJsonAsync($"/api/v1/webhooks/{webhook}/deliveries"))
            .EnumerateArray().Count(d => d.Text("state") == "Dead") == 2, "both deliveries gave up");
        await owner.PostJsonAsync($"/api/v1/webhooks/{webhook}/deliveries/replay", new { }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "deliveryIds");
        await owner.PostJsonAsync($"/api/v1/webhooks/{webhook}/deliveries/replay", new { allDead = true, deliveryIds = new[] { Guid.NewGuid() } })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "deliveryIds");
        var (_, stranger) = await NewWorkspaceAsync("Globex");
        await stranger.PostJsonAsync($"/api/v1/webhooks/{webhook}/deliveries/replay", new { allDead = true }).ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.All((await owner.GetJsonAsync($"/api/v1/webhooks/{webhook}/deliveries")).EnumerateArray(), d => Assert.Equal("Dead", d.Text("state")));
        var deadIds = (await owner.GetJsonAsync($"/api/v1/webhooks/{webhook}/deliveries")).EnumerateArray().Select(d => d.Text("id")!).ToHashSet();
        receiver.AnswerFromNowOn(204);

        var replayed = await owner.PostJsonAsync($"/api/v1/webhooks/{webhook}/deliveries/replay", new { allDead = true }).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(2, replayed.GetProperty("replayed").GetInt32());
        await Eventually.WaitUntilAsync(async () => (await owner.GetJsonAsync($"/api/v1/webhooks/{webhook}/deliveries"))
            .EnumerateArray().All(d => d.Text("state") == "Delivered"), "both were delivered");
        var accepted = receiver.Received.Skip(2 * MaxAttempts).Select(r => r.Headers[WebhookSender.IdHeader]).ToHashSet();
        Assert.Equal(deadIds, accepted);
    }

    internal static async Task<(Guid Id, string Secret)> CreateWebhookAsync(HttpClient owner, WebhookReceiver receiver, params string[] events)
    {
        var created = await owner.PostJsonAsync("/api/v1/webhooks", new { url = receiver.Url.ToString(), events, description = "Operations" })
            .ExpectAsync(HttpStatusCode.Created);
        return (created.IdOf(), created.Text("secret")!);
    }

    private static Task<JsonElement> CreateRuleAsync(HttpClient owner, Guid webhook) =>
        owner.PostJsonAsync("/api/v1/automation/rules", new
        {
            name = "Forward new chats", trigger = "ConversationCreated", conditions = Array.Empty<object>(),
            actions = new[] { new { type = "sendWebhook", value = webhook.ToString() } },
        }).ExpectAsync(HttpStatusCode.Created);

    private static async Task<JsonElement> DeliveryAsync(HttpClient owner, Guid webhook, Func<JsonElement, bool> matches)
    {
        JsonElement found = default;
        await Eventually.WaitUntilAsync(async () =>
        {
            found = (await owner.GetJsonAsync($"/api/v1/webhooks/{webhook}/deliveries")).EnumerateArray().FirstOrDefault(matches);
            return found.ValueKind == JsonValueKind.Object;
        }, "the delivery log shows it");
        return found;
    }
}

public sealed class WebhookSqliteFixture : IAsyncDisposable
{
    public PorchlightFactory Factory { get; } = new(settings: WebhookTests.Settings);

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}

public sealed class WebhookPostgresFixture(PostgresServer postgres) : IAsyncDisposable
{
    public PorchlightFactory Factory { get; } = new(TestDatabase.Postgres, postgres, WebhookTests.Settings);

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}

public sealed class WebhookSqliteTests(WebhookSqliteFixture fixture) : WebhookTests(fixture.Factory), IClassFixture<WebhookSqliteFixture>;

public sealed class WebhookPostgresTests(WebhookPostgresFixture fixture) : WebhookTests(fixture.Factory), IClassFixture<WebhookPostgresFixture>;
