using System.Net;
using System.Text.Json;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.CannedResponses;

/// <summary>Saved answers: personal ones for their agent only, shared ones kept by admins, filled in for a conversation.</summary>
public abstract class CannedResponseTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task PersonalResponse_AnotherAgent_CannotSeeChangeOrUseIt()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (agentId, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (_, _, colleague) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Hi");

        var mine = await agent.PostJsonAsync("/api/v1/canned-responses", new { shortcut = "my-greeting", title = "My greeting", text = "Howdy!" })
            .ExpectAsync(HttpStatusCode.Created);

        Assert.Equal((false, agentId), (mine.GetProperty("shared").GetBoolean(), mine.GetProperty("ownerAgentId").GetGuid()));
        Assert.Equal(mine.IdOf(), Assert.Single((await agent.GetJsonAsync("/api/v1/canned-responses")).EnumerateArray()).IdOf());
        foreach (var other in new[] { colleague, owner })
        {
            Assert.Empty((await other.GetJsonAsync("/api/v1/canned-responses")).EnumerateArray());
            await other.GetAsync($"/api/v1/canned-responses/{mine.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
            await other.PutJsonAsync($"/api/v1/canned-responses/{mine.IdOf()}", new { shortcut = "x", title = "x", text = "x" }).ExpectProblemAsync(HttpStatusCode.NotFound);
            await other.DeleteAsync($"/api/v1/canned-responses/{mine.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
            await other.PostAsync($"/api/v1/conversations/{conversationId}/canned-responses/{mine.IdOf()}/render", null, Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        }

        ApiCalls.AssertSameResource(mine, await agent.GetJsonAsync($"/api/v1/canned-responses/{mine.IdOf()}"));
        var changed = await agent.PutJsonAsync($"/api/v1/canned-responses/{mine.IdOf()}", new { shortcut = "hello", title = "Hello", text = "Hello there!", folder = "Greetings" })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(("hello", "Greetings"), (changed.Text("shortcut"), changed.Text("folder")));
        await agent.DeleteAsync($"/api/v1/canned-responses/{mine.IdOf()}", Ct).ExpectAsync(HttpStatusCode.NoContent);
        await agent.GetAsync($"/api/v1/canned-responses/{mine.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task SharedResponse_OnlyAdminsAndOwnersManageIt_EveryoneUsesIt()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (_, _, supervisor) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Supervisor);
        var (_, _, admin) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Admin);
        var body = new { shortcut = "refund-policy", title = "Refund policy", text = "Refunds within 30 days.", folder = "Billing", shared = true };

        await agent.PostJsonAsync("/api/v1/canned-responses", body).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await supervisor.PostJsonAsync("/api/v1/canned-responses", body).ExpectProblemAsync(HttpStatusCode.Forbidden);
        var shared = await admin.PostJsonAsync("/api/v1/canned-responses", body).ExpectAsync(HttpStatusCode.Created);

        Assert.True(shared.GetProperty("shared").GetBoolean());
        Assert.Equal(JsonValueKind.Null, shared.GetProperty("ownerAgentId").ValueKind);
        Assert.Equal(shared.IdOf(), Assert.Single((await agent.GetJsonAsync("/api/v1/canned-responses")).EnumerateArray()).IdOf());
        await agent.PutJsonAsync($"/api/v1/canned-responses/{shared.IdOf()}", new { shortcut = "refund-policy", title = "Mine now", text = "x" })
            .ExpectProblemAsync(HttpStatusCode.Forbidden);
        await agent.DeleteAsync($"/api/v1/canned-responses/{shared.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);
        var edited = await owner.PutJsonAsync($"/api/v1/canned-responses/{shared.IdOf()}", new { shortcut = "refund-policy", title = "Refunds", text = "Refunds within 60 days." })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Refunds within 60 days.", edited.Text("text"));
        Assert.Null(edited.Text("folder"));
        Assert.Equal("Refunds", (await agent.GetJsonAsync($"/api/v1/canned-responses/{shared.IdOf()}")).Text("title"));
        Assert.Contains("canned_response.created", (await owner.GetJsonAsync("/api/v1/audit?limit=200")).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateResponse_ShortcutTaken_Returns409ButPersonalAndSharedShortcutsMayMatch()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (_, _, colleague) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);

        var created = await agent.PostJsonAsync("/api/v1/canned-responses", new { shortcut = " /Thanks ", title = "Thanks", text = "Thank you!" })
            .ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("thanks", created.Text("shortcut"));

        await agent.PostJsonAsync("/api/v1/canned-responses", new { shortcut = "thanks", title = "Again", text = "Thanks again" })
            .ExpectFieldErrorAsync(HttpStatusCode.Conflict, "shortcut");
        await colleague.PostJsonAsync("/api/v1/canned-responses", new { shortcut = "thanks", title = "Thanks", text = "Cheers" }).ExpectAsync(HttpStatusCode.Created);
        await owner.PostJsonAsync("/api/v1/canned-responses", new { shortcut = "thanks", title = "Thanks", text = "Thank you!", shared = true }).ExpectAsync(HttpStatusCode.Created);
        await owner.PostJsonAsync("/api/v1/canned-responses", new { shortcut = "thanks", title = "Thanks", text = "Again", shared = true })
            .ExpectFieldErrorAsync(HttpStatusCode.Conflict, "shortcut");
        var other = await agent.PostJsonAsync("/api/v1/canned-responses", new { shortcut = "bye", title = "Bye", text = "Bye!" }).ExpectAsync(HttpStatusCode.Created);
        await agent.PutJsonAsync($"/api/v1/canned-responses/{other.IdOf()}", new { shortcut = "thanks", title = "Bye", text = "Bye!" })
            .ExpectFieldErrorAsync(HttpStatusCode.Conflict, "shortcut");

        // The agent sees their own and the shared ones, not the colleague's; a shared one first on a tied shortcut.
        var listed = (await agent.GetJsonAsync("/api/v1/canned-responses")).EnumerateArray()
            .Select(c => (c.Text("shortcut"), c.GetProperty("shared").GetBoolean())).ToList();
        Assert.Equal([("bye", false), ("thanks", true), ("thanks", false)], listed);
    }

    [Theory]
    [InlineData("{\"shortcut\": \"Refund Policy!\", \"title\": \"t\", \"text\": \"x\"}", "shortcut")]
    [InlineData("{\"title\": \"t\", \"text\": \"x\"}", "shortcut")]
    [InlineData("{\"shortcut\": \"ok\", \"title\": \" \", \"text\": \"x\"}", "title")]
    [InlineData("{\"shortcut\": \"ok\", \"title\": \"t\", \"text\": \"\"}", "text")]
    [InlineData("{\"shortcut\": \"ok\", \"title\": \"t\", \"text\": \"x\", \"folder\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}", "folder")]
    public async Task CreateResponse_BadInput_Returns400NamingTheFieldAndStoresNothing(string body, string field)
    {
        var (_, owner) = await NewWorkspaceAsync();

        await owner.SendRawAsync(HttpMethod.Post, "/api/v1/canned-responses", body).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, field);

        Assert.Empty((await owner.GetJsonAsync("/api/v1/canned-responses")).EnumerateArray());
    }

    [Fact]
    public async Task ListResponses_SearchAndFolder_FindTheRightOnesShortcutMatchesFirst()
    {
        var (_, owner) = await NewWorkspaceAsync();
        foreach (var (shortcut, title, text, folder) in new[]
        {
            ("shipping-times", "Shipping times", "We ship within 2 days; refunds take longer.", "Orders"),
            ("refund-policy", "Refund policy", "Refunds within 30 days.", "Billing"),
            ("invoice-copy", "Invoice copy", "Here is a copy of your invoice.", "Billing"),
        })
        {
            await owner.PostJsonAsync("/api/v1/canned-responses", new { shortcut, title, text, folder, shared = true }).ExpectAsync(HttpStatusCode.Created);
        }

        Assert.Equal(["refund-policy", "shipping-times"], Shortcuts(await owner.GetJsonAsync("/api/v1/canned-responses?search=REF")));
        Assert.Equal(["refund-policy"], Shortcuts(await owner.GetJsonAsync("/api/v1/canned-responses?search=/refund-p")));
        Assert.Equal(["invoice-copy"], Shortcuts(await owner.GetJsonAsync("/api/v1/canned-responses?search=copy%20of")));
        Assert.Equal(["invoice-copy", "refund-policy"], Shortcuts(await owner.GetJsonAsync("/api/v1/canned-responses?folder=Billing")));
        Assert.Equal(["invoice-copy"], Shortcuts(await owner.GetJsonAsync("/api/v1/canned-responses?limit=1")));
        await owner.GetAsync("/api/v1/canned-responses?limit=0", Ct).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "limit");

        static List<string?> Shortcuts(JsonElement list) => [.. list.EnumerateArray().Select(c => c.Text("shortcut"))];
    }

    [Fact]
    public async Task RenderResponse_ForAConversation_FillsPlaceholdersWithPlainText()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var ada = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await ada.StartConversationAsync("Refund?", new { name = "Ada <b>Lovelace</b> {{agent.name}}", email = "ada@example.com" });
        using var anonymous = await TestVisitor.StartAsync(Factory, inboxToken);
        var (anonymousConversation, _) = await anonymous.StartConversationAsync("Hello");
        var template = await agent.PostJsonAsync("/api/v1/canned-responses", new
        {
            shortcut = "refund",
            title = "Refund",
            text = "Hi {{contact.firstName}} ({{ contact.name }}, {{Contact.Email}}), I'm {{agent.name}}. {{order.number}}",
        }).ExpectAsync(HttpStatusCode.Created);

        var rendered = await agent.PostAsync($"/api/v1/conversations/{conversationId}/canned-responses/{template.IdOf()}/render", null, Ct).ExpectAsync(HttpStatusCode.OK);
        var forAnonymous = await agent.PostAsync($"/api/v1/conversations/{anonymousConversation}/canned-responses/{template.IdOf()}/render", null, Ct)
            .ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("Hi Ada (Ada <b>Lovelace</b> {{agent.name}}, ada@example.com), I'm Agent Person. {{order.number}}", rendered.Text("text"));
        Assert.Equal("Hi  (, ), I'm Agent Person. {{order.number}}", forAnonymous.Text("text"));
        await agent.PostAsync($"/api/v1/conversations/{Guid.CreateVersion7()}/canned-responses/{template.IdOf()}/render", null, Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await agent.PostAsync($"/api/v1/conversations/{conversationId}/canned-responses/{Guid.CreateVersion7()}/render", null, Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
    }
}

public sealed class CannedResponseSqliteTests(SqliteApiFixture fixture) : CannedResponseTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class CannedResponsePostgresTests(PostgresApiFixture fixture) : CannedResponseTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
