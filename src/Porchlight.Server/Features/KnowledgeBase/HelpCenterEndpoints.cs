using System.Globalization;
using System.Text;
using System.Xml;
using Microsoft.AspNetCore.Http.HttpResults;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.KnowledgeBase;

/// <summary>What every help-center page knows: whose site, which language, which languages there are, and the public address for absolute links.</summary>
public sealed record HelpPageContext(HelpCenter Center, string Locale, IReadOnlyList<string> Locales, string PublicBase)
{
    public string Absolute(string path) => PublicBase + path;

    /// <summary>The help center's own words in this page's language.</summary>
    public HelpCenterText Text => HelpCenterText.For(Locale);

    /// <summary>Dates as the reader's language writes them, where .NET knows the language.</summary>
    public CultureInfo Culture
    {
        get
        {
            try
            {
                return CultureInfo.GetCultureInfo(Locale);
            }
            catch (CultureNotFoundException)
            {
                return CultureInfo.InvariantCulture;
            }
        }
    }
}

/// <summary>
/// The public help center at <c>/help/{site}</c>: plain server-rendered pages (no script), one address per page,
/// a sitemap for search engines. Anonymous, so rate-limited per client address like the widget.
/// </summary>
public static class HelpCenterEndpoints
{
    // Answers are remembered per article in a cookie scoped to the article's own address.
    private const string FeedbackCookie = "pl-helpful";

    public static IServiceCollection AddHelpCenter(this IServiceCollection services) => services.AddScoped<HelpCenterSite>();

    public static void MapHelpCenter(this WebApplication app)
    {
        var help = app.MapGroup("/help/{site}").RequireRateLimiting(ClientRateLimits.HelpCenter)
            .WithMetadata(new BodySizeLimit(ApiSetup.MaxFormBodyBytes)).ExcludeFromDescription();
        help.MapGet("/", async Task<IResult> (string site, HelpCenterSite reader, CancellationToken ct) =>
            await reader.OpenAsync(site, ct) is { } center
                ? Results.Redirect(HelpCenterPaths.Home(center.Slug, center.DefaultLocale))
                : NotFound());
        help.MapGet("/sitemap.xml", SitemapAsync);
        help.MapGet("/{locale}", async Task<IResult> (string site, string locale, HelpCenterSite reader, PublicUrls urls, CancellationToken ct) =>
            await ContextAsync(site, locale, reader, urls, ct) is { } page
                ? Page<HelpHomePage>(new() { [nameof(HelpHomePage.Page)] = page, [nameof(HelpHomePage.Shelves)] = await reader.ShelvesAsync(locale, ct) })
                : NotFound());
        help.MapGet("/{locale}/search", async Task<IResult> (string site, string locale, string? q, HelpCenterSite reader, PublicUrls urls, CancellationToken ct) =>
            await ContextAsync(site, locale, reader, urls, ct) is { } page
                ? Page<HelpSearchPage>(new()
                {
                    [nameof(HelpSearchPage.Page)] = page,
                    [nameof(HelpSearchPage.Query)] = q ?? "",
                    [nameof(HelpSearchPage.Results)] = await reader.SearchAsync(page.Center.WorkspaceId, locale, q ?? "", 20, ct),
                })
                : NotFound());
        help.MapGet("/{locale}/categories/{slug}", async Task<IResult> (string site, string locale, string slug, HelpCenterSite reader, PublicUrls urls, CancellationToken ct) =>
            await ContextAsync(site, locale, reader, urls, ct) is { } page && await reader.CategoryAsync(locale, slug, ct) is { Articles.Count: > 0 } shelf
                ? Page<HelpCategoryPage>(new() { [nameof(HelpCategoryPage.Page)] = page, [nameof(HelpCategoryPage.Shelf)] = shelf })
                : NotFound());
        help.MapGet("/{locale}/articles/{slug}", ArticleAsync);
        help.MapPost("/{locale}/articles/{slug}/feedback", FeedbackAsync);
    }

