using System.Net;
using System.Text.Json;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.KnowledgeBase;

/// <summary>
/// The widget reads the knowledge base by the inbox's public token: the most read articles first, search with the
/// matches marked, an article counted as read with its help-center address, and "Was this helpful?" answers that
/// move rather than add up. Drafts, other workspaces' articles and unknown inboxes answer 404.
/// </summary>
public abstract class VisitorArticlesTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task WidgetArticles_NoQueryThenAQuery_MostReadFirstThenMatchesMarkedAndDraftsLeftOut()
    {
        var (owner, token) = await NewInboxAsync();
        var rarelyRead = await owner.CreateArticleAsync("Opening hours", "Nine to five.");
        var oftenRead = await owner.CreateArticleAsync("Refund times", "Five business days.");
        await owner.CreateArticleAsync("Refund draft", "Not yet.", status: "Draft");
        var visitor = Factory.CreateClient();
        await visitor.GetJsonAsync($"/widget/v1/inboxes/{token}/articles/{oftenRead}");

        var popular = await visitor.GetJsonAsync($"/widget/v1/inboxes/{token}/articles");
        var found = await visitor.GetJsonAsync($"/widget/v1/inboxes/{token}/articles?q=refnd");
        var config = await visitor.GetJsonAsync($"/widget/v1/inboxes/{token}");

        Assert.Equal([oftenRead, rarelyRead], popular.GetProperty("articles").EnumerateArray().Select(a => a.IdOf()));
        Assert.Equal(JsonValueKind.Null, popular.GetProperty("articles")[0].GetProperty("titleHtml").ValueKind);
        var hit = Assert.Single(found.GetProperty("articles").EnumerateArray());
        Assert.Equal(oftenRead, hit.IdOf());
        Assert.Equal("<mark>Refund</mark> times", hit.Text("titleHtml"));
        Assert.Equal("refund", found.Text("correctedQuery"));
        Assert.True(config.GetProperty("knowledgeBase").GetBoolean());
    }

    [Fact]
    public async Task WidgetArticle_Read_SanitizedWithItsHelpCenterAddressAndCounted()
    {
        var (owner, token) = await NewInboxAsync();
        await owner.PutJsonAsync("/api/v1/knowledge-base/help-center", new { slug = $"help-{Guid.NewGuid():N}"[..20], name = "Help", isPublished = true })
            .ExpectAsync(HttpStatusCode.OK);
        var article = await owner.CreateArticleAsync("Refund times", "Five days.<script>alert(1)</script>");
        var visitor = Factory.CreateClient();

        var read = await visitor.GetJsonAsync($"/widget/v1/inboxes/{token}/articles/{article}");

        Assert.Contains("&lt;script&gt;", read.Text("html"), StringComparison.Ordinal);
        Assert.DoesNotContain("<script", read.Text("html"), StringComparison.Ordinal);
        Assert.EndsWith("/en/articles/refund-times", read.Text("url"), StringComparison.Ordinal);
        var counted = (await owner.GetJsonAsync($"/api/v1/knowledge-base/articles/{article}")).GetProperty("article");
        Assert.Equal(1, counted.GetProperty("views").GetInt32());
    }

    [Fact]
    public async Task WidgetArticleFeedback_ChangedAnswer_MovesTheVote()
    {
        var (owner, token) = await NewInboxAsync();
        var article = await owner.CreateArticleAsync("Refund times", "Five days.");
        var visitor = Factory.CreateClient();
        var path = $"/widget/v1/inboxes/{token}/articles/{article}/feedback";

        await visitor.PostJsonAsync(path, new { helpful = true }).ExpectAsync(HttpStatusCode.NoContent);
        await visitor.PostJsonAsync(path, new { helpful = false, previous = true }).ExpectAsync(HttpStatusCode.NoContent);
        await visitor.PostJsonAsync(path, new { helpful = false, previous = false }).ExpectAsync(HttpStatusCode.NoContent);
        await visitor.PostJsonAsync(path, new { }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "helpful");

        var counted = (await owner.GetJsonAsync($"/api/v1/knowledge-base/articles/{article}")).GetProperty("article");
        Assert.Equal((0, 1), (counted.GetProperty("helpful").GetInt32(), counted.GetProperty("notHelpful").GetInt32()));
    }

    [Fact]
    public async Task WidgetArticle_DraftForeignOrUnknownInbox_AnswersNotFound()
    {
        var (owner, token) = await NewInboxAsync();
        var (stranger, _) = await NewInboxAsync();
        var draft = await owner.CreateArticleAsync("Draft", "Soon.", status: "Draft");
        var foreign = await stranger.CreateArticleAsync("Globex refunds", "Never.");
        var visitor = Factory.CreateClient();

        Assert.Equal(HttpStatusCode.NotFound, (await visitor.GetAsync($"/widget/v1/inboxes/{token}/articles/{draft}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await visitor.GetAsync($"/widget/v1/inboxes/{token}/articles/{foreign}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await visitor.GetAsync("/widget/v1/inboxes/not-a-token/articles", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await visitor.PostJsonAsync($"/widget/v1/inboxes/{token}/articles/{foreign}/feedback", new { helpful = true })).StatusCode);
        Assert.Empty((await visitor.GetJsonAsync($"/widget/v1/inboxes/{token}/articles?q=globex")).GetProperty("articles").EnumerateArray());
    }

    private async Task<(HttpClient Owner, string Token)> NewInboxAsync()
    {
        var (_, owner) = await NewWorkspaceAsync();
        return (owner, await owner.CreateWidgetInboxAsync());
    }
}

public sealed class VisitorArticlesSqliteTests(SqliteApiFixture fixture) : VisitorArticlesTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class VisitorArticlesPostgresTests(PostgresApiFixture fixture) : VisitorArticlesTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
