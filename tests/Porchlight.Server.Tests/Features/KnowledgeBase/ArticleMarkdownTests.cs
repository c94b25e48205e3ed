using AngleSharp.Html.Parser;
using Porchlight.Server.Features.KnowledgeBase;

namespace Porchlight.Server.Tests.Features.KnowledgeBase;

/// <summary>Article Markdown renders as the author meant, and nothing in it can run in a reader's page.</summary>
public sealed class ArticleMarkdownTests
{
    private static readonly string[] Forbidden = ["script", "iframe", "object", "embed", "form", "input", "button", "svg", "math", "style", "link", "meta", "base"];

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("<img src=x onerror=alert(1)>")]
    [InlineData("[click](javascript:alert(1))")]
    [InlineData("[click](JaVaScRiPt:alert(1))")]
    [InlineData("![x](javascript:alert(1))")]
    [InlineData("[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)")]
    [InlineData("<a href=\"javascript:alert(1)\">x</a>")]
    [InlineData("<iframe src=\"https://evil.example\"></iframe>")]
    [InlineData("<div style=\"background:url(javascript:alert(1))\" onclick=\"alert(1)\">x</div>")]
    [InlineData("<svg><script>alert(1)</script></svg>")]
    [InlineData("<form action=\"https://evil.example\"><input name=password></form>")]
    public void ToHtml_AttackInTheMarkdown_NothingThatRunsOrSubmitsRemains(string markdown)
    {
        var html = ArticleMarkdown.ToHtml(markdown);

        // Read as a browser would: what is left must be text, or elements that neither run nor send anything.
        using var document = new HtmlParser().ParseDocument($"<body>{html}</body>");
        foreach (var element in document.Body!.QuerySelectorAll("*"))
        {
            Assert.DoesNotContain(element.LocalName, Forbidden);
            Assert.DoesNotContain(element.Attributes, a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase) || a.Name == "style");
            foreach (var link in element.Attributes.Where(a => a.Name is "href" or "src"))
            {
                Assert.Matches("^(https?:|mailto:|[^:]*$)", link.Value.Trim().ToLowerInvariant());
            }
        }
    }

    [Fact]
    public void ToHtml_EverydayArticle_HeadingsListsCodeTablesAndLinksRender()
    {
        var html = ArticleMarkdown.ToHtml("""
            ## Returning an order

            1. Open **Orders**
            2. Choose *Return*

            Use `RETURN-42` as the code, or mail [us](mailto:help@example.com). See [the policy](https://shop.example/returns).

            | Days | Refund |
            |---|---|
            | 30 | full |
            """);

        Assert.Contains("<h2>Returning an order</h2>", html, StringComparison.Ordinal); // no ids: they could clobber the page's own
        Assert.Contains("<li>Open <strong>Orders</strong></li>", html, StringComparison.Ordinal);
        Assert.Contains("<code>RETURN-42</code>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"mailto:help@example.com\">us</a>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://shop.example/returns\" rel=\"nofollow noopener noreferrer\">the policy</a>", html, StringComparison.Ordinal);
        Assert.Contains("<td>full</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void ToHtml_HtmlWrittenAsText_ShownAsTextNotMarkup()
    {
        var html = ArticleMarkdown.ToHtml("Type <b>bold</b> to get bold.");

        Assert.Contains("&lt;b&gt;bold&lt;/b&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void ToPlainText_MarkdownArticle_OneLineOfItsWords()
    {
        Assert.Equal("Returning an order Open Orders and choose Return.", ArticleMarkdown.ToPlainText("## Returning an order\n\nOpen **Orders** and choose *Return*."));
    }

    [Theory]
    [InlineData("How do I return an order?", "how-do-i-return-an-order")]
    [InlineData("Rückgabe & Umtausch — schnell erklärt", "ruckgabe-umtausch-schnell-erklart")]
    [InlineData("  ---  ", "article")]
    public void SlugFrom_Title_LowerCaseAsciiJoinedByDashes(string title, string slug) => Assert.Equal(slug, Articles.SlugFrom(title));

    [Fact]
    public void ToChatText_ArticleWithHeadingsLinksAndAnImage_ReadsAsAChatMessage()
    {
        const string Article = "## Returns\r\n\r\n\r\n\r\nYou have **30 days**. See the [warranty](warranty-on-our-gear) or [our policy](https://example.com/policy \"Policy\").\n\n"
            + "- Print the label\n- Drop the parcel\n\n![Label](https://example.com/label.png)";

        var text = ArticleMarkdown.ToChatText(Article);

        Assert.Equal(
            "Returns\n\nYou have **30 days**. See the warranty or our policy (https://example.com/policy).\n\n- Print the label\n- Drop the parcel\n\nhttps://example.com/label.png",
            text);
    }
}
