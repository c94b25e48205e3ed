using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.KnowledgeBase;

/// <summary>
/// The public help center: anyone reads a workspace's published articles at clean addresses with titles, meta
/// descriptions, language alternates and a sitemap; drafts, unpublished sites and other workspaces' articles are not
/// there; readings and "Was this helpful?" answers are counted once per answer; settings reject bad input.
/// </summary>
public abstract class HelpCenterTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task HelpCenter_PublishedWithArticles_FrontPageListsPublishedArticlesByCategory()
    {
        var (site, owner, _) = await NewSiteAsync();
        var category = await owner.PostJsonAsync("/api/v1/knowledge-base/categories", new { name = "Orders & returns" }).ExpectAsync(HttpStatusCode.Created);
        await owner.CreateArticleAsync("Returning an order", "Open your orders.", categoryId: category.IdOf());
        await owner.CreateArticleAsync("Secret roadmap", "Not yet.", status: "Draft", categoryId: category.IdOf());
        await owner.CreateArticleAsync("Opening hours", "Nine to five.");
        var reader = Reader();

        var root = await reader.GetAsync($"/help/{site}", Ct);
        var home = await PageAsync(reader, $"/help/{site}/en");

        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal($"/help/{site}/en", root.Headers.Location?.OriginalString);
        Assert.Contains("<title>Acme Help</title>", home, StringComparison.Ordinal);
        Assert.Contains($"href=\"/help/{site}/en/categories/orders-returns\">Orders &amp; returns</a>", home, StringComparison.Ordinal);
        Assert.Contains($"href=\"/help/{site}/en/articles/returning-an-order\">Returning an order</a>", home, StringComparison.Ordinal);
        Assert.Contains(">More articles</h2>", home, StringComparison.Ordinal);
        Assert.DoesNotContain("Secret roadmap", home, StringComparison.Ordinal);
        Assert.Contains("--accent:#0a7d5a", home, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HelpCenter_NotPublishedOrUnknownOrDraft_AnswersNotFound()
    {
        var (site, owner, _) = await NewSiteAsync(isPublished: false);
        await owner.CreateArticleAsync("Opening hours", "Nine to five.");
        var (published, other, _) = await NewSiteAsync();
        await other.CreateArticleAsync("Draft notes", "Later.", status: "Draft");
        var reader = Reader();

        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/help/{site}/en", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/help/{site}/en/articles/opening-hours", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/help/no-such-site-{Guid.NewGuid():N}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/help/{published}/en/articles/draft-notes", Ct)).StatusCode);
        // Another workspace's article, under this site's address.
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/help/{published}/en/articles/opening-hours", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/help/{published}/EN<script>", Ct)).StatusCode);
    }

    [Fact]
    public async Task HelpArticle_Read_IndexablePageWithSanitizedBodyTranslationsAndACountedView()
    {
        var (site, owner, _) = await NewSiteAsync();
        var related = await owner.CreateArticleAsync("Refund times", "Five days.");
        var article = await owner.CreateArticleAsync("Returning an order", "Open **Orders**.<script>alert(1)</script><img src=x onerror=alert(2)>",
            description: "How to send something back.", related: [related]);
        await owner.PostJsonAsync("/api/v1/knowledge-base/articles", new
        {
            title = "Eine Bestellung zurückgeben", body = "Öffnen Sie Bestellungen.", locale = "de", status = "Published", translationOf = article,
        }).ExpectAsync(HttpStatusCode.Created);
        var reader = Reader();

        var page = await PageAsync(reader, $"/help/{site}/en/articles/returning-an-order");
        await PageAsync(reader, $"/help/{site}/en/articles/returning-an-order");
        var crawler = Reader("Googlebot/2.1 (+http://www.google.com/bot.html)");
        await PageAsync(crawler, $"/help/{site}/en/articles/returning-an-order");

        Assert.Contains("<title>Returning an order – Acme Help</title>", page, StringComparison.Ordinal);
        Assert.Contains("<meta name=\"description\" content=\"How to send something back.\" />", page, StringComparison.Ordinal);
        Assert.Contains($"<link rel=\"canonical\" href=\"{Base}/help/{site}/en/articles/returning-an-order\" />", page, StringComparison.Ordinal);
        Assert.Contains($"hreflang=\"de\" href=\"{Base}/help/{site}/de/articles/eine-bestellung-zuruckgeben\"", page, StringComparison.Ordinal);
        Assert.Contains("<strong>Orders</strong>", page, StringComparison.Ordinal);
        // Raw HTML in the Markdown is shown as text, never run.
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", page, StringComparison.Ordinal);
        Assert.Contains($"href=\"/help/{site}/en/articles/refund-times\">Refund times</a>", page, StringComparison.Ordinal);
        Assert.Equal(2, (await ArticleAsync(owner, article)).GetProperty("views").GetInt32());
        Assert.Contains("Was this article helpful?", page, StringComparison.Ordinal);
        // The translation's page speaks its reader's language around the article too.
        var german = await PageAsync(reader, $"/help/{site}/de/articles/eine-bestellung-zuruckgeben");
        Assert.Contains("War dieser Artikel hilfreich?", german, StringComparison.Ordinal);
        Assert.Contains(">Alle Kategorien</a>", german, StringComparison.Ordinal);
        Assert.Contains("placeholder=\"Artikel durchsuchen\"", german, StringComparison.Ordinal);
        Assert.DoesNotContain("Was this article helpful?", german, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HelpArticleFeedback_AnsweredTwiceThenChanged_CountsOneAnswerPerReader()
    {
        var (site, owner, _) = await NewSiteAsync();
        var article = await owner.CreateArticleAsync("Opening hours", "Nine to five.");
        var reader = Reader();
        var other = Reader();
        var path = $"/help/{site}/en/articles/opening-hours";

        var first = await AnswerAsync(reader, path, "yes");
        await AnswerAsync(reader, path, "yes");
        var afterTwice = await ArticleAsync(owner, article);
        await AnswerAsync(reader, path, "no");
        await AnswerAsync(other, path, "no");
        var thanked = await PageAsync(reader, path + "?thanks=true");

        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal(path + "?thanks=true#feedback", first.Headers.Location?.OriginalString);
        Assert.Equal((1, 0), (afterTwice.GetProperty("helpful").GetInt32(), afterTwice.GetProperty("notHelpful").GetInt32()));
        var final = await ArticleAsync(owner, article);
        Assert.Equal((0, 2), (final.GetProperty("helpful").GetInt32(), final.GetProperty("notHelpful").GetInt32()));
        Assert.Contains("Thanks for letting us know.", thanked, StringComparison.Ordinal);
        Assert.Contains("value=\"no\" aria-pressed=\"true\"", thanked, StringComparison.Ordinal);
        var bad = await reader.PostAsync(path + "/feedback", new FormUrlEncodedContent([new("helpful", "maybe")]), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task HelpCenterSitemap_PublishedArticles_ListedWithTheirDatesDraftsLeftOut()
    {
        var (site, owner, _) = await NewSiteAsync();
        var category = await owner.PostJsonAsync("/api/v1/knowledge-base/categories", new { name = "Billing" }).ExpectAsync(HttpStatusCode.Created);
        await owner.CreateArticleAsync("Invoices", "Monthly.", categoryId: category.IdOf());
        await owner.CreateArticleAsync("Unfinished", "Soon.", status: "Draft");
        var reader = Reader();

        var response = await reader.GetAsync($"/help/{site}/sitemap.xml", Ct);

        Assert.Equal("application/xml", response.Content.Headers.ContentType?.MediaType);
        XNamespace ns = "http://www.sitemaps.org/schemas/sitemap/0.9";
        var urls = XDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).Descendants(ns + "url")
            .Select(u => (Loc: u.Element(ns + "loc")!.Value, HasDate: u.Element(ns + "lastmod") is not null)).ToList();
        Assert.Equal(
            [($"{Base}/help/{site}/en", true), ($"{Base}/help/{site}/en/categories/billing", true), ($"{Base}/help/{site}/en/articles/invoices", true)],
            urls);
    }

    [Fact]
    public async Task HelpCenterSearch_MisspeltQuery_FindsPublishedArticlesAndSaysWhatWasSearched()
    {
        var (site, owner, _) = await NewSiteAsync();
        await owner.CreateArticleAsync("Resetting your password", "Choose Forgot password on the sign-in page.");
        await owner.CreateArticleAsync("Password rules (draft)", "Twelve characters.", status: "Draft");
        var reader = Reader();

        var page = await PageAsync(reader, $"/help/{site}/en/search?q={Uri.EscapeDataString("pasword <b>")}");

        Assert.Contains("<h1>1 result</h1>", page, StringComparison.Ordinal);
        Assert.Contains("Showing results for <strong>password b</strong>", page, StringComparison.Ordinal);
        Assert.Contains($"href=\"/help/{site}/en/articles/resetting-your-password\">Resetting your <mark>password</mark></a>", page, StringComparison.Ordinal);
        Assert.Contains("value=\"pasword &lt;b&gt;\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("draft", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HelpCenterSettings_BadInputOrATakenAddress_RejectedWithFieldErrorsAndNothingChanged()
    {
        var (site, owner, workspaceId) = await NewSiteAsync();
        var (_, other) = await NewWorkspaceAsync("Globex");
        var (_, _, agent) = await NewAgentAsync(workspaceId, Porchlight.Server.Features.Agents.AgentRole.Agent);

        await owner.PutJsonAsync("/api/v1/knowledge-base/help-center", new { slug = "No Spaces", name = "Acme" }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "slug");
        await owner.PutJsonAsync("/api/v1/knowledge-base/help-center", new { slug = site, name = "Acme", accentColour = "red" }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "accentColour");
        await owner.PutJsonAsync("/api/v1/knowledge-base/help-center", new { slug = site, name = "Acme", logoUrl = "javascript:alert(1)" }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "logoUrl");
        await other.PutJsonAsync("/api/v1/knowledge-base/help-center", new { slug = site, name = "Globex" }).ExpectFieldErrorAsync(HttpStatusCode.Conflict, "slug");
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PutJsonAsync("/api/v1/knowledge-base/help-center", new { slug = site, name = "Mine" })).StatusCode);

        var settings = await owner.GetJsonAsync("/api/v1/knowledge-base/help-center");
        Assert.Equal((site, "Acme Help", "#0a7d5a", true), (settings.Text("slug"), settings.Text("name"), settings.Text("accentColour"), settings.GetProperty("isPublished").GetBoolean()));
        Assert.Equal($"{Base}/help/{site}", settings.Text("url"));
        var unsaved = await other.GetJsonAsync("/api/v1/knowledge-base/help-center");
        Assert.Equal(("globex", "Globex Help Center", false, false),
            (unsaved.Text("slug"), unsaved.Text("name"), unsaved.GetProperty("isPublished").GetBoolean(), unsaved.GetProperty("isSaved").GetBoolean()));
    }

    private async Task<(string Site, HttpClient Owner, Guid WorkspaceId)> NewSiteAsync(bool isPublished = true)
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var site = $"acme-{Guid.NewGuid().ToString("N")[..8]}";
        await owner.PutJsonAsync("/api/v1/knowledge-base/help-center", new { slug = site, name = "Acme Help", accentColour = "#0A7D5A", isPublished })
            .ExpectAsync(HttpStatusCode.OK);
        return (site, owner, workspace.WorkspaceId);
    }

    // Absolute links (canonical, alternates, sitemap) start with the installation's public address.
    private string Base => Factory.Services.GetRequiredService<Porchlight.Server.Hosting.PublicUrls>().Base;

    private HttpClient Reader(string userAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36")
    {
        var reader = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        reader.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        return reader;
    }

    private static async Task<string> PageAsync(HttpClient reader, string path)
    {
        var response = await reader.GetAsync(path, Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}\n{html}");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        return html;
    }

    private static Task<HttpResponseMessage> AnswerAsync(HttpClient reader, string path, string helpful) =>
        reader.PostAsync(path + "/feedback", new FormUrlEncodedContent([new("helpful", helpful)]), Ct);

    private static async Task<JsonElement> ArticleAsync(HttpClient owner, Guid article) =>
        (await owner.GetJsonAsync($"/api/v1/knowledge-base/articles/{article}")).GetProperty("article");

}

public sealed class HelpCenterSqliteTests(SqliteApiFixture fixture) : HelpCenterTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class HelpCenterPostgresTests(PostgresApiFixture fixture) : HelpCenterTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
