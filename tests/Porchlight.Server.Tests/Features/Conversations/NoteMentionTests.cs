using System.Net;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Conversations;

/// <summary>A private note mentions teammates; each mentioned agent of the workspace, and only they, is told on the agent hub.</summary>
public abstract class NoteMentionTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task Mention_NoteMentioningATeammate_OnlyThatAgentHearsIt()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (mentionedId, _, mentionedToken) = await Factory.AddAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (_, _, bystanderToken) = await Factory.AddAgentAsync(workspace.WorkspaceId, AgentRole.Supervisor);
        var conversationId = await StartConversationAsync(owner, "Ada Lovelace", "My order never arrived");
        await using var mentionedHub = await HubRecorder.AgentAsync(Factory, mentionedToken);
        await using var bystanderHub = await HubRecorder.AgentAsync(Factory, bystanderToken);
        await using var authorHub = await HubRecorder.AgentAsync(Factory, workspace.OwnerToken);
        var text = $"{MentionTokens.Format("Agent Person", mentionedId)} can you check the courier? cc {MentionTokens.Format("Olivia Owner", workspace.OwnerId)}";

        var note = await owner.ReplyAsync(conversationId, text, isPrivate: true).ExpectAsync(HttpStatusCode.Created);

        Assert.Equal(text, note.Text("text"));
        var notice = await mentionedHub.WaitForAsync("Mentioned", n => n.GetProperty("messageId").GetGuid() == note.IdOf(), "the mentioned agent hears of the note");
        Assert.Equal(mentionedId, notice.GetProperty("agentId").GetGuid());
        Assert.Equal(conversationId, notice.GetProperty("conversationId").GetGuid());
        Assert.Equal(workspace.OwnerId, notice.GetProperty("authorId").GetGuid());
        Assert.Equal("Olivia Owner", notice.Text("authorName"));
        Assert.Equal("Ada Lovelace", notice.Text("contactName"));
        Assert.Equal(note.SequenceOf(), notice.GetProperty("sequence").GetInt64());
        Assert.Equal("@Agent Person can you check the courier? cc @Olivia Owner", notice.Text("preview"));
        await Task.WhenAll(mentionedHub.DrainAsync(), bystanderHub.DrainAsync(), authorHub.DrainAsync());
        Assert.Single(mentionedHub.All("Mentioned"));
        // The author mentioned themselves too: nobody needs telling what they just wrote.
        Assert.Empty(authorHub.All("Mentioned"));
        Assert.Empty(bystanderHub.All("Mentioned"));
        // Everyone in the workspace still sees the note itself.
        await bystanderHub.WaitForAsync("MessageCreated", m => m.IdOf() == note.IdOf(), "teammates see the note");
    }

    [Fact]
    public async Task Mention_AgentOfAnotherWorkspace_IsNotMentionedOrTold()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (teammateId, _, teammateToken) = await Factory.AddAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var other = await Factory.CreateWorkspaceAsync("Other Corp");
        var conversationId = await StartConversationAsync(owner, "Ada", "Hello");
        await using var outsiderHub = await HubRecorder.AgentAsync(Factory, other.OwnerToken);
        await using var teammateHub = await HubRecorder.AgentAsync(Factory, teammateToken);

        var note = await owner.ReplyAsync(conversationId, $"ask {MentionTokens.Format("Outsider", other.OwnerId)} and {MentionTokens.Format("Teammate", teammateId)}", isPrivate: true)
            .ExpectAsync(HttpStatusCode.Created);

        var notice = await teammateHub.WaitForAsync("Mentioned", n => n.GetProperty("messageId").GetGuid() == note.IdOf(), "the teammate is told");
        // The outsider's token is kept as written but is no mention: plain "@Outsider", nobody told.
        Assert.Equal("ask @Outsider and @Agent Person", notice.Text("preview"));
        await outsiderHub.DrainAsync();
        Assert.Empty(outsiderHub.All("Mentioned"));
        Assert.DoesNotContain(outsiderHub.Events, e => e.Payload.ToString().Contains(note.IdOf().ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Mention_InAReplyOrARetriedNote_TellsNobodyAgain()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (teammateId, _, teammateToken) = await Factory.AddAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var conversationId = await StartConversationAsync(owner, "Ada", "Hello");
        await using var teammateHub = await HubRecorder.AgentAsync(Factory, teammateToken);
        var mention = MentionTokens.Format("Teammate", teammateId);

        await owner.ReplyAsync(conversationId, $"{mention} is looking into it", isPrivate: false).ExpectAsync(HttpStatusCode.Created);
        var clientId = TestVisitor.NewClientId();
        var note = await owner.ReplyAsync(conversationId, $"{mention} please call her", isPrivate: true, clientId: clientId).ExpectAsync(HttpStatusCode.Created);
        await owner.ReplyAsync(conversationId, $"{mention} please call her", isPrivate: true, clientId: clientId).ExpectAsync(HttpStatusCode.OK);

        await teammateHub.WaitForAsync("Mentioned", n => n.GetProperty("messageId").GetGuid() == note.IdOf(), "the note's mention is told");
        await teammateHub.DrainAsync();
        Assert.Single(teammateHub.All("Mentioned"));
    }

    [Fact]
    public async Task Mention_EditAddsATeammate_OnlyTheNewlyMentionedIsTold()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (firstId, _, firstToken) = await Factory.AddAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (secondId, _, secondToken) = await Factory.AddAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var conversationId = await StartConversationAsync(owner, "Ada", "Hello");
        await using var firstHub = await HubRecorder.AgentAsync(Factory, firstToken);
        await using var secondHub = await HubRecorder.AgentAsync(Factory, secondToken);
        var note = await owner.ReplyAsync(conversationId, $"{MentionTokens.Format("First", firstId)} look", isPrivate: true).ExpectAsync(HttpStatusCode.Created);
        await firstHub.WaitForAsync("Mentioned", n => n.GetProperty("messageId").GetGuid() == note.IdOf(), "the first teammate is told");

        await owner.PutJsonAsync($"/api/v1/conversations/{conversationId}/messages/{note.IdOf()}",
            new { text = $"{MentionTokens.Format("First", firstId)} and {MentionTokens.Format("Second", secondId)} look" }).ExpectAsync(HttpStatusCode.OK);

        await secondHub.WaitForAsync("Mentioned", n => n.GetProperty("messageId").GetGuid() == note.IdOf(), "the newly mentioned teammate is told");
        await firstHub.DrainAsync();
        Assert.Single(firstHub.All("Mentioned"));
    }

    private async Task<Guid> StartConversationAsync(HttpClient owner, string name, string text)
    {
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner, Unique("Chat"));
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync(text, new { name });
        return conversationId;
    }
}

