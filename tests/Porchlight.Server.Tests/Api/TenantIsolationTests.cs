using System.Net;
using System.Text.Json.Nodes;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Api;

/// <summary>
/// Walks every operation of the published OpenAPI document, so an endpoint added later is checked
/// without touching this file: a caller from workspace A, holding the ids of workspace B's records,
/// gets 404 (or 403) and learns nothing about B, and B is unchanged afterwards.
/// </summary>
public abstract class TenantIsolationTests(PorchlightFactory factory) : ApiWalkTestBase(factory)
{
    [Fact]
    public async Task OperationsWithIds_OtherWorkspacesIds_AnswerNotFoundLeakNothingAndChangeNothing()
    {
        var operations = await OperationsAsync();
        var (a, aOwner) = await NewWorkspaceAsync(Unique("Workspace A"));
        var (b, bOwner) = await NewWorkspaceAsync(Unique("Workspace B"));
        await CreateResourcesAsync(a, aOwner, "A");
        var bResources = await CreateResourcesAsync(b, bOwner, "B");
        var bSecrets = await SecretsOfAsync(b, bOwner, bResources);
        var withIds = operations.Where(o => o.PathParameters.Count > 0).ToList();
        Assert.NotEmpty(withIds);
        Assert.All(ResourceSet.ParameterNames, name => Assert.Contains(withIds, o => o.PathParameters.Contains(name)));
        var bBefore = await SnapshotAsync(operations, bOwner, bResources);

        foreach (var operation in withIds)
        {
            await AssertSucceedsOnFreshRecordsAsync(operation);
            using var response = await SendAsync(aOwner, operation, bResources);
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(
                response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden,
                $"{operation} with workspace B's ids answered {(int)response.StatusCode} to workspace A: {body}");
            Assert.Equal(ApiCalls.ProblemContentType, response.Content.Headers.ContentType?.MediaType);
            AssertLeaksNothing(operation.ToString(), body, bSecrets);
        }

        Assert.Equal(bBefore, await SnapshotAsync(operations, bOwner, bResources));
        Assert.NotEqual(a.WorkspaceId, b.WorkspaceId);
    }

    [Fact]
    public async Task OperationsWithoutIds_AnotherWorkspaceExists_ShowOnlyTheCallersOwnData()
    {
        var operations = await OperationsAsync();
        var (a, aOwner) = await NewWorkspaceAsync(Unique("Workspace A"));
        var (b, bOwner) = await NewWorkspaceAsync(Unique("Workspace B"));
        var aResources = await CreateResourcesAsync(a, aOwner, "A");
        var bResources = await CreateResourcesAsync(b, bOwner, "B");
        var aSecrets = await SecretsOfAsync(a, aOwner, aResources);
        var bSecrets = await SecretsOfAsync(b, bOwner, bResources);
        var reads = operations.Where(o => o.Method == "GET" && o.PathParameters.Count == 0).ToList();
        Assert.NotEmpty(reads);

        var seen = new List<string>();
        foreach (var operation in reads)
        {
            var body = (await aOwner.GetAsync(operation.Path, Ct).ExpectAsync(HttpStatusCode.OK)).ToString();
            AssertLeaksNothing(operation.ToString(), body, bSecrets);
            seen.Add(body);
        }

        // The lists above are not simply empty: together they show every record of the caller's own.
        var all = string.Join("\n", seen);
        Assert.All(aSecrets, secret => Assert.Contains(secret, all, StringComparison.Ordinal));
    }

