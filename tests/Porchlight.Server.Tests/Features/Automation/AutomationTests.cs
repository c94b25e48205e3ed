using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Automation;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Automation;

/// <summary>Rules act on the events they name when their conditions hold, log every execution, respect caps, and stop loops.</summary>
public abstract class AutomationTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task Rule_MessageMentionsARefund_LabelsRaisesPriorityAndRepliesWithoutCountingAsAResponse()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var rule = await CreateRuleAsync(owner, "Refunds", "MessageReceived",
            [new { field = "message", @operator = "contains", value = "refund, money back" }],
            [new { type = "addLabel", value = "Billing" }, new { type = "setPriority", value = "High" }, new { type = "sendReply", value = "Thanks! Our billing team will look at your refund." }]);
        // Runs after the refund rule on every message: once it has seen a message, so has the refund rule.
        var everyMessage = await CreateRuleAsync(owner, "Every message", "MessageReceived", [], [new { type = "addNote", value = "Seen by automation" }]);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);

        var (conversationId, _) = await visitor.StartConversationAsync("Hi, I would like a refund please");

        await Eventually.WaitUntilAsync(async () => (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).Text("priority") == "High", "the rule raised the priority");
        var conversation = await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}");
        Assert.Equal(["billing"], conversation.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        var messages = await WaitForMessagesAsync(owner, conversationId, m => m.Text("kind") == "Outgoing");
        var reply = messages.Single(m => m.Text("kind") == "Outgoing");
        Assert.Equal(("Thanks! Our billing team will look at your refund.", "system"), (reply.Text("text"), reply.GetProperty("author").Text("type")));
        Assert.Contains(messages, m => m.Text("kind") == "Activity" && m.Text("text") == "Automation “Refunds”: added label billing; priority High; sent an automatic reply");
        Assert.Equal(JsonValueKind.Null, (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).GetProperty("firstAgentReplyAt").ValueKind);
        var run = Assert.Single((await owner.GetJsonAsync($"/api/v1/automation/rules/{rule.IdOf()}/runs")).EnumerateArray());
        Assert.Equal(("Applied", "MessageReceived", conversationId), (run.Text("outcome"), run.Text("trigger"), run.GetProperty("conversationId").GetGuid()));

        (await visitor.SendAsync(conversationId, "Thank you")).EnsureSuccessStatusCode();
        await Eventually.WaitUntilAsync(async () => (await RunsAsync(owner, everyMessage)).Count == 2, "the rules have seen the second message");
        Assert.Single(await RunsAsync(owner, rule)); // "Thank you" mentions no refund
    }

    [Fact]
    public async Task Rule_NegativeSentiment_RaisesPriorityOnlyForTheUpsetMessage()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var rule = await CreateRuleAsync(owner, "Upset customers first", "MessageReceived",
            [new { field = "sentiment", @operator = "equals", value = "negative" }], [new { type = "setPriority", value = "High" }]);
        // Runs after the sentiment rule on every message: once it has seen a message, so has the sentiment rule.
        var everyMessage = await CreateRuleAsync(owner, "Every message", "MessageReceived", [], [new { type = "addNote", value = "Seen by automation" }]);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);

        var (conversationId, _) = await visitor.StartConversationAsync("Where is my order?");
        await Eventually.WaitUntilAsync(async () => (await RunsAsync(owner, everyMessage)).Count == 1, "the rules looked at the first message");
        var calm = await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}");
        (await visitor.SendAsync(conversationId, "This is terrible, the tent arrived broken and nobody answers!")).EnsureSuccessStatusCode();
        await Eventually.WaitUntilAsync(async () => (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).Text("priority") == "High", "the rule raised the priority");

        Assert.Equal("None", calm.Text("priority"));
        Assert.Single(await RunsAsync(owner, rule));
        var incoming = (await MessagesAsync(owner, conversationId)).Where(m => m.Text("kind") == "Incoming").ToList();
        Assert.Equal(["Neutral", "Negative"], incoming.Select(m => m.GetProperty("sentiment").Text("label")));
        Assert.True(incoming[1].GetProperty("sentiment").GetProperty("compound").GetDouble() < -0.5);
        await owner.PostJsonAsync("/api/v1/automation/rules", new
        {
            name = "Bad tone", trigger = "MessageReceived", conditions = new[] { new { field = "sentiment", @operator = "contains", value = "grumpy" } },
            actions = new[] { new { type = "resolve" } },
        }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "conditions[0].value");
    }

    [Fact]
    public async Task Rules_TwoUndoEachOther_TheLoopStopsAndTheStopIsLoggedAndSaid()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var down = await CreateRuleAsync(owner, "Calm down", "PriorityChanged",
            [new { field = "priority", @operator = "equals", value = "High" }], [new { type = "setPriority", value = "Low" }]);
        var up = await CreateRuleAsync(owner, "Escalate", "PriorityChanged",
            [new { field = "priority", @operator = "equals", value = "Low" }], [new { type = "setPriority", value = "High" }]);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Hello");

        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/priority", new { priority = "High" }).ExpectAsync(HttpStatusCode.OK);

        await Eventually.WaitUntilAsync(async () => (await RunsAsync(owner, down)).Concat(await RunsAsync(owner, up)).Any(r => r.Text("outcome") == "LoopStopped"),
            "one of the rules is stopped");
        var settled = await SettledRunCountAsync(owner, down, up);
        Assert.InRange(settled, AutomationEngine.RunsPerWindow * 2, (AutomationEngine.RunsPerWindow * 2) + 2);
        Assert.Contains(await MessagesAsync(owner, conversationId), m => m.Text("kind") == "Activity"
            && m.Text("text")!.EndsWith($"stopped: it acted on this conversation {AutomationEngine.RunsPerWindow} times within a minute", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rule_Disabled_DoesNothingWhileTheNextRuleRuns()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var disabled = await CreateRuleAsync(owner, "Off", "ConversationCreated", [], [new { type = "addLabel", value = "never" }], isEnabled: false);
        await CreateRuleAsync(owner, "On", "ConversationCreated", [], [new { type = "addLabel", value = "seen" }]);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);

        var (conversationId, _) = await visitor.StartConversationAsync("Hello");

        await Eventually.WaitUntilAsync(async () => (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).GetProperty("labels").GetArrayLength() > 0,
            "the enabled rule labelled the conversation");
        Assert.Equal(["seen"], (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Empty(await RunsAsync(owner, disabled));
    }

    [Fact]
    public async Task Rule_AssignAgentAtTheirCap_LeavesTheConversationAndSaysWhy()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var (agentId, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        await agent.PatchJsonAsync("/api/v1/me", new { displayName = "Full Agent" }).ExpectAsync(HttpStatusCode.OK);
        await owner.PutJsonAsync($"/api/v1/agents/{agentId}/caps", new { all = 0 }).ExpectAsync(HttpStatusCode.OK);
        await CreateRuleAsync(owner, "To Full", "ConversationCreated", [], [new { type = "assignAgent", value = agentId.ToString() }]);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);

        var (conversationId, _) = await visitor.StartConversationAsync("Hello");

        var messages = await WaitForMessagesAsync(owner, conversationId, m => m.Text("kind") == "Activity" && m.Text("text")!.StartsWith("Automation", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Text("text") == "Automation “To Full”: not assigned to Full Agent: at their cap (0/0 active)");
        Assert.Equal(JsonValueKind.Null, (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).GetProperty("assigneeId").ValueKind);
    }

    [Fact]
    public async Task Rule_EventDeliveredTwice_RunsAndRepliesOnce()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var rule = await CreateRuleAsync(owner, "Greeting", "MessageReceived", [], [new { type = "sendReply", value = "We will be right with you." }]);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, message) = await visitor.StartConversationAsync("Hello");
        await Eventually.WaitUntilAsync(async () => (await RunsAsync(owner, rule)).Count == 1, "the rule ran for the message");

        // The outbox delivers at least once: one more event, delivered twice, as after a crash before it was marked done.
        var redelivered = Guid.NewGuid();
        for (var delivery = 0; delivery < 2; delivery++)
        {
            await using var scope = Factory.Services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspace.WorkspaceId);
            scope.ServiceProvider.GetRequiredService<HandledEvent>().Enter(redelivered);
            await scope.ServiceProvider.GetServices<IDomainEventHandler<ContactMessageReceived>>().OfType<TriggerAutomation>().Single()
                .HandleAsync(new ContactMessageReceived(workspace.WorkspaceId, conversationId, message.IdOf()), Ct);
        }

        Assert.Equal(2, (await RunsAsync(owner, rule)).Count);
        Assert.Equal(2, (await MessagesAsync(owner, conversationId)).Count(m => m.Text("kind") == "Outgoing"));
    }

    [Fact]
    public async Task Rule_AssignAgentWhoIsAway_LeavesTheConversationAndSaysWhy()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var (agentId, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        await agent.PatchJsonAsync("/api/v1/me", new { displayName = "Away Agent" }).ExpectAsync(HttpStatusCode.OK);
        await agent.PutJsonAsync("/api/v1/me/availability", new { availability = "Away" }).ExpectAsync(HttpStatusCode.OK);
        var rule = await CreateRuleAsync(owner, "To Away", "ConversationCreated", [], [new { type = "assignAgent", value = agentId.ToString() }]);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);

        var (conversationId, _) = await visitor.StartConversationAsync("Hello");

        var messages = await WaitForMessagesAsync(owner, conversationId, m => m.Text("kind") == "Activity" && m.Text("text")!.StartsWith("Automation", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Text("text") == "Automation “To Away”: not assigned to Away Agent: not online");
        Assert.Equal(JsonValueKind.Null, (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).GetProperty("assigneeId").ValueKind);
        Assert.Equal("NoChange", Assert.Single(await RunsAsync(owner, rule)).Text("outcome"));
    }

    [Fact]
    public async Task DeleteInbox_WhileMessagesAndRulesWriteToItsConversations_Returns204AndLeavesNothing()
    {
        var (_, owner) = await NewWorkspaceAsync();
        await CreateRuleAsync(owner, "Note every message", "MessageReceived", [], [new { type = "addNote", value = "Seen" }, new { type = "addLabel", value = "seen" }]);
        // A few rounds: the cascade of the delete has to meet batches of messages to several of its conversations.
        for (var round = 0; round < 3; round++)
        {
            var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
            using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
            var conversations = new List<Guid>();
            for (var i = 0; i < 8; i++)
            {
                conversations.Add((await visitor.StartConversationAsync($"Hello {i}")).ConversationId);
            }

            var writing = Task.WhenAll(conversations.Select(async id =>
            {
                for (var i = 0; i < 5; i++)
                {
                    using var _ = await visitor.SendAsync(id, $"Message {i}");
                }
            }));
            await Task.Delay(20 * round, Ct);
            using var deleted = await owner.DeleteAsync($"/api/v1/inboxes/{inboxId}", Ct);
            await writing;

            Assert.True(deleted.StatusCode == HttpStatusCode.NoContent, await deleted.Content.ReadAsStringAsync(Ct));
            foreach (var id in conversations)
            {
                await owner.GetAsync($"/api/v1/conversations/{id}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
            }
        }
    }

    [Fact]
    public async Task CreateRule_TeamOfAnotherWorkspace_Returns400AndCreatesNothing()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, stranger) = await NewWorkspaceAsync();
        var foreignTeam = await stranger.PostJsonAsync("/api/v1/teams", new { name = "Theirs" }).ExpectAsync(HttpStatusCode.Created);

        await owner.PostJsonAsync("/api/v1/automation/rules", new
        {
            name = "Foreign team", trigger = "MessageReceived", conditions = Array.Empty<object>(), actions = new[] { new { type = "assignTeam", value = foreignTeam.IdOf().ToString() } },
        }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "actions[0]");

        Assert.Empty((await owner.GetJsonAsync("/api/v1/automation/rules")).EnumerateArray());
    }

    [Theory]
    [InlineData("""{ "name": "No actions", "trigger": "MessageReceived", "conditions": [], "actions": [] }""", "actions")]
    [InlineData("""{ "name": "Bad type", "trigger": "MessageReceived", "conditions": [], "actions": [{ "type": "explode" }] }""", "actions[0]")]
    [InlineData("""{ "name": "Bad priority", "trigger": "MessageReceived", "conditions": [], "actions": [{ "type": "setPriority", "value": "Panic" }] }""", "actions[0]")]
    [InlineData("""{ "name": "Numeric priority", "trigger": "MessageReceived", "conditions": [], "actions": [{ "type": "setPriority", "value": "7" }] }""", "actions[0]")]
    [InlineData("""{ "name": "Two priorities", "trigger": "MessageReceived", "conditions": [], "actions": [{ "type": "setPriority", "value": "High, Low" }] }""", "actions[0]")]
    [InlineData("""{ "name": "Null condition", "trigger": "MessageReceived", "conditions": [null], "actions": [{ "type": "resolve" }] }""", "conditions[0]")]
    [InlineData("""{ "name": "No trigger", "conditions": [], "actions": [{ "type": "resolve" }] }""", "trigger")]
    [InlineData("""{ "name": "Bad status", "trigger": "StatusChanged", "conditions": [{ "field": "status", "operator": "equals", "value": "Gone" }], "actions": [{ "type": "resolve" }] }""", "conditions[0].value")]
    public async Task CreateRule_InvalidField_Returns400NamingItAndCreatesNothing(string body, string field)
    {
        var (_, owner) = await NewWorkspaceAsync();

        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        await owner.PostAsync("/api/v1/automation/rules", content, Ct).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, field);

        Assert.Empty((await owner.GetJsonAsync("/api/v1/automation/rules")).EnumerateArray());
    }

    private static Task<JsonElement> CreateRuleAsync(HttpClient owner, string name, string trigger, object[] conditions, object[] actions, bool isEnabled = true) =>
        owner.PostJsonAsync("/api/v1/automation/rules", new { name, trigger, conditions, actions, isEnabled }).ExpectAsync(HttpStatusCode.Created);

    private static async Task<List<JsonElement>> RunsAsync(HttpClient owner, JsonElement rule) =>
        [.. (await owner.GetJsonAsync($"/api/v1/automation/rules/{rule.IdOf()}/runs")).EnumerateArray()];

    private static async Task<List<JsonElement>> MessagesAsync(HttpClient client, Guid conversationId) =>
        [.. (await client.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages")).EnumerateArray()];

    private static async Task<List<JsonElement>> WaitForMessagesAsync(HttpClient client, Guid conversationId, Func<JsonElement, bool> any)
    {
        List<JsonElement> messages = [];
        await Eventually.WaitUntilAsync(async () => (messages = await MessagesAsync(client, conversationId)).Any(any), "the message is in the thread");
        return messages;
    }

    // The number of runs once they stop growing: a loop that was stopped stays stopped.
    private static async Task<int> SettledRunCountAsync(HttpClient owner, params JsonElement[] rules)
    {
        var last = -1;
        for (var look = 0; look < 40; look++)
        {
            var count = 0;
            foreach (var rule in rules)
            {
                count += (await RunsAsync(owner, rule)).Count;
            }

            if (count == last)
            {
                return count;
            }

            last = count;
            await Task.Delay(500, TestContext.Current.CancellationToken);
        }

        Assert.Fail("The rules kept running for 20 s: the loop was not stopped.");
        return last;
    }
}

public sealed class AutomationSqliteTests(SqliteApiFixture fixture) : AutomationTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class AutomationPostgresTests(PostgresApiFixture fixture) : AutomationTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
