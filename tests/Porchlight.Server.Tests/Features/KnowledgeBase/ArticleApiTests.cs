using System.Net;
using System.Text.Json;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.KnowledgeBase;

/// <summary>
/// Supervisors and admins write the knowledge base through the API; every agent reads it. Articles come back
/// rendered and sanitized, with their translations; addresses are unique per language; bad input changes nothing.
/// </summary>
public abstract class ArticleApiTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task CreateArticle_MarkdownWithAScript_StoredAsWrittenAndServedSanitizedWithAnAddressAndADescription()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var category = await owner.PostJsonAsync("/api/v1/knowledge-base/categories", new { name = "Orders & returns" }).ExpectAsync(HttpStatusCode.Created);
        const string Body = "Open **Orders**, choose *Return*.<script>alert(1)</script> [Policy](javascript:alert(1))";

        var created = await owner.PostJsonAsync("/api/v1/knowledge-base/articles", new
        {
            title = "How do I return an order?", body = Body, categoryId = category.IdOf(), status = "Published",
        }).ExpectAsync(HttpStatusCode.Created);

        var article = created.GetProperty("article");
        Assert.Equal(("how-do-i-return-an-order", "en", "Published", "orders-returns"),
            (article.Text("slug"), article.Text("locale"), article.Text("status"), category.Text("slug")));
        Assert.StartsWith("Open Orders, choose Return.", article.Text("description"), StringComparison.Ordinal);
        Assert.Equal(Body, created.Text("body"));
        var html = created.Text("html")!;
        Assert.Contains("<strong>Orders</strong>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.DoesNotContain("javascript:", html, StringComparison.Ordinal);
        Assert.NotEqual(JsonValueKind.Null, article.GetProperty("publishedAt").ValueKind);
        var listed = Assert.Single((await owner.GetJsonAsync($"/api/v1/knowledge-base/articles?categoryId={category.IdOf()}")).EnumerateArray());
        Assert.Equal(article.IdOf(), listed.IdOf());
        Assert.Equal(1, (await owner.GetJsonAsync("/api/v1/knowledge-base/categories"))[0].GetProperty("articles").GetInt32());
    }

    [Fact]
    public async Task Translation_SecondLanguageOfAnArticle_ListedWithItAndASecondOfTheSameLanguageRefused()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var english = (await CreateAsync(owner, new { title = "Shipping times", body = "Two to three days." })).GetProperty("article");

        var german = (await CreateAsync(owner, new { title = "Lieferzeiten", body = "Zwei bis drei Tage.", locale = "DE", translationOf = english.IdOf() })).GetProperty("article");
        var again = await owner.PostJsonAsync("/api/v1/knowledge-base/articles", new { title = "Versand", body = "…", locale = "de", translationOf = english.IdOf() })
            .ExpectFieldErrorAsync(HttpStatusCode.Conflict, "locale");

        Assert.Equal(("de", english.GetProperty("translationGroupId").GetGuid()), (german.Text("locale"), german.GetProperty("translationGroupId").GetGuid()));
        var translations = (await owner.GetJsonAsync($"/api/v1/knowledge-base/articles/{english.IdOf()}")).GetProperty("translations");
        Assert.Equal(("de", "Lieferzeiten"), (translations[0].Text("locale"), translations[0].Text("title")));
        Assert.Equal(2, (await owner.GetJsonAsync("/api/v1/knowledge-base/articles")).GetArrayLength());
        Assert.Contains("de version already", again.Text("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateArticle_AddressTakenInItsLanguage_Answers409AndTheSameAddressInAnotherLanguageIsFine()
    {
        var (_, owner) = await NewWorkspaceAsync();
        await CreateAsync(owner, new { title = "Returns", body = "Thirty days." });

        await owner.PostJsonAsync("/api/v1/knowledge-base/articles", new { title = "Returns", body = "Again." }).ExpectFieldErrorAsync(HttpStatusCode.Conflict, "slug");
        var french = await CreateAsync(owner, new { title = "Returns", body = "Trente jours.", locale = "fr" });

        Assert.Equal("returns", french.GetProperty("article").Text("slug"));
        Assert.Equal(2, (await owner.GetJsonAsync("/api/v1/knowledge-base/articles")).GetArrayLength());
    }

    [Fact]
    public async Task CreateArticle_BadFields_Returns400NamingEachAndCreatesNothing()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, stranger) = await NewWorkspaceAsync("Globex");
        var foreignCategory = await stranger.PostJsonAsync("/api/v1/knowledge-base/categories", new { name = "Theirs" }).ExpectAsync(HttpStatusCode.Created);

        var problem = await owner.PostJsonAsync("/api/v1/knowledge-base/articles", new
        {
            title = "", body = "", slug = "Not A Slug", locale = "english!", categoryId = foreignCategory.IdOf(),
            relatedArticleIds = new[] { Guid.NewGuid() }, description = new string('d', 301),
        }).ExpectProblemAsync(HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors");
        Assert.All(["title", "body", "slug", "locale", "categoryId", "relatedArticleIds", "description"], field => Assert.True(errors.TryGetProperty(field, out _), field));
        await owner.PostJsonAsync("/api/v1/knowledge-base/articles", new { title = "Hello", body = "World", status = "Live" })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "$.status");
        Assert.Equal(0, (await owner.GetJsonAsync("/api/v1/knowledge-base/articles")).GetArrayLength());
    }

    [Fact]
    public async Task Articles_AgentReadsButCannotWriteAndAnotherWorkspaceSeesNothing()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var article = (await CreateAsync(owner, new { title = "Opening hours", body = "Nine to five." })).GetProperty("article");
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (_, _, supervisor) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Supervisor);
        var (_, stranger) = await NewWorkspaceAsync("Globex");

        Assert.Equal("Opening hours", (await agent.GetJsonAsync($"/api/v1/knowledge-base/articles/{article.IdOf()}")).GetProperty("article").Text("title"));
        await agent.PostJsonAsync("/api/v1/knowledge-base/articles", new { title = "Mine", body = "x" }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await agent.DeleteAsync($"/api/v1/knowledge-base/articles/{article.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await stranger.GetAsync($"/api/v1/knowledge-base/articles/{article.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await stranger.PutJsonAsync($"/api/v1/knowledge-base/articles/{article.IdOf()}", new { title = "Taken", body = "x" }).ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, (await stranger.GetJsonAsync("/api/v1/knowledge-base/articles")).GetArrayLength());

        var updated = await supervisor.PutJsonAsync($"/api/v1/knowledge-base/articles/{article.IdOf()}", new { title = "Opening hours", body = "Nine to six.", status = "Published" })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(("Nine to six.", "Published"), (updated.Text("body"), updated.GetProperty("article").Text("status")));
        await owner.DeleteAsync($"/api/v1/knowledge-base/articles/{article.IdOf()}", Ct).ExpectAsync(HttpStatusCode.NoContent);
        await owner.GetAsync($"/api/v1/knowledge-base/articles/{article.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DeleteCategory_WithArticles_ArticlesStayWithoutACategory()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var category = await owner.PostJsonAsync("/api/v1/knowledge-base/categories", new { name = "Billing" }).ExpectAsync(HttpStatusCode.Created);
        var article = (await CreateAsync(owner, new { title = "Invoices", body = "Monthly.", categoryId = category.IdOf() })).GetProperty("article");

        await owner.DeleteAsync($"/api/v1/knowledge-base/categories/{category.IdOf()}", Ct).ExpectAsync(HttpStatusCode.NoContent);

        var kept = (await owner.GetJsonAsync($"/api/v1/knowledge-base/articles/{article.IdOf()}")).GetProperty("article");
        Assert.Equal(JsonValueKind.Null, kept.GetProperty("categoryId").ValueKind);
        Assert.Equal(0, (await owner.GetJsonAsync("/api/v1/knowledge-base/categories")).GetArrayLength());
    }

    private static Task<JsonElement> CreateAsync(HttpClient owner, object article) =>
        owner.PostJsonAsync("/api/v1/knowledge-base/articles", article).ExpectAsync(HttpStatusCode.Created);
}

public sealed class ArticleApiSqliteTests(SqliteApiFixture fixture) : ArticleApiTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class ArticleApiPostgresTests(PostgresApiFixture fixture) : ArticleApiTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
