using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.KnowledgeBase;

/// <summary>An article as the help center lists it.</summary>
public sealed record HelpArticleLink(string Slug, string Title, string Description, DateTime UpdatedAt);

/// <summary>A category with its published articles in one language; <c>Category</c> null holds the articles without one.</summary>
public sealed record HelpShelf(ArticleCategory? Category, List<HelpArticleLink> Articles);

/// <summary>An article as a reader sees it: sanitized HTML, who wrote it, where it sits, what else to read, other languages.</summary>
public sealed record HelpArticleView(
    Article Article, string Html, string AuthorName, ArticleCategory? Category, List<HelpArticleLink> Related, List<HelpTranslation> Translations);

public sealed record HelpTranslation(string Locale, string Slug, string Title);

/// <summary>One address of the sitemap.</summary>
public sealed record HelpSitemapEntry(string Path, DateTime? LastModified);

/// <summary>
/// What the public help center (and the widget, <see cref="VisitorArticles"/>) reads: published articles only, of the one workspace whose help center has the
/// slug in the address. Readers are anonymous, so <see cref="OpenAsync"/> finds the site outside the tenant filter
/// and then enters its workspace: every later query is scoped by the filter, as an agent's would be.
/// </summary>
public sealed class HelpCenterSite(AppDbContext db, TenantScope tenant, ArticleSearch search)
{
    public const int ArticlesPerShelf = 6;

    /// <summary>The published help center at <paramref name="slug"/>, or null (not there, or switched off).</summary>
    public async Task<HelpCenter?> OpenAsync(string slug, CancellationToken cancellationToken)
    {
        var center = await db.HelpCenters.IgnoreQueryFilters().AsNoTracking()
            .FirstOrDefaultAsync(h => h.Slug == slug && h.IsPublished, cancellationToken);
        if (center is not null)
        {
            tenant.Enter(center.WorkspaceId);
        }

        return center;
    }

    /// <summary>The languages that have published articles, the default first.</summary>
    public async Task<List<string>> LocalesAsync(HelpCenter center, CancellationToken cancellationToken)
    {
        var locales = await Published().Select(a => a.Locale).Distinct().ToListAsync(cancellationToken);
        return [.. locales.Append(center.DefaultLocale).Distinct().OrderBy(l => l != center.DefaultLocale).ThenBy(l => l, StringComparer.Ordinal)];
    }

    /// <summary>Every category with articles in <paramref name="locale"/>, in the categories' order, then the articles without one.</summary>
    public async Task<List<HelpShelf>> ShelvesAsync(string locale, CancellationToken cancellationToken)
    {
        var categories = await db.ArticleCategories.AsNoTracking().OrderBy(c => c.Position).ThenBy(c => c.Name).ToListAsync(cancellationToken);
        var articles = await Published().Where(a => a.Locale == locale).OrderBy(a => a.Title)
            .Select(a => new { a.CategoryId, Link = new HelpArticleLink(a.Slug, a.Title, a.Description, a.UpdatedAt) })
            .ToListAsync(cancellationToken);
        var byCategory = articles.ToLookup(a => a.CategoryId, a => a.Link);
        var shelves = categories.Where(c => byCategory.Contains(c.Id)).Select(c => new HelpShelf(c, [.. byCategory[c.Id]])).ToList();
        return byCategory.Contains(null) ? [.. shelves, new HelpShelf(null, [.. byCategory[null]])] : shelves;
    }

    public async Task<HelpShelf?> CategoryAsync(string locale, string slug, CancellationToken cancellationToken)
    {
        if (await db.ArticleCategories.AsNoTracking().FirstOrDefaultAsync(c => c.Slug == slug, cancellationToken) is not { } category)
        {
            return null;
        }

        var articles = await Published().Where(a => a.Locale == locale && a.CategoryId == category.Id).OrderBy(a => a.Title)
            .Select(a => new HelpArticleLink(a.Slug, a.Title, a.Description, a.UpdatedAt)).ToListAsync(cancellationToken);
        return new HelpShelf(category, articles);
    }

    public async Task<HelpArticleView?> ArticleAsync(string locale, string slug, CancellationToken cancellationToken)
    {
        if (await Published().FirstOrDefaultAsync(a => a.Locale == locale && a.Slug == slug, cancellationToken) is not { } article)
        {
            return null;
        }

        var author = await db.Agents.AsNoTracking().Where(a => a.Id == article.AuthorId).Select(a => a.DisplayName).FirstOrDefaultAsync(cancellationToken);
        var category = article.CategoryId is { } categoryId
            ? await db.ArticleCategories.AsNoTracking().FirstOrDefaultAsync(c => c.Id == categoryId, cancellationToken)
            : null;
        var related = await Published().Where(a => article.RelatedArticleIds.Contains(a.Id) && a.Locale == locale)
            .Select(a => new { a.Id, Link = new HelpArticleLink(a.Slug, a.Title, a.Description, a.UpdatedAt) }).ToListAsync(cancellationToken);
        var translations = await Published().Where(a => a.TranslationGroupId == article.TranslationGroupId && a.Id != article.Id)
            .OrderBy(a => a.Locale).Select(a => new HelpTranslation(a.Locale, a.Slug, a.Title)).ToListAsync(cancellationToken);
        return new HelpArticleView(article, ArticleMarkdown.ToHtml(article.Body), author ?? "The support team", category,
            [.. article.RelatedArticleIds.SelectMany(id => related.Where(r => r.Id == id).Select(r => r.Link))], translations);
    }

