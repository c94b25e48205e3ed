using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.KnowledgeBase;

/// <summary>
/// An article as written. <c>slug</c> left empty is made from the title; <c>description</c> left empty is the start
/// of the body; <c>locale</c> defaults to <c>en</c>; <c>translationOf</c> (create only) makes it a translation of
/// that article. Left out on update means empty, as on create: the request is the whole article.
/// </summary>
public sealed record ArticleRequest(
    string? Title, string? Body, string? Slug, string? Description, Guid? CategoryId, string? Locale, ArticleStatus? Status,
    Guid? TranslationOf, List<Guid>? RelatedArticleIds);

/// <summary>An article in a list: everything but its body.</summary>
public sealed record ArticleSummary(
    Guid Id, Guid TranslationGroupId, string Locale, string Title, string Slug, string Description, Guid? CategoryId, ArticleStatus Status,
    DateTime UpdatedAt, DateTime? PublishedAt, int Views, int Helpful, int NotHelpful)
{
    public static ArticleSummary From(Article a) => new(
        a.Id, a.TranslationGroupId, a.Locale, a.Title, a.Slug, a.Description, a.CategoryId, a.Status, a.UpdatedAt, a.PublishedAt, a.Views, a.Helpful, a.NotHelpful);
}

/// <summary>One translation of an article: which locale, and where to find it.</summary>
public sealed record ArticleTranslation(Guid Id, string Locale, string Title, ArticleStatus Status);

/// <summary>An article whole: its Markdown <c>body</c>, the same rendered and sanitized as <c>html</c>, its author and its translations.</summary>
public sealed record ArticleResponse(
    ArticleSummary Article, string Body, string Html, Guid AuthorId, string AuthorName, IReadOnlyList<Guid> RelatedArticleIds,
    IReadOnlyList<ArticleTranslation> Translations);

/// <summary>The workspace's knowledge-base articles, for agents: drafts included.</summary>
public sealed partial class Articles(AppDbContext db, ActingAgent actor, TimeProvider clock, ArticleSearch search)
{
    public const string DefaultLocale = "en";
    public const int MaxArticles = 10_000;

    public async Task<List<ArticleSummary>> ListAsync(ArticleStatus? status, Guid? categoryId, string? locale, CancellationToken cancellationToken)
    {
        var query = db.Articles.AsNoTracking();
        if (status is { } wanted)
        {
            query = query.Where(a => a.Status == wanted);
        }

        if (categoryId is { } category)
        {
            query = query.Where(a => a.CategoryId == category);
        }

        if (!string.IsNullOrWhiteSpace(locale))
        {
            var lower = locale.Trim().ToLowerInvariant();
            query = query.Where(a => a.Locale == lower);
        }

        return (await query.OrderBy(a => a.Title).ToListAsync(cancellationToken)).ConvertAll(ArticleSummary.From);
    }

    /// <summary>The workspace's articles matching <paramref name="query"/>, best first (see <see cref="ArticleSearch"/>).</summary>
    public Task<ArticleSearchResults> SearchAsync(string query, ArticleStatus? status, string? locale, int limit, CancellationToken cancellationToken) =>
        search.SearchAsync(actor.WorkspaceId, query, status, locale, limit, cancellationToken);

    public async Task<Result<ArticleResponse>> GetAsync(Guid articleId, CancellationToken cancellationToken) =>
        await db.Articles.AsNoTracking().FirstOrDefaultAsync(a => a.Id == articleId, cancellationToken) is { } article
            ? await DescribeAsync(article, cancellationToken)
            : Failure.NotFound("The article");