    [Fact]
    public async Task EveryOperation_WithoutAValidToken_Returns401AndChangesNothing()
    {
        var operations = await OperationsAsync();
        var (workspace, owner) = await NewWorkspaceAsync(Unique("Workspace"));
        var resources = await CreateResourcesAsync(workspace, owner, "W");
        var revoked = await owner.PostJsonAsync("/api/v1/tokens", new { name = "Revoked", scopes = new JsonArray("read", "write", "admin") })
            .ExpectAsync(HttpStatusCode.Created);
        await owner.DeleteAsync($"/api/v1/tokens/{revoked.IdOf()}", Ct).ExpectAsync(HttpStatusCode.OK);
        var before = await SnapshotAsync(operations, owner, resources);
        using var anonymous = Factory.CreateClient();
        using var withRevokedToken = Factory.CreateApiClient(revoked.Text("token")!);

        foreach (var operation in operations)
        {
            foreach (var client in new[] { anonymous, withRevokedToken })
            {
                using var response = await SendAsync(client, operation, resources);
                var body = await response.Content.ReadAsStringAsync(Ct);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{operation} without a valid token answered {(int)response.StatusCode}: {body}");
                Assert.Equal(ApiCalls.ProblemContentType, response.Content.Headers.ContentType?.MediaType);
            }
        }

        Assert.Equal(before, await SnapshotAsync(operations, owner, resources));
    }

    private static void AssertLeaksNothing(string operation, string body, IReadOnlyList<string> secrets)
    {
        foreach (var secret in secrets)
        {
            Assert.False(body.Contains(secret, StringComparison.OrdinalIgnoreCase), $"{operation} revealed '{secret}' of another workspace: {body}");
        }
    }

    /// <summary>Strings only workspace <paramref name="workspace"/> should ever be shown.</summary>
    private static async Task<List<string>> SecretsOfAsync(TestWorkspace workspace, HttpClient owner, ResourceSet resources)
    {
        var settings = await owner.GetJsonAsync("/api/v1/workspace");
        return
        [
            settings.Text("name")!,
            workspace.OwnerEmail,
            workspace.OwnerId.ToString(),
            resources.AgentEmail,
            resources.AgentId.ToString(),
            resources.Team.IdOf().ToString(),
            resources.Team.Text("name")!,
            resources.Team.Text("description")!,
            resources.Inbox.IdOf().ToString(),
            resources.Inbox.Text("name")!,
            resources.Inbox.Text("publicToken")!,
            resources.Inbox.GetProperty("widget").Text("greeting")!,
            resources.Invitation.IdOf().ToString(),
            resources.Invitation.Text("email")!,
            resources.Token.IdOf().ToString(),
            resources.Token.Text("name")!,
            resources.Token.Text("hint")!,
            resources.Conversation.IdOf().ToString(),
            resources.Conversation.GetProperty("contact").IdOf().ToString(),
            resources.Conversation.GetProperty("contact").Text("name")!,
            resources.Conversation.GetProperty("contact").Text("email")!,
            resources.Message.Text("text")!,
            resources.CannedResponse.Text("title")!,
            resources.CannedResponse.Text("text")!,
            resources.Campaign.Text("name")!,
            resources.Campaign.Text("text")!,
            resources.RoutingRule.Text("name")!,
            resources.RoutingRule.GetProperty("conditions")[0].Text("value")!,
            resources.SlaPolicy.Text("name")!,
            resources.AutomationRule.Text("name")!,
            resources.AutomationRule.GetProperty("actions")[0].Text("value")!,
            resources.Webhook.Text("url")!,
            resources.Webhook.Text("description")!,
            resources.ArticleCategory.Text("name")!,
            resources.ArticleCategory.Text("description")!,
            resources.Article.Text("title")!,
            resources.Article.Text("description")!,
            resources.Intent.Text("description")!,
            resources.Intent.GetProperty("examples")[0].GetString()!,
            resources.Scorecard.Text("name")!,
            resources.Review.Text("comment")!,
            resources.Calibration.Text("name")!,
            resources.Flag.Text("note")!,
            resources.ApiConversation.IdOf().ToString(),
            resources.ApiConversation.GetProperty("contact").Text("name")!,
            resources.Mailbox.Text("address")!,
            resources.Mailbox.GetProperty("imap").Text("username")!,
            resources.DashboardApp.Text("name")!,
            resources.DashboardApp.Text("url")!,
        ];
    }
}

public sealed class TenantIsolationSqliteTests(SqliteApiFixture fixture) : TenantIsolationTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class TenantIsolationPostgresTests(PostgresApiFixture fixture) : TenantIsolationTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
