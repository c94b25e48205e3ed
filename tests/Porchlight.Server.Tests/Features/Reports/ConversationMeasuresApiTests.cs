using System.Net;
using System.Text.Json;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Reports;

/// <summary>
/// The conversation event log is written with every change the metrics read, and a conversation's measures are
/// recomputed from it: the first response of a person, not of the assistant, from when people had the conversation.
/// </summary>
public abstract class ConversationMeasuresApiTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task Measures_AnsweredThenResolved_TheLogHasEachStepAndTheFirstResponseIsThePersonsReply()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, opening) = await visitor.StartConversationAsync("Hello, is the Alpine tent in stock?");

        var reply = await owner.ReplyAsync(conversationId, "Yes, in green and orange.").ExpectAsync(HttpStatusCode.Created);
        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/status", new { status = "Resolved" }).ExpectAsync(HttpStatusCode.OK);
        var measures = await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/measures");

        var timeline = measures.GetProperty("timeline").EnumerateArray().ToList();
        Assert.Equal(["AgentReply", "ContactMessage", "Created", "Resolved"], timeline.Select(e => e.Text("kind")).Order(StringComparer.Ordinal));
        Assert.Equal(opening.GetProperty("createdAt").GetDateTime(), timeline.Single(e => e.Text("kind") == "ContactMessage").GetProperty("at").GetDateTime());
        var replied = timeline.Single(e => e.Text("kind") == "AgentReply");
        Assert.Equal(reply.GetProperty("createdAt").GetDateTime(), replied.GetProperty("at").GetDateTime());
        var created = timeline.Single(e => e.Text("kind") == "Created").GetProperty("at").GetDateTime();
        var expected = (reply.GetProperty("createdAt").GetDateTime() - created).TotalSeconds;
        Assert.Equal(expected, measures.GetProperty("firstResponse").GetProperty("calendarSeconds").GetDouble(), precision: 3);
        Assert.Equal(expected, measures.GetProperty("firstResponse").GetProperty("businessSeconds").GetDouble(), precision: 3); // open every hour
        var cycle = Assert.Single(measures.GetProperty("cycles").EnumerateArray());
        Assert.Equal(JsonValueKind.Object, cycle.GetProperty("resolution").ValueKind);
        Assert.True(measures.GetProperty("resolvedInOneContact").GetBoolean());
    }

    [Fact]
    public async Task Measures_TheAssistantResolvedIt_ContainedWithoutAResponseTime()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}/assistant", new
        {
            isEnabled = true, definition = new { steps = new object[] { new { id = "bye", type = "end", text = "Thanks for stopping by!" } } },
        }).ExpectAsync(HttpStatusCode.OK);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);

        var (conversationId, _) = await visitor.StartConversationAsync("Just saying hi");
        await Eventually.WaitUntilAsync(async () => (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).Text("status") == "Resolved",
            "the assistant resolved it");
        var measures = await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/measures");

        Assert.True(measures.GetProperty("contained").GetBoolean());
        Assert.False(measures.GetProperty("reachedPeople").GetBoolean());
        Assert.Equal(JsonValueKind.Null, measures.GetProperty("firstResponse").ValueKind);
        Assert.Empty(measures.GetProperty("cycles").EnumerateArray());
        Assert.Contains(measures.GetProperty("timeline").EnumerateArray(), e => e.Text("kind") == "AssistantAttended");
    }

    [Fact]
    public async Task Measures_ForeignOrUnknownConversation_AnswersNotFound()
    {
        var (_, owner) = await NewWorkspaceAsync();
        await owner.GetAsync($"/api/v1/conversations/{Guid.NewGuid()}/measures", Ct).ExpectAsync(HttpStatusCode.NotFound);
    }
}

public sealed class ConversationMeasuresApiSqliteTests(SqliteApiFixture fixture) : ConversationMeasuresApiTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class ConversationMeasuresApiPostgresTests(PostgresApiFixture fixture) : ConversationMeasuresApiTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