public sealed class NoteMentionSqliteTests(SqliteApiFixture fixture) : NoteMentionTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class NoteMentionPostgresTests(PostgresApiFixture fixture) : NoteMentionTests(fixture.Factory), IClassFixture<PostgresApiFixture>;

/// <summary>Mentions as the composer writes them and the thread reads them.</summary>
public sealed class MentionTokensTests
{
    private static readonly Guid Ada = Guid.CreateVersion7();
    private static readonly Guid AdaL = Guid.CreateVersion7();

    [Fact]
    public void FromDraft_PickedNames_BecomeTokensAndLongerNamesWin()
    {
        var stored = MentionTokens.FromDraft("@Ada Lovelace and @Ada, not mail@Ada or @Adam", [new("Ada", Ada), new("Ada Lovelace", AdaL)]);

        Assert.Equal($"@[Ada Lovelace]({AdaL}) and @[Ada]({Ada}), not mail@Ada or @Adam", stored);
        Assert.Equal([AdaL, Ada], MentionTokens.AgentIds(stored));
    }

    [Fact]
    public void ToDraft_RenamedAgent_ShowsTheCurrentNameAndRoundTrips()
    {
        var stored = $"ping @[Old Name]({Ada}) please";

        var (draft, mentions) = MentionTokens.ToDraft(stored, id => id == Ada ? "New Name" : null);

        Assert.Equal("ping @New Name please", draft);
        Assert.Equal($"ping @[New Name]({Ada}) please", MentionTokens.FromDraft(draft, mentions));
    }

    [Fact]
    public void Format_NameWithBracketsAndScript_ParsesBackAsOneMention()
    {
        var token = MentionTokens.Format("Eve] [<script>x</script>](evil)\n", Ada);

        var segment = Assert.Single(MentionTokens.Split(token));
        Assert.Equal((Ada, "Eve <script>x</script>(evil)"), (segment.AgentId!.Value, segment.Text));
    }

    [Fact]
    public void Split_TextWithoutTokens_IsOnePlainSegment()
    {
        var segments = MentionTokens.Split("@[no id] and @[x](not-a-guid)");

        Assert.Equal([new MentionSegment("@[no id] and @[x](not-a-guid)", null)], segments);
    }
}