    private static async Task<IResult> ArticleAsync(
        string site, string locale, string slug, bool? thanks, HttpContext http, HelpCenterSite reader, PublicUrls urls, CancellationToken ct)
    {
        if (await ContextAsync(site, locale, reader, urls, ct) is not { } page || await reader.ArticleAsync(locale, slug, ct) is not { } view)
        {
            return NotFound();
        }

        if (!IsRobot(http.Request.Headers.UserAgent.ToString()))
        {
            await reader.RecordViewAsync(view.Article.Id, ct);
        }

        return Page<HelpArticlePage>(new()
        {
            [nameof(HelpArticlePage.Page)] = page,
            [nameof(HelpArticlePage.View)] = view,
            [nameof(HelpArticlePage.Answer)] = AnswerOf(http.Request.Cookies[FeedbackCookie]),
            [nameof(HelpArticlePage.Thanks)] = thanks == true,
        });
    }

    /// <summary>A plain form post (the page has no script); answered with a redirect back to the article, which then says thank you.</summary>
    private static async Task<IResult> FeedbackAsync(string site, string locale, string slug, HttpContext http, HelpCenterSite reader, CancellationToken ct)
    {
        if (!Articles.IsLocale(locale) || await reader.OpenAsync(site, ct) is not { } center || await reader.ArticleIdAsync(locale, slug, ct) is not { } articleId)
        {
            return NotFound();
        }

        var form = await http.Request.ReadFormOrNullAsync(ct);
        var helpful = form?["helpful"].ToString() switch { "yes" => true, "no" => (bool?)false, _ => null };
        if (helpful is null)
        {
            return ProblemResults.From(Failure.Invalid("helpful", "yes or no."));
        }

        var path = HelpCenterPaths.Article(center.Slug, locale, slug);
        await reader.RecordFeedbackAsync(articleId, helpful.Value, AnswerOf(http.Request.Cookies[FeedbackCookie]), ct);
        http.Response.Cookies.Append(FeedbackCookie, helpful.Value ? "yes" : "no", new CookieOptions
        {
            Path = path,
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = http.Request.IsHttps,
            MaxAge = TimeSpan.FromDays(365),
            IsEssential = true,
        });
        return Results.Redirect(path + "?thanks=true#feedback");
    }

    private static async Task<IResult> SitemapAsync(string site, HelpCenterSite reader, PublicUrls urls, CancellationToken ct)
    {
        if (await reader.OpenAsync(site, ct) is not { } center)
        {
            return NotFound();
        }

        var xml = new StringBuilder();
        using (var writer = XmlWriter.Create(xml, new XmlWriterSettings { Indent = true, Async = true }))
        {
            await writer.WriteStartDocumentAsync();
            writer.WriteStartElement("urlset", "http://www.sitemaps.org/schemas/sitemap/0.9");
            foreach (var entry in await reader.SitemapAsync(center, ct))
            {
                writer.WriteStartElement("url");
                writer.WriteElementString("loc", urls.To(entry.Path));
                if (entry.LastModified is { } modified)
                {
                    writer.WriteElementString("lastmod", modified.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                }

                writer.WriteEndElement();
            }

            writer.WriteEndElement();
        }

        // The writer declares the StringBuilder's UTF-16; the response is UTF-8 and says so.
        return Results.Text(xml.ToString().Replace("encoding=\"utf-16\"", "encoding=\"utf-8\"", StringComparison.Ordinal), "application/xml; charset=utf-8");
    }

    private static async Task<HelpPageContext?> ContextAsync(string site, string locale, HelpCenterSite reader, PublicUrls urls, CancellationToken ct) =>
        Articles.IsLocale(locale) && await reader.OpenAsync(site, ct) is { } center
            ? new HelpPageContext(center, locale, await reader.LocalesAsync(center, ct), urls.Base)
            : null;

    private static RazorComponentResult<TPage> Page<TPage>(Dictionary<string, object?> parameters)
        where TPage : Microsoft.AspNetCore.Components.IComponent => new(parameters);

    private static RazorComponentResult<HelpNotFoundPage> NotFound() => new RazorComponentResult<HelpNotFoundPage> { StatusCode = StatusCodes.Status404NotFound };

    private static bool? AnswerOf(string? cookie) => cookie switch { "yes" => true, "no" => false, _ => null };

    // Crawlers read every page; counting them would make every article look popular.
    private static bool IsRobot(string userAgent) =>
        userAgent.Length == 0 || RobotMarks.Any(mark => userAgent.Contains(mark, StringComparison.OrdinalIgnoreCase));

    private static readonly string[] RobotMarks = ["bot", "crawl", "spider", "slurp", "preview"];
}
