using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;

namespace Porchlight.Server.Tests.Features.Audit;

/// <summary>
/// Opening a conversation in the inbox as someone who leads others is recorded in the audit trail, as the inbox page
/// does it: through the use case it runs when a conversation is opened.
/// </summary>
public sealed class ConversationViewTests(SqliteApiFixture fixture) : ApiTestBase(fixture.Factory), IClassFixture<SqliteApiFixture>
{
    [Fact]
    public async Task ConversationView_SupervisorOpensAnotherAgentsConversation_RecordedOnceAnHour()
    {
        var (workspace, owner) = await NewWorkspaceAsync(Unique("Views"));
        var (supervisorId, _, _) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Supervisor);
        var conversation = await ConversationAsync(owner);

        Assert.True(await OpenAsync(supervisorId, conversation));
        Assert.False(await OpenAsync(supervisorId, conversation));

        var entry = Assert.Single(await owner.ListAllAsync("/api/v1/audit?action=conversation.viewed"));
        Assert.Equal(supervisorId, entry.GetProperty("actorAgentId").GetGuid());
        Assert.Equal(conversation.ToString(), entry.Text("entityId"));
        Assert.Equal("Supervisor", entry.GetProperty("changes").Text("role"));
    }

    [Fact]
    public async Task ConversationView_AgentOrTheAssignee_NotRecorded()
    {
        var (workspace, owner) = await NewWorkspaceAsync(Unique("Views"));
        var (agentId, _, _) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var conversation = await ConversationAsync(owner);
        await owner.PostJsonAsync($"/api/v1/conversations/{conversation}/assignment", new { assigneeId = workspace.OwnerId }).ExpectAsync(HttpStatusCode.OK);

        Assert.False(await OpenAsync(agentId, conversation));
        Assert.False(await OpenAsync(workspace.OwnerId, conversation));

        Assert.Empty(await owner.ListAllAsync("/api/v1/audit?action=conversation.viewed"));
    }

    private async Task<Guid> ConversationAsync(HttpClient owner)
    {
        var (_, publicToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, publicToken);
        return (await visitor.StartConversationAsync("My card was charged twice")).ConversationId;
    }

    /// <summary>What the inbox page does when <paramref name="agentId"/> opens the conversation.</summary>
    private async Task<bool> OpenAsync(Guid agentId, Guid conversationId)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var agent = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Agents.IgnoreQueryFilters().SingleAsync(a => a.Id == agentId, Ct);
        scope.ServiceProvider.GetRequiredService<ActingAgent>().Enter(agent, "203.0.113.9");
        var conversation = await scope.ServiceProvider.GetRequiredService<ConversationQueries>().GetAsync(conversationId, Ct);
        return await scope.ServiceProvider.GetRequiredService<ConversationViews>().RecordAsync(conversation.Value!, Ct);
    }
}
