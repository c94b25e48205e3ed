using System.Net;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Inboxes;

/// <summary>
/// Inbox-level access: an agent sees, handles and hears live only the conversations of the inboxes they are a member
/// of; roles that see every inbox (Owner, Admin, Supervisor) see them all; new inboxes and agents start open.
/// </summary>
public abstract class InboxAccessTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    private static readonly Guid[] Nobody = [];

    [Fact]
    public async Task InboxMembers_NewInboxAndNewAgents_EveryoneIsAMemberAndRolesThatSeeEverythingAreMarked()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (inboxId, _) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var (agentId, _, _) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (supervisorId, _, _) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Supervisor);
        var (laterInboxId, _) = await ChatSetup.CreateWidgetInboxAsync(owner, "Shop chat");

        foreach (var inbox in new[] { inboxId, laterInboxId })
        {
            var members = (await owner.GetJsonAsync($"/api/v1/inboxes/{inbox}/members")).EnumerateArray().ToList();
            Assert.Equal(
                new[] { (workspace.OwnerId, true, true), (agentId, true, false), (supervisorId, true, true) }.OrderBy(m => m.Item1),
                members.Select(m => (m.GetProperty("agentId").GetGuid(), m.GetProperty("isMember").GetBoolean(), m.GetProperty("seesEveryInbox").GetBoolean()))
                    .OrderBy(m => m.Item1));
        }
    }

    [Fact]
    public async Task Conversations_AgentNotAMemberOfTheInbox_NeitherListedNorOpenedNorAnsweredUntilTheyJoin()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, openToken) = await ChatSetup.CreateWidgetInboxAsync(owner, "Website chat");
        var (closedInboxId, closedToken) = await ChatSetup.CreateWidgetInboxAsync(owner, "VIP chat");
        var (agentId, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (_, _, supervisor) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Supervisor);
        await owner.PutJsonAsync($"/api/v1/inboxes/{closedInboxId}/members", new { agentIds = new[] { workspace.OwnerId } }).ExpectAsync(HttpStatusCode.OK);
        using var customer = await TestVisitor.StartAsync(Factory, openToken);
        using var vip = await TestVisitor.StartAsync(Factory, closedToken);
        var (seen, _) = await customer.StartConversationAsync("Where is my order?");
        var (hidden, _) = await vip.StartConversationAsync("Please call me about the contract.");

        var listed = await ListedAsync(agent);
        Assert.Contains(seen, listed);
        Assert.DoesNotContain(hidden, listed);
        await agent.GetAsync($"/api/v1/conversations/{hidden}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await agent.GetAsync($"/api/v1/conversations/{hidden}/messages", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await agent.ReplyAsync(hidden, "I saw this anyway").ExpectProblemAsync(HttpStatusCode.NotFound);
        await agent.PostJsonAsync($"/api/v1/conversations/{hidden}/assignment", new { assigneeId = agentId }).ExpectProblemAsync(HttpStatusCode.NotFound);
        await agent.PostJsonAsync($"/api/v1/conversations/{hidden}/status", new { status = "Resolved" }).ExpectProblemAsync(HttpStatusCode.NotFound);
        var vipContactId = (await owner.GetJsonAsync($"/api/v1/conversations/{hidden}")).GetProperty("contact").IdOf();
        var contact = await agent.GetJsonAsync($"/api/v1/contacts/{vipContactId}");
        Assert.Empty(contact.GetProperty("conversations").EnumerateArray());
        // Nothing was written by the refused calls.
        var thread = (await owner.GetJsonAsync($"/api/v1/conversations/{hidden}/messages")).EnumerateArray().ToList();
        Assert.DoesNotContain(thread, m => m.Text("text") == "I saw this anyway");
        Assert.Equal("Open", (await owner.GetJsonAsync($"/api/v1/conversations/{hidden}")).Text("status"));
        // A supervisor sees every inbox without being a member.
        Assert.Contains(hidden, await ListedAsync(supervisor));
        await supervisor.GetAsync($"/api/v1/conversations/{hidden}", Ct).ExpectAsync(HttpStatusCode.OK);

        await owner.PutJsonAsync($"/api/v1/inboxes/{closedInboxId}/members", new { agentIds = new[] { workspace.OwnerId, agentId } }).ExpectAsync(HttpStatusCode.OK);

        Assert.Contains(hidden, await ListedAsync(agent));
        await agent.ReplyAsync(hidden, "I can help with the contract.").ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task LiveEvents_ConversationOfAnInboxTheAgentLeft_ReachOnlyThoseWhoMaySeeIt()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var (outsiderId, _, outsider) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (memberId, _, member) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}/members", new { agentIds = new[] { memberId } }).ExpectAsync(HttpStatusCode.OK);
        await using var outsiderHub = await HubRecorder.AgentAsync(Factory, outsider.DefaultRequestHeaders.Authorization!.Parameter!);
        await using var memberHub = await HubRecorder.AgentAsync(Factory, member.DefaultRequestHeaders.Authorization!.Parameter!);
        await using var ownerHub = await HubRecorder.AgentAsync(Factory, workspace.OwnerToken);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);

        var (conversationId, _) = await visitor.StartConversationAsync("Is anyone there?");
        var note = await member.ReplyAsync(conversationId, $"Mentioning @[Outsider]({outsiderId}) and the owner @[Owner]({workspace.OwnerId})", isPrivate: true)
            .ExpectAsync(HttpStatusCode.Created);

        await memberHub.WaitForAsync("MessageCreated", m => m.Text("text") == "Is anyone there?", "the member hears the visitor's message");
        await ownerHub.WaitForAsync("MessageCreated", m => m.IdOf() == note.IdOf(), "the owner, who sees every inbox, hears the note");
        await ownerHub.WaitForAsync("Mentioned", m => m.GetProperty("messageId").GetGuid() == note.IdOf(), "the owner hears they were mentioned");
        await outsiderHub.DrainAsync();
        Assert.Empty(outsiderHub.Events);
    }

    [Fact]
    public async Task InboxMembers_BadInputForeignIdsOrNoRight_RefusedAndNothingChanges()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, stranger) = await NewWorkspaceAsync("Globex");
        var (inboxId, _) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var (foreignInboxId, _) = await ChatSetup.CreateWidgetInboxAsync(stranger);
        var foreignAgentId = (await stranger.GetJsonAsync("/api/v1/me")).IdOf();
        var (agentId, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var before = (await owner.GetJsonAsync($"/api/v1/inboxes/{inboxId}/members")).ToString();

        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}/members", new { }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "agentIds");
        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}/members", new { agentIds = new[] { foreignAgentId } }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "agentIds");
        await owner.PutJsonAsync($"/api/v1/inboxes/{foreignInboxId}/members", new { agentIds = Nobody }).ExpectProblemAsync(HttpStatusCode.NotFound);
        await owner.GetAsync($"/api/v1/inboxes/{foreignInboxId}/members", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await agent.PutJsonAsync($"/api/v1/inboxes/{inboxId}/members", new { agentIds = new[] { agentId } }).ExpectProblemAsync(HttpStatusCode.Forbidden);

        Assert.Equal(before, (await owner.GetJsonAsync($"/api/v1/inboxes/{inboxId}/members")).ToString());
        Assert.True(Assert.Single((await stranger.GetJsonAsync($"/api/v1/inboxes/{foreignInboxId}/members")).EnumerateArray()).GetProperty("isMember").GetBoolean());
        Assert.Empty(await owner.ListAllAsync($"/api/v1/audit?action=inbox.members_changed"));
    }

    [Fact]
    public async Task InboxMembers_Changed_RecordedInTheAuditTrailWithWhoJoinedAndWhoLeft()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (inboxId, _) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var (agentId, _, _) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);

        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}/members", new { agentIds = new[] { workspace.OwnerId } }).ExpectAsync(HttpStatusCode.OK);
        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}/members", new { agentIds = new[] { workspace.OwnerId } }).ExpectAsync(HttpStatusCode.OK);

        var entry = Assert.Single(await owner.ListAllAsync("/api/v1/audit?action=inbox.members_changed"));
        Assert.Equal(inboxId.ToString(), entry.Text("entityId"));
        Assert.Contains(agentId.ToString(), entry.GetProperty("changes").ToString(), StringComparison.Ordinal);
        Assert.Contains("\"left\"", entry.GetProperty("changes").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assignment_ToAnAgentWhoIsNotAMemberOfTheInbox_RefusedWithAFieldError()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var (agentId, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        await owner.PutJsonAsync($"/api/v1/inboxes/{inboxId}/members", new { agentIds = Nobody }).ExpectAsync(HttpStatusCode.OK);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Hello?");

        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/assignment", new { assigneeId = agentId })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "assigneeId");

        var conversation = await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, conversation.GetProperty("assigneeId").ValueKind);
        await agent.GetAsync($"/api/v1/conversations/{conversationId}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        // The owner sees every inbox, so they may take it without being a member.
        await owner.PostJsonAsync($"/api/v1/conversations/{conversationId}/assignment", new { assigneeId = workspace.OwnerId }).ExpectAsync(HttpStatusCode.OK);
    }

    // The inbox's list as the app asks for it, with its count of everything the agent may see.
    private static async Task<List<Guid>> ListedAsync(HttpClient client)
    {
        var list = await client.GetJsonAsync("/api/v1/conversations?limit=200");
        var ids = list.GetProperty("items").EnumerateArray().Select(c => c.IdOf()).ToList();
        Assert.Equal(ids.Count, list.GetProperty("total").GetInt32());
        return ids;
    }
}

public sealed class InboxAccessSqliteTests(SqliteApiFixture fixture) : InboxAccessTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class InboxAccessPostgresTests(PostgresApiFixture fixture) : InboxAccessTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
