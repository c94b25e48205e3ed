using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Conversations;

/// <summary>One server with a clock tests can move forward, on a fresh SQLite file.</summary>
public sealed class SqliteClockFixture : IAsyncDisposable
{
    public ShiftedClock Clock { get; } = new();

    public PorchlightFactory Factory { get; }

    public SqliteClockFixture() =>
        Factory = new PorchlightFactory(configureServices: services => services.AddSingleton<TimeProvider>(new StorageClock(Clock)));

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}

/// <summary>One server with a clock tests can move forward, on a fresh PostgreSQL database.</summary>
public sealed class PostgresClockFixture : IAsyncDisposable
{
    public ShiftedClock Clock { get; } = new();

    public PorchlightFactory Factory { get; }

    public PostgresClockFixture(PostgresServer postgres) =>
        Factory = new PorchlightFactory(TestDatabase.Postgres, postgres, configureServices: services => services.AddSingleton<TimeProvider>(new StorageClock(Clock)));

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}

/// <summary>An agent corrects or withdraws their own reply for a while after sending it; both sides see it live.</summary>
public abstract class EditMessageTests(PorchlightFactory factory, ShiftedClock clock) : ApiTestBase(factory)
{
    [Fact]
    public async Task EditMessage_AuthorWithinTheWindow_BothSidesSeeTheNewTextLive()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("When do you open?");
        var reply = await owner.ReplyAsync(conversationId, "We open at 8").ExpectAsync(HttpStatusCode.Created);
        await using var visitorHub = await HubRecorder.VisitorAsync(Factory, visitor.Token);
        await using var agentHub = await HubRecorder.AgentAsync(Factory, workspace.OwnerToken);
        clock.Advance(TimeSpan.FromMinutes(14));