    public async Task<Result<ArticleResponse>> CreateAsync(ArticleRequest request, CancellationToken cancellationToken)
    {
        if (await db.Articles.CountAsync(cancellationToken) >= MaxArticles)
        {
            return Failure.Conflict($"A workspace has at most {MaxArticles} articles.");
        }

        Guid? group = null;
        if (request.TranslationOf is { } original)
        {
            group = await db.Articles.Where(a => a.Id == original).Select(a => (Guid?)a.TranslationGroupId).FirstOrDefaultAsync(cancellationToken);
            if (group is null)
            {
                return Failure.Invalid("translationOf", "No article of this workspace has this id.");
            }
        }

        var article = Article.Create(actor.WorkspaceId, group, actor.AgentId, clock.GetUtcNow().UtcDateTime);
        if (await ApplyAsync(article, request, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        db.Articles.Add(article);
        await db.SaveChangesAsync(cancellationToken);
        await ArticleVocabulary.AddAsync(db, actor.WorkspaceId, $"{article.Title} {article.PlainText}", cancellationToken);
        return await DescribeAsync(article, cancellationToken);
    }

    public async Task<Result<ArticleResponse>> UpdateAsync(Guid articleId, ArticleRequest request, CancellationToken cancellationToken)
    {
        if (await db.Articles.FirstOrDefaultAsync(a => a.Id == articleId, cancellationToken) is not { } article)
        {
            return Failure.NotFound("The article");
        }

        if (await ApplyAsync(article, request, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        await db.SaveChangesAsync(cancellationToken);
        await ArticleVocabulary.AddAsync(db, actor.WorkspaceId, $"{article.Title} {article.PlainText}", cancellationToken);
        return await DescribeAsync(article, cancellationToken);
    }

    public async Task<Result<Done>> DeleteAsync(Guid articleId, CancellationToken cancellationToken)
    {
        if (await db.Articles.FirstOrDefaultAsync(a => a.Id == articleId, cancellationToken) is not { } article)
        {
            return Failure.NotFound("The article");
        }

        db.Articles.Remove(article);
        await db.SaveChangesAsync(cancellationToken);
        return new Done();
    }

    /// <summary>A slug made from <paramref name="text"/>: lower-case ASCII letters and digits joined by single dashes.</summary>
    public static string SlugFrom(string text)
    {
        var plain = new StringBuilder();
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                plain.Append(c);
            }
        }

        var slug = NotSlug().Replace(plain.ToString().ToLowerInvariant(), "-").Trim('-');
        slug = slug.Length > Article.MaxSlugLength ? slug[..Article.MaxSlugLength].TrimEnd('-') : slug;
        return slug.Length == 0 ? "article" : slug;
    }

    public static readonly string SlugRule = $"Lower-case letters and digits joined by single dashes, at most {Article.MaxSlugLength} characters.";

    public static bool IsLocale(string locale) => locale.Length <= Article.MaxLocaleLength && LocaleShape().IsMatch(locale);

    public static bool IsSlug(string slug) => slug.Length <= Article.MaxSlugLength && SlugShape().IsMatch(slug);

    private async Task<Failure?> ApplyAsync(Article article, ArticleRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .Required("title", request.Title, Article.MaxTitleLength)
            .MaxLength("description", request.Description, Article.MaxDescriptionLength);
        if (string.IsNullOrWhiteSpace(request.Body))
        {
            errors.Add("body", "Required.");
        }
        else if (request.Body.Length > Article.MaxBodyLength)
        {
            errors.Add("body", $"At most {Article.MaxBodyLength} characters.");
        }

        var slug = string.IsNullOrWhiteSpace(request.Slug) ? SlugFrom(request.Title ?? "") : request.Slug.Trim();
        if (!IsSlug(slug))
        {
            errors.Add("slug", SlugRule);
        }

        var locale = string.IsNullOrWhiteSpace(request.Locale) ? DefaultLocale : request.Locale.Trim().ToLowerInvariant();
        if (!IsLocale(locale))
        {
            errors.Add("locale", "A language tag such as en, de or pt-br.");
        }

        if (request.CategoryId is { } categoryId && !await db.ArticleCategories.AnyAsync(c => c.Id == categoryId, cancellationToken))
        {
            errors.Add("categoryId", "No category of this workspace has this id.");
        }

        var related = request.RelatedArticleIds ?? [];
        if (related.Count > Article.MaxRelated)
        {
            errors.Add("relatedArticleIds", $"At most {Article.MaxRelated}.");
        }
        else if (related.Count > 0 && await db.Articles.CountAsync(a => related.Contains(a.Id), cancellationToken) != related.Distinct().Count())
        {
            errors.Add("relatedArticleIds", "Articles of this workspace.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        if (await db.Articles.AnyAsync(a => a.Id != article.Id && a.Locale == locale && a.Slug == slug, cancellationToken))
        {
            return Failure.Duplicate("slug", $"Another {locale} article has the address “{slug}”.");
        }

        if (await db.Articles.AnyAsync(a => a.Id != article.Id && a.TranslationGroupId == article.TranslationGroupId && a.Locale == locale, cancellationToken))
        {
            return Failure.Duplicate("locale", $"This article has a {locale} version already.");
        }

        var body = request.Body!.Trim();
        article.Change(request.CategoryId, locale, request.Title!.Trim(), slug, request.Description?.Trim() ?? "", body, request.Status ?? ArticleStatus.Draft,
            related, actor.AgentId, clock.GetUtcNow().UtcDateTime);
        return null;
    }

    private async Task<ArticleResponse> DescribeAsync(Article article, CancellationToken cancellationToken)
    {
        var author = await db.Agents.AsNoTracking().Where(a => a.Id == article.AuthorId).Select(a => a.DisplayName).FirstOrDefaultAsync(cancellationToken);
        var translations = await db.Articles.AsNoTracking()
            .Where(a => a.TranslationGroupId == article.TranslationGroupId && a.Id != article.Id)
            .OrderBy(a => a.Locale).Select(a => new ArticleTranslation(a.Id, a.Locale, a.Title, a.Status)).ToListAsync(cancellationToken);
        var related = await db.Articles.AsNoTracking().Where(a => article.RelatedArticleIds.Contains(a.Id)).Select(a => a.Id).ToListAsync(cancellationToken);
        return new ArticleResponse(
            ArticleSummary.From(article), article.Body, ArticleMarkdown.ToHtml(article.Body), article.AuthorId, author ?? "a former agent",
            [.. article.RelatedArticleIds.Where(related.Contains)], translations);
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotSlug();

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex SlugShape();

    [GeneratedRegex("^[a-z]{2,3}(-[a-z0-9]{2,8})*$")]
    private static partial Regex LocaleShape();
}
