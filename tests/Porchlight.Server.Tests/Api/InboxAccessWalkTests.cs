using System.Net;
using System.Text.Json.Nodes;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Api;

/// <summary>
/// Every operation on a conversation, from the OpenAPI document, called by someone who may do everything but see
/// every inbox, on a conversation of an inbox they are not a member of: each answers 404 as a foreign id does, and
/// changes nothing.
/// </summary>
public abstract class InboxAccessWalkTests(PorchlightFactory factory) : ApiWalkTestBase(factory)
{
    [Fact]
    public async Task ConversationOperations_InboxTheCallerIsNotIn_AnswerNotFoundAndChangeNothing()
    {
        var operations = await OperationsAsync();
        var onConversations = operations.Where(o => o.PathParameters.Contains("conversationId")).ToList();
        Assert.True(onConversations.Count >= 20, $"only {onConversations.Count} operations on conversations were found");
        var (workspace, owner) = await NewWorkspaceAsync(Unique("Workspace A"));
        var resources = await CreateResourcesAsync(workspace, owner, "A");
        var outsider = await EverythingButEveryInboxAsync(workspace, owner);
        foreach (var inbox in await owner.ListAllAsync("/api/v1/inboxes"))
        {
            await owner.PutJsonAsync($"/api/v1/inboxes/{inbox.IdOf()}/members", new { agentIds = new[] { workspace.OwnerId } }).ExpectAsync(HttpStatusCode.OK);
        }

        var before = await SnapshotAsync(operations, owner, resources);
        foreach (var operation in onConversations)
        {
            await AssertSucceedsOnFreshRecordsAsync(operation);
            using var response = await SendAsync(outsider, operation, resources);
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{operation} on a conversation of another inbox answered {(int)response.StatusCode}: {body}");
            Assert.Equal(ApiCalls.ProblemContentType, response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(before, await SnapshotAsync(operations, owner, resources));
    }

    /// <summary>An agent whose custom role grants every permission but <see cref="Permission.SeeEveryInbox"/>.</summary>
    private async Task<HttpClient> EverythingButEveryInboxAsync(TestWorkspace workspace, HttpClient owner)
    {
        var (agentId, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Supervisor);
        var permissions = new JsonArray([.. Enum.GetNames<Permission>().Where(p => p != nameof(Permission.SeeEveryInbox)).Select(p => JsonValue.Create(p))]);
        var role = await owner.PostJsonAsync("/api/v1/roles", new { name = Unique("Everything but every inbox"), permissions }).ExpectAsync(HttpStatusCode.Created);
        await owner.PatchJsonAsync($"/api/v1/agents/{agentId}", new { customRoleId = role.IdOf() }).ExpectAsync(HttpStatusCode.OK);
        // Its first use goes into the audit trail (once an hour): before the records are compared, not during the walk.
        await agent.GetJsonAsync("/api/v1/me");
        return agent;
    }
}

public sealed class InboxAccessWalkSqliteTests(SqliteApiFixture fixture) : InboxAccessWalkTests(fixture.Factory), IClassFixture<SqliteApiFixture>;