        var edited = await owner.PutJsonAsync($"/api/v1/conversations/{conversationId}/messages/{reply.IdOf()}", new { text = "We open at 9" })
            .ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("We open at 9", edited.Text("text"));
        Assert.NotEqual(JsonValueKind.Null, edited.GetProperty("editedAt").ValueKind);
        Assert.Equal(reply.SequenceOf(), edited.SequenceOf());
        var seen = await visitorHub.WaitForAsync("MessageUpdated", m => m.IdOf() == reply.IdOf(), "the visitor sees the edit");
        Assert.Equal(("We open at 9", false), (seen.Text("text"), seen.GetProperty("deleted").GetBoolean()));
        Assert.NotEqual(JsonValueKind.Null, seen.GetProperty("editedAt").ValueKind);
        await agentHub.WaitForAsync("MessageUpdated", m => m.IdOf() == reply.IdOf() && m.Text("text") == "We open at 9", "agents see the edit");
        Assert.Equal("We open at 9", (await visitor.MessagesAsync(conversationId)).Single(m => m.IdOf() == reply.IdOf()).Text("text"));
        Assert.Equal("We open at 9", (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).Text("lastMessagePreview"));
    }

    [Fact]
    public async Task DeleteMessage_AuthorWithinTheWindow_KeepsItsSequenceWithEmptyTextAndItsFilesAreGone()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Send me the file");
        var file = new MultipartFormDataContent { { new ByteArrayContent("%PDF-1.7\n%%EOF\n"u8.ToArray()), "file", "wrong-customer.pdf" } };
        var uploaded = await owner.PostAsync($"/api/v1/conversations/{conversationId}/attachments", file, Ct).ExpectAsync(HttpStatusCode.Created);
        var reply = await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { text = "Here you go", attachmentIds = new[] { uploaded.IdOf() } })
            .ExpectAsync(HttpStatusCode.Created);
        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { text = "Checking", @private = true }).ExpectAsync(HttpStatusCode.Created);
        await using var visitorHub = await HubRecorder.VisitorAsync(Factory, visitor.Token);
        Assert.Single(StoredFiles(uploaded.IdOf()));

        var deleted = await owner.DeleteAsync($"/api/v1/conversations/{conversationId}/messages/{reply.IdOf()}", Ct).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(("", reply.SequenceOf()), (deleted.Text("text"), deleted.SequenceOf()));
        Assert.NotEqual(JsonValueKind.Null, deleted.GetProperty("deletedAt").ValueKind);
        Assert.Equal(0, deleted.GetProperty("attachments").GetArrayLength());
        var seen = await visitorHub.WaitForAsync("MessageUpdated", m => m.IdOf() == reply.IdOf(), "the visitor sees the deletion");
        Assert.Equal(("", true), (seen.Text("text"), seen.GetProperty("deleted").GetBoolean()));
        var thread = await visitor.MessagesAsync(conversationId);
        Assert.Equal([1L, 2L], thread.Select(m => m.SequenceOf()));
        Assert.True(thread[1].GetProperty("deleted").GetBoolean());
        Assert.Equal([1L, 2L, 3L], (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages")).EnumerateArray().Select(m => m.SequenceOf()));
        Assert.Equal("Message deleted", (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}")).Text("lastMessagePreview"));
        using var anyone = Factory.CreateClient();
        await anyone.GetAsync(new Uri(uploaded.Text("url")!).PathAndQuery, Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty(StoredFiles(uploaded.IdOf()));
        // Deleting again answers the deleted message; editing it is refused.
        var again = await owner.DeleteAsync($"/api/v1/conversations/{conversationId}/messages/{reply.IdOf()}", Ct).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(deleted.GetProperty("deletedAt").GetDateTime(), again.GetProperty("deletedAt").GetDateTime());
        await owner.PutJsonAsync($"/api/v1/conversations/{conversationId}/messages/{reply.IdOf()}", new { text = "back" }).ExpectProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task EditMessage_NotTheAuthorOrNotAReply_Returns403AndChangesNothing()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, _, colleague) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Admin);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, incoming) = await visitor.StartConversationAsync("Hello");
        var reply = await owner.ReplyAsync(conversationId, "Hi, how can I help?").ExpectAsync(HttpStatusCode.Created);
        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/status", new { status = "Pending" }).ExpectAsync(HttpStatusCode.OK);
        var activity = (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages")).EnumerateArray().Last();
        Assert.Equal("Activity", activity.Text("kind"));

        await colleague.PutJsonAsync($"/api/v1/conversations/{conversationId}/messages/{reply.IdOf()}", new { text = "hijacked" }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await colleague.DeleteAsync($"/api/v1/conversations/{conversationId}/messages/{reply.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await owner.PutJsonAsync($"/api/v1/conversations/{conversationId}/messages/{incoming.IdOf()}", new { text = "they said" }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await owner.DeleteAsync($"/api/v1/conversations/{conversationId}/messages/{incoming.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await owner.PutJsonAsync($"/api/v1/conversations/{conversationId}/messages/{activity.IdOf()}", new { text = "never happened" }).ExpectProblemAsync(HttpStatusCode.Forbidden);

        var thread = (await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/messages")).EnumerateArray().ToList();
        Assert.Equal(["Hello", "Hi, how can I help?"], thread.Take(2).Select(m => m.Text("text")));
        Assert.All(thread, m => Assert.Equal(JsonValueKind.Null, m.GetProperty("editedAt").ValueKind));
        Assert.All(thread, m => Assert.Equal(JsonValueKind.Null, m.GetProperty("deletedAt").ValueKind));
    }

    [Fact]
    public async Task EditMessage_AfterTheWindow_Returns409AndChangesNothing()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Hello");
        var reply = await owner.ReplyAsync(conversationId, "Hi!").ExpectAsync(HttpStatusCode.Created);

        clock.Advance(TimeSpan.FromMinutes(16));

        await owner.PutJsonAsync($"/api/v1/conversations/{conversationId}/messages/{reply.IdOf()}", new { text = "Hello!" }).ExpectProblemAsync(HttpStatusCode.Conflict);
        await owner.DeleteAsync($"/api/v1/conversations/{conversationId}/messages/{reply.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.Conflict);
        var stored = (await visitor.MessagesAsync(conversationId)).Single(m => m.IdOf() == reply.IdOf());
        Assert.Equal(("Hi!", false), (stored.Text("text"), stored.GetProperty("deleted").GetBoolean()));
    }

    [Fact]
    public async Task EditMessage_OwnNote_AgentsSeeItAndTheVisitorHearsNothing()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Hello");
        var note = await owner.ReplyAsync(conversationId, "VIP customer", isPrivate: true).ExpectAsync(HttpStatusCode.Created);
        await using var visitorHub = await HubRecorder.VisitorAsync(Factory, visitor.Token);
        await using var agentHub = await HubRecorder.AgentAsync(Factory, workspace.OwnerToken);

        await owner.PutJsonAsync($"/api/v1/conversations/{conversationId}/messages/{note.IdOf()}", new { text = "VIP customer, be quick" }).ExpectAsync(HttpStatusCode.OK);
        var reply = await owner.ReplyAsync(conversationId, "Hi!").ExpectAsync(HttpStatusCode.Created);
        await owner.PutJsonAsync($"/api/v1/conversations/{conversationId}/messages/{reply.IdOf()}", new { text = "Hi there!" }).ExpectAsync(HttpStatusCode.OK);

        await agentHub.WaitForAsync("MessageUpdated", m => m.Text("text") == "VIP customer, be quick", "agents see the note change");
        // The visitor's events arrive in order: once the reply's edit is here, the note's would have been.
        await visitorHub.WaitForAsync("MessageUpdated", m => m.Text("text") == "Hi there!", "the visitor sees the reply change");
        Assert.DoesNotContain(visitorHub.Events, e => e.Payload.ToString().Contains("VIP", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("{\"text\": \"   \"}", "text")]
    [InlineData("{}", "text")]
    public async Task EditMessage_BadInputOrUnknownIds_Returns400Or404(string body, string field)
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Hello");
        var (otherConversation, _) = await visitor.StartConversationAsync("Another");
        var reply = await owner.ReplyAsync(conversationId, "Hi!").ExpectAsync(HttpStatusCode.Created);

        await owner.SendRawAsync(HttpMethod.Put, $"/api/v1/conversations/{conversationId}/messages/{reply.IdOf()}", body).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, field);
        await owner.PutJsonAsync($"/api/v1/conversations/{otherConversation}/messages/{reply.IdOf()}", new { text = "x" }).ExpectProblemAsync(HttpStatusCode.NotFound);
        await owner.PutJsonAsync($"/api/v1/conversations/{conversationId}/messages/{Guid.CreateVersion7()}", new { text = "x" }).ExpectProblemAsync(HttpStatusCode.NotFound);
        await owner.DeleteAsync($"/api/v1/conversations/{otherConversation}/messages/{reply.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);

        Assert.Equal("Hi!", (await visitor.MessagesAsync(conversationId)).Single(m => m.IdOf() == reply.IdOf()).Text("text"));
    }

    private string[] StoredFiles(Guid attachmentId) =>
        Directory.GetFiles(Factory.AttachmentsPath, attachmentId.ToString("N"), SearchOption.AllDirectories);
}

public sealed class EditMessageSqliteTests(SqliteClockFixture fixture) : EditMessageTests(fixture.Factory, fixture.Clock), IClassFixture<SqliteClockFixture>;

public sealed class EditMessagePostgresTests(PostgresClockFixture fixture) : EditMessageTests(fixture.Factory, fixture.Clock), IClassFixture<PostgresClockFixture>;
