using System.Net;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Conversations;

/// <summary>
/// A visitor's hub connection is stopped while the agent writes and started again, as the widget's connection is
/// after a lost network: asking for the messages after the last sequence it heard fills exactly the gap, and the
/// restarted connection hears what comes next, once.
/// </summary>
public abstract class VisitorHubReconnectTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task VisitorHub_StoppedWhileAgentWritesThenStartedAgain_AfterLastSequenceGetsExactlyTheMissedAndLiveResumes()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        await using var hub = await HubRecorder.VisitorAsync(Factory, visitor.Token);
        var (conversationId, _) = await visitor.StartConversationAsync("Is the parka waterproof?");
        await owner.ReplyAsync(conversationId, "Yes, to 20,000 mm.").ExpectAsync(HttpStatusCode.Created);
        var lastHeard = (await hub.WaitForAsync("MessageCreated", m => m.Text("text") == "Yes, to 20,000 mm.", "the visitor hears the reply")).SequenceOf();

        await hub.Connection.StopAsync(Ct);
        await owner.ReplyAsync(conversationId, "The seams are taped.").ExpectAsync(HttpStatusCode.Created);
        await owner.ReplyAsync(conversationId, "Ada asked about the warranty before", isPrivate: true).ExpectAsync(HttpStatusCode.Created);
        await owner.ReplyAsync(conversationId, "And it packs into its own pocket.").ExpectAsync(HttpStatusCode.Created);
        await hub.Connection.StartAsync(Ct);
        await hub.DrainAsync();

        // Nothing written while the connection was down came over it; the catch-up brings each reply once, in order,
        // and never the note.
        Assert.Equal(["Is the parka waterproof?", "Yes, to 20,000 mm."], hub.All("MessageCreated").Select(m => m.Text("text")));
        var missed = await visitor.MessagesAsync(conversationId, after: lastHeard);
        Assert.Equal(["The seams are taped.", "And it packs into its own pocket."], missed.Select(m => m.Text("text")));
        Assert.Equal([lastHeard + 1, lastHeard + 3], missed.Select(m => m.SequenceOf()));

        // The restarted connection is back in the visitor's group: the next reply arrives live, once.
        await owner.ReplyAsync(conversationId, "Anything else?").ExpectAsync(HttpStatusCode.Created);
        var live = await hub.WaitForAsync("MessageCreated", m => m.Text("text") == "Anything else?", "the restarted connection hears the next reply");
        Assert.Equal(missed[^1].SequenceOf() + 1, live.SequenceOf());
        await hub.DrainAsync();
        Assert.Single(hub.All("MessageCreated"), m => m.Text("text") == "Anything else?");
        Assert.Empty(await visitor.MessagesAsync(conversationId, after: live.SequenceOf()));
    }
}

public sealed class VisitorHubReconnectSqliteTests(SqliteApiFixture fixture) : VisitorHubReconnectTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class VisitorHubReconnectPostgresTests(PostgresApiFixture fixture) : VisitorHubReconnectTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