    /// <summary>The published article at this address, by id only: for counting an answer, without reading the article.</summary>
    public Task<Guid?> ArticleIdAsync(string locale, string slug, CancellationToken cancellationToken) =>
        Published().Where(a => a.Locale == locale && a.Slug == slug).Select(a => (Guid?)a.Id).FirstOrDefaultAsync(cancellationToken);

    public Task<ArticleSearchResults> SearchAsync(Guid workspaceId, string locale, string query, int limit, CancellationToken cancellationToken) =>
        search.SearchAsync(workspaceId, query, ArticleStatus.Published, locale, limit, cancellationToken);

    /// <summary>
    /// Counts a reading. One statement that adds to the stored count, so readings at the same moment all count;
    /// the article's update time is left alone (a reading is not an edit).
    /// </summary>
    public Task RecordViewAsync(Guid articleId, CancellationToken cancellationToken) =>
        db.Articles.Where(a => a.Id == articleId).ExecuteUpdateAsync(u => u.SetProperty(a => a.Views, a => a.Views + 1), cancellationToken);

    /// <summary>
    /// Counts an answer to "Was this helpful?". A reader who changes their answer moves their vote
    /// (<paramref name="previous"/> is what they answered before, from their browser); the same answer twice counts once.
    /// </summary>
    public async Task RecordFeedbackAsync(Guid articleId, bool helpful, bool? previous, CancellationToken cancellationToken)
    {
        if (previous == helpful)
        {
            return;
        }

        var helpfulChange = (helpful ? 1 : 0) - (previous == true ? 1 : 0);
        var notHelpfulChange = (helpful ? 0 : 1) - (previous == false ? 1 : 0);
        await db.Articles.Where(a => a.Id == articleId).ExecuteUpdateAsync(u => u
            .SetProperty(a => a.Helpful, a => Math.Max(0, a.Helpful + helpfulChange))
            .SetProperty(a => a.NotHelpful, a => Math.Max(0, a.NotHelpful + notHelpfulChange)), cancellationToken);
    }

    /// <summary>The site's addresses for search engines: each language's front page, its categories, and every published article.</summary>
    public async Task<List<HelpSitemapEntry>> SitemapAsync(HelpCenter center, CancellationToken cancellationToken)
    {
        var articles = await Published().Select(a => new { a.Locale, a.Slug, a.UpdatedAt, a.CategoryId }).ToListAsync(cancellationToken);
        var categories = await db.ArticleCategories.AsNoTracking().Select(c => new { c.Id, c.Slug }).ToListAsync(cancellationToken);
        var entries = new List<HelpSitemapEntry>();
        foreach (var locale in articles.Select(a => a.Locale).Append(center.DefaultLocale).Distinct().Order(StringComparer.Ordinal))
        {
            var inLocale = articles.Where(a => a.Locale == locale).ToList();
            entries.Add(new(HelpCenterPaths.Home(center.Slug, locale), inLocale.Count == 0 ? null : inLocale.Max(a => a.UpdatedAt)));
            entries.AddRange(categories.Where(c => inLocale.Any(a => a.CategoryId == c.Id))
                .Select(c => new HelpSitemapEntry(HelpCenterPaths.Category(center.Slug, locale, c.Slug), inLocale.Where(a => a.CategoryId == c.Id).Max(a => a.UpdatedAt))));
            entries.AddRange(inLocale.OrderBy(a => a.Slug, StringComparer.Ordinal)
                .Select(a => new HelpSitemapEntry(HelpCenterPaths.Article(center.Slug, locale, a.Slug), a.UpdatedAt)));
        }

        return entries;
    }

    /// <summary>The published articles of the workspace entered.</summary>
    public IQueryable<Article> Published() => db.Articles.AsNoTracking().Where(a => a.Status == ArticleStatus.Published);
}

/// <summary>The help center's addresses. Slugs and language tags are validated to letters, digits and dashes, so they need no escaping.</summary>
public static class HelpCenterPaths
{
    public static string Site(string site) => $"/help/{site}";

    public static string Home(string site, string locale) => $"/help/{site}/{locale}";

    public static string Category(string site, string locale, string slug) => $"/help/{site}/{locale}/categories/{slug}";

    public static string Article(string site, string locale, string slug) => $"/help/{site}/{locale}/articles/{slug}";

    public static string Search(string site, string locale) => $"/help/{site}/{locale}/search";
}
