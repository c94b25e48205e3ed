using System.Net;
using Porchlight.Server.Features.KnowledgeBase;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.KnowledgeBase;

/// <summary>
/// Agent assist: beside a conversation the published articles that answer the visitor's latest messages, best
/// first, each with its help-center address and its text as a chat message, and the canned responses the agent may
/// use that match the same words; the agent's own query searches instead.
/// </summary>
public abstract class SuggestRepliesTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task Suggestions_VisitorAsksAboutAReturn_TheReturnsArticleFirstWithItsLinkAndText()
    {
        var (owner, token) = await NewInboxAsync();
        await owner.PutJsonAsync("/api/v1/knowledge-base/help-center", new { slug = $"help-{Guid.NewGuid():N}"[..20], name = "Help", isPublished = true })
            .ExpectAsync(HttpStatusCode.OK);
        var returns = await owner.CreateArticleAsync("Returning an item", "## Steps\n\nYou have **30 days** to return an item.");
        await owner.CreateArticleAsync("Opening hours", "Nine to five.");
        await owner.CreateArticleAsync("Return labels (draft)", "Soon we print return labels.", status: "Draft");
        using var visitor = await TestVisitor.StartAsync(Factory, token);
        var (conversationId, _) = await visitor.StartConversationAsync("Hi! How do I return the boots I ordered?");

        var suggested = await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/suggestions");
        var typed = await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/suggestions?q=opening");

        Assert.Equal("return boots ordered", suggested.Text("query"));
        var first = Assert.Single(suggested.GetProperty("articles").EnumerateArray());
        Assert.Equal(returns, first.GetProperty("hit").GetProperty("article").IdOf());
        Assert.EndsWith("/en/articles/returning-an-item", first.Text("url"), StringComparison.Ordinal);
        Assert.Equal("Steps\n\nYou have **30 days** to return an item.", first.Text("chatText"));
        Assert.Equal("Opening hours", Assert.Single(typed.GetProperty("articles").EnumerateArray()).GetProperty("hit").GetProperty("article").Text("title"));
    }

    [Fact]
    public async Task Suggestions_VisitorAsksAboutARefund_MatchingSharedAndOwnCannedResponsesButNoOneElses()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var token = await owner.CreateWidgetInboxAsync();
        var (_, _, colleague) = await NewAgentAsync(workspace.WorkspaceId, Porchlight.Server.Features.Agents.AgentRole.Agent);
        await owner.PostJsonAsync("/api/v1/canned-responses", new { shortcut = "refund-policy", title = "Refund policy", text = "Refunds take five days, {{contact.firstName}}.", shared = true })
            .ExpectAsync(HttpStatusCode.Created);
        await owner.PostJsonAsync("/api/v1/canned-responses", new { shortcut = "hours", title = "Opening hours", text = "Nine to five.", shared = true })
            .ExpectAsync(HttpStatusCode.Created);
        await owner.PostJsonAsync("/api/v1/canned-responses", new { shortcut = "my-refund", title = "My refund note", text = "I will check your refund myself.", shared = false })
            .ExpectAsync(HttpStatusCode.Created);
        await colleague.PostJsonAsync("/api/v1/canned-responses", new { shortcut = "their-refund", title = "Their refund note", text = "A refund, personally.", shared = false })
            .ExpectAsync(HttpStatusCode.Created);
        using var visitor = await TestVisitor.StartAsync(Factory, token);
        var (conversationId, _) = await visitor.StartConversationAsync("When do I get my refund?");

        var suggested = await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/suggestions");

        Assert.Equal(["my-refund", "refund-policy"], suggested.GetProperty("cannedResponses").EnumerateArray().Select(c => c.Text("shortcut")).Order());
    }

    [Fact]
    public async Task Suggestions_NothingSearchableOrAnotherWorkspacesConversation_EmptyOrNotFound()
    {
        var (owner, token) = await NewInboxAsync();
        var (stranger, _) = await NewInboxAsync();
        await owner.CreateArticleAsync("Opening hours", "Nine to five.");
        using var visitor = await TestVisitor.StartAsync(Factory, token);
        var (conversationId, _) = await visitor.StartConversationAsync("Hi, thanks!");

        var suggested = await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/suggestions");

        Assert.Equal("", suggested.Text("query"));
        Assert.Empty(suggested.GetProperty("articles").EnumerateArray());
        await stranger.GetAsync($"/api/v1/conversations/{conversationId}/suggestions", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    private async Task<(HttpClient Owner, string Token)> NewInboxAsync()
    {
        var (_, owner) = await NewWorkspaceAsync();
        return (owner, await owner.CreateWidgetInboxAsync());
    }
}

public sealed class SuggestRepliesSqliteTests(SqliteApiFixture fixture) : SuggestRepliesTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class SuggestRepliesPostgresTests(PostgresApiFixture fixture) : SuggestRepliesTests(fixture.Factory), IClassFixture<PostgresApiFixture>;

public sealed class SuggestedQueryTests
{
    [Fact]
    public void QueryOf_LatestMessagesFirst_KeepsTheWordsThatCarryTheQuestion()
    {
        var query = SuggestReplies.QueryOf(["Can I still return them? Order 48213", "Hi there, my Ridgeline boots are too small"]);

        Assert.Equal("return order ridgeline boots small", query);
    }
}
