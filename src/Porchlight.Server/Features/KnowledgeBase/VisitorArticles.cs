using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.KnowledgeBase;

/// <summary>
/// An article in the widget's list: with the matched words marked (<c>titleHtml</c>, <c>snippetHtml</c>: escaped
/// text with <c>&lt;mark&gt;</c>) when it was found by a search, plain otherwise.
/// </summary>
public sealed record VisitorArticleLink(Guid Id, string Title, string Description, string? TitleHtml, string? SnippetHtml);

/// <summary>
/// The widget's list: search results for <c>q</c>, or the most read articles when there is no query. <c>locale</c>
/// is the language the articles are in (the widget's own when it has articles, else the help center's default).
/// </summary>
public sealed record VisitorArticleList(string Locale, List<VisitorArticleLink> Articles, string? CorrectedQuery);

/// <summary>One article to read in the widget: sanitized HTML, and its help-center address when the help center is published.</summary>
public sealed record VisitorArticle(Guid Id, string Title, string Html, DateTime UpdatedAt, string? Url);

/// <summary>A visitor's answer to "Was this helpful?"; <c>previous</c> is what this browser answered before, if it did.</summary>
public sealed record VisitorFeedbackRequest(bool? Helpful, bool? Previous);

/// <summary>
/// The knowledge base as the widget shows it: anyone with the inbox's public token may search and read the
/// workspace's published articles, as on the help center. Drafts and other workspaces' articles answer 404.
/// </summary>
public sealed class VisitorArticles(AppDbContext db, TenantScope tenant, HelpCenterSite site, HelpCenterSettings helpCenter, TimeProvider clock)
{
    public const int Popular = 5;
    public const int SearchResults = 8;

    public async Task<Result<VisitorArticleList>> ListAsync(string inboxToken, string? query, string? locale, CancellationToken cancellationToken)
    {
        if (await Widget.WidgetInboxes.FindAsync(db, tenant, inboxToken, cancellationToken) is not { } inbox)
        {
            return Failure.NotFound("The inbox");
        }

        var language = await LanguageAsync(locale, cancellationToken);
        if (string.IsNullOrWhiteSpace(query))
        {
            var popular = await site.Published().Where(a => a.Locale == language).OrderByDescending(a => a.Views).ThenBy(a => a.Title).Take(Popular)
                .Select(a => new VisitorArticleLink(a.Id, a.Title, a.Description, null, null)).ToListAsync(cancellationToken);
            return new VisitorArticleList(language, popular, null);
        }

        var found = await site.SearchAsync(inbox.WorkspaceId, language, query, SearchResults, cancellationToken);
        return new VisitorArticleList(
            language,
            [.. found.Hits.Select(h => new VisitorArticleLink(h.Article.Id, h.Article.Title, h.Article.Description, h.TitleHtml, h.SnippetHtml))],
            found.CorrectedQuery);
    }

    /// <summary>
    /// The article, counted as read; read by <paramref name="visitor"/> (the widget sends its token when it has one),
    /// also recorded as theirs, for the article deflection report.
    /// </summary>
    public async Task<Result<VisitorArticle>> GetAsync(string inboxToken, Guid articleId, Widget.VisitorIdentity? visitor, CancellationToken cancellationToken)
    {
        if (await Widget.WidgetInboxes.FindAsync(db, tenant, inboxToken, cancellationToken) is not { } inbox
            || await site.Published().FirstOrDefaultAsync(a => a.Id == articleId, cancellationToken) is not { } article)
        {
            return Failure.NotFound("The article");
        }

        await site.RecordViewAsync(article.Id, cancellationToken);
        if (visitor is not null && visitor.InboxId == inbox.Id)
        {
            await RecordReadAsync(article, visitor, cancellationToken);
        }

        var links = await helpCenter.PublicArticleLinksAsync(cancellationToken);
        return new VisitorArticle(article.Id, article.Title, ArticleMarkdown.ToHtml(article.Body), article.UpdatedAt,
            links?.Invoke(article.Locale, article.Slug));
    }

    public async Task<Result<Done>> FeedbackAsync(string inboxToken, Guid articleId, VisitorFeedbackRequest request, CancellationToken cancellationToken)
    {
        if (request.Helpful is not { } helpful)
        {
            return Failure.Invalid("helpful", "true or false.");
        }

        if (await Widget.WidgetInboxes.FindAsync(db, tenant, inboxToken, cancellationToken) is null
            || !await site.Published().AnyAsync(a => a.Id == articleId, cancellationToken))
        {
            return Failure.NotFound("The article");
        }

        await site.RecordFeedbackAsync(articleId, helpful, request.Previous, cancellationToken);
        return new Done();
    }

    private async Task RecordReadAsync(Article article, Widget.VisitorIdentity visitor, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var since = now - ArticleRead.SameRead;
        if (!await db.ArticleReads.AnyAsync(r => r.ContactId == visitor.ContactId && r.ReadAt >= since && r.ArticleId == article.Id, cancellationToken))
        {
            db.ArticleReads.Add(ArticleRead.Of(article.WorkspaceId, article.Id, visitor.InboxId, visitor.ContactId, now));
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    private async Task<string> LanguageAsync(string? locale, CancellationToken cancellationToken)
    {
        var wanted = locale?.Trim().ToLowerInvariant() ?? "";
        if (Articles.IsLocale(wanted) && await site.Published().AnyAsync(a => a.Locale == wanted, cancellationToken))
        {
            return wanted;
        }

        return await db.HelpCenters.AsNoTracking().Select(h => h.DefaultLocale).FirstOrDefaultAsync(cancellationToken) ?? Articles.DefaultLocale;
    }
}
