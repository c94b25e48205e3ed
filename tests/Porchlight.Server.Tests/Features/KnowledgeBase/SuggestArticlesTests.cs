using System.Net;
using Porchlight.Server.Features.KnowledgeBase;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.KnowledgeBase;

/// <summary>
/// Agent assist: beside a conversation the published articles that answer the visitor's latest messages, best
/// first, each with its help-center address and its text as a chat message; the agent's own query searches instead.
/// </summary>
public abstract class SuggestArticlesTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task SuggestedArticles_VisitorAsksAboutAReturn_TheReturnsArticleFirstWithItsLinkAndText()
    {
        var (owner, token) = await NewInboxAsync();
        await owner.PutJsonAsync("/api/v1/knowledge-base/help-center", new { slug = $"help-{Guid.NewGuid():N}"[..20], name = "Help", isPublished = true })
            .ExpectAsync(HttpStatusCode.OK);
        var returns = await owner.CreateArticleAsync("Returning an item", "## Steps\n\nYou have **30 days** to return an item.");
        await owner.CreateArticleAsync("Opening hours", "Nine to five.");
        await owner.CreateArticleAsync("Return labels (draft)", "Soon we print return labels.", status: "Draft");
        using var visitor = await TestVisitor.StartAsync(Factory, token);
        var (conversationId, _) = await visitor.StartConversationAsync("Hi! How do I return the boots I ordered?");

        var suggested = await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/suggested-articles");
        var typed = await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/suggested-articles?q=opening");

        Assert.Equal("return boots ordered", suggested.Text("query"));
        var first = Assert.Single(suggested.GetProperty("articles").EnumerateArray());
        Assert.Equal(returns, first.GetProperty("hit").GetProperty("article").IdOf());
        Assert.EndsWith("/en/articles/returning-an-item", first.Text("url"), StringComparison.Ordinal);
        Assert.Equal("Steps\n\nYou have **30 days** to return an item.", first.Text("chatText"));
        Assert.Equal("Opening hours", Assert.Single(typed.GetProperty("articles").EnumerateArray()).GetProperty("hit").GetProperty("article").Text("title"));
    }

    [Fact]
    public async Task SuggestedArticles_NothingSearchableOrAnotherWorkspacesConversation_EmptyOrNotFound()
    {
        var (owner, token) = await NewInboxAsync();
        var (stranger, _) = await NewInboxAsync();
        await owner.CreateArticleAsync("Opening hours", "Nine to five.");
        using var visitor = await TestVisitor.StartAsync(Factory, token);
        var (conversationId, _) = await visitor.StartConversationAsync("Hi, thanks!");

        var suggested = await owner.GetJsonAsync($"/api/v1/conversations/{conversationId}/suggested-articles");

        Assert.Equal("", suggested.Text("query"));
        Assert.Empty(suggested.GetProperty("articles").EnumerateArray());
        await stranger.GetAsync($"/api/v1/conversations/{conversationId}/suggested-articles", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    private async Task<(HttpClient Owner, string Token)> NewInboxAsync()
    {
        var (_, owner) = await NewWorkspaceAsync();
        return (owner, await owner.CreateWidgetInboxAsync());
    }
}

public sealed class SuggestArticlesSqliteTests(SqliteApiFixture fixture) : SuggestArticlesTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

[Collection(PostgresCollection.Name)]
public sealed class SuggestArticlesPostgresTests(PostgresApiFixture fixture) : SuggestArticlesTests(fixture.Factory), IClassFixture<PostgresApiFixture>;

public sealed class SuggestedQueryTests
{
    [Fact]
    public void QueryOf_LatestMessagesFirst_KeepsTheWordsThatCarryTheQuestion()
    {
        var query = SuggestArticles.QueryOf(["Can I still return them? Order 48213", "Hi there, my Ridgeline boots are too small"]);

        Assert.Equal("return order ridgeline boots small", query);
    }
}
