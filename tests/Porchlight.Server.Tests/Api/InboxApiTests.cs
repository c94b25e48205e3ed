using System.Net;
using System.Text.Json;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Api;

public abstract class InboxApiTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task CreateInbox_WebWidget_ReturnsEmbedSnippetCarryingThePublicToken()
    {
        var (_, owner) = await NewWorkspaceAsync();

        using var response = await owner.PostJsonAsync("/api/v1/inboxes", new
        {
            name = "Website chat",
            channel = "WebWidget",
            widget = new { color = "#2e7d32", position = "Left", greeting = "Hello!" },
        });
        var inbox = await response.ExpectAsync(HttpStatusCode.Created);

        Assert.Equal($"/api/v1/inboxes/{inbox.IdOf()}", response.Headers.Location?.OriginalString);
        var publicToken = inbox.Text("publicToken");
        Assert.False(string.IsNullOrWhiteSpace(publicToken));
        var snippet = inbox.Text("embedSnippet")!;
        Assert.Contains($"data-porchlight-inbox=\"{publicToken}\"", snippet, StringComparison.Ordinal);
        Assert.Contains("widget/loader.js", snippet, StringComparison.Ordinal);
        Assert.StartsWith("<script", snippet, StringComparison.Ordinal);
        var widget = inbox.GetProperty("widget");
        Assert.Equal("#2E7D32", widget.Text("color"));
        Assert.Equal("Left", widget.Text("position"));
        Assert.Equal("Hello!", widget.Text("greeting"));
        Assert.False(string.IsNullOrWhiteSpace(widget.Text("welcomeText")));
        ApiCalls.AssertSameResource(inbox, await owner.GetJsonAsync($"/api/v1/inboxes/{inbox.IdOf()}"));
    }

    [Fact]
    public async Task CreateInbox_Api_HasNoEmbedSnippetAndNoWidget()
    {
        var (_, owner) = await NewWorkspaceAsync();

        var inbox = await owner.PostJsonAsync("/api/v1/inboxes", new { name = "Mobile app", channel = "Api" }).ExpectAsync(HttpStatusCode.Created);

        Assert.Equal("Api", inbox.Text("channel"));
        Assert.Equal(JsonValueKind.Null, inbox.GetProperty("embedSnippet").ValueKind);
        Assert.Equal(JsonValueKind.Null, inbox.GetProperty("widget").ValueKind);
        var listed = Assert.Single(await owner.ListAllAsync("/api/v1/inboxes"));
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("embedSnippet").ValueKind);
    }

    [Fact]
    public async Task CreateInbox_TwoInboxes_GetDifferentPublicTokens()
    {
        var (_, owner) = await NewWorkspaceAsync();

        var first = await owner.PostJsonAsync("/api/v1/inboxes", new { name = "Site A", channel = "WebWidget" }).ExpectAsync(HttpStatusCode.Created);
        var second = await owner.PostJsonAsync("/api/v1/inboxes", new { name = "Site B", channel = "WebWidget" }).ExpectAsync(HttpStatusCode.Created);

        Assert.NotEqual(first.Text("publicToken"), second.Text("publicToken"));
    }

    [Fact]
    public async Task UpdateInbox_NameAndPartOfWidget_SavedAndPublicTokenKept()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var inbox = await owner.PostJsonAsync("/api/v1/inboxes", new { name = "Website chat", channel = "WebWidget", widget = new { greeting = "Hi" } })
            .ExpectAsync(HttpStatusCode.Created);

        var updated = await owner.PutJsonAsync($"/api/v1/inboxes/{inbox.IdOf()}", new { name = "Shop chat", widget = new { color = "#123ABC" } })
            .ExpectAsync(HttpStatusCode.OK);

        var reread = await owner.GetJsonAsync($"/api/v1/inboxes/{inbox.IdOf()}");
        ApiCalls.AssertSameResource(updated, reread);
        Assert.Equal("Shop chat", reread.Text("name"));
        Assert.Equal(inbox.Text("publicToken"), reread.Text("publicToken"));
        Assert.Equal("#123ABC", reread.GetProperty("widget").Text("color"));
        Assert.Equal("Hi", reread.GetProperty("widget").Text("greeting"));
    }

    [Fact]
    public async Task UpdateInbox_BadColour_Returns400AndKeepsWidget()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var inbox = await owner.PostJsonAsync("/api/v1/inboxes", new { name = "Website chat", channel = "WebWidget" }).ExpectAsync(HttpStatusCode.Created);

        await owner.PutJsonAsync($"/api/v1/inboxes/{inbox.IdOf()}", new { name = "Website chat", widget = new { color = "green" } })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "widget.color");

        ApiCalls.AssertSameResource(inbox, await owner.GetJsonAsync($"/api/v1/inboxes/{inbox.IdOf()}"));
    }

    [Fact]
    public async Task DeleteInbox_Existing_Returns204AndThen404()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var inbox = await owner.PostJsonAsync("/api/v1/inboxes", new { name = "Old site", channel = "WebWidget" }).ExpectAsync(HttpStatusCode.Created);

        await owner.DeleteAsync($"/api/v1/inboxes/{inbox.IdOf()}", Ct).ExpectAsync(HttpStatusCode.NoContent);

        await owner.GetAsync($"/api/v1/inboxes/{inbox.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await owner.PutJsonAsync($"/api/v1/inboxes/{inbox.IdOf()}", new { name = "Back" }).ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty(await owner.ListAllAsync("/api/v1/inboxes"));
    }

    [Fact]
    public async Task DeleteInbox_NameCanBeReused()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var inbox = await owner.PostJsonAsync("/api/v1/inboxes", new { name = "Chat", channel = "Api" }).ExpectAsync(HttpStatusCode.Created);
        await owner.DeleteAsync($"/api/v1/inboxes/{inbox.IdOf()}", Ct).ExpectAsync(HttpStatusCode.NoContent);

        await owner.PostJsonAsync("/api/v1/inboxes", new { name = "Chat", channel = "WebWidget" }).ExpectAsync(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData(AgentRole.Agent)]
    [InlineData(AgentRole.Supervisor)]
    public async Task Inboxes_RoleWithoutInboxRights_CanReadButNotChange(AgentRole role)
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, role);
        var inbox = await owner.PostJsonAsync("/api/v1/inboxes", new { name = "Website chat", channel = "WebWidget" }).ExpectAsync(HttpStatusCode.Created);

        await agent.GetJsonAsync($"/api/v1/inboxes/{inbox.IdOf()}");
        await agent.PostJsonAsync("/api/v1/inboxes", new { name = "Mine", channel = "Api" }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await agent.PutJsonAsync($"/api/v1/inboxes/{inbox.IdOf()}", new { name = "Mine" }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await agent.DeleteAsync($"/api/v1/inboxes/{inbox.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);

        ApiCalls.AssertSameResource(inbox, Assert.Single(await owner.ListAllAsync("/api/v1/inboxes")));
    }
}

public sealed class InboxApiSqliteTests(SqliteApiFixture fixture) : InboxApiTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class InboxApiPostgresTests(PostgresApiFixture fixture) : InboxApiTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
