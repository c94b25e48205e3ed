using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;

namespace Porchlight.Server.Features.KnowledgeBase;

public enum ArticleStatus
{
    /// <summary>Only agents see it; the help center, the widget and the assistant do not.</summary>
    Draft = 0,

    Published = 1,
}

/// <summary>
/// A knowledge-base article: Markdown written by agents, rendered sanitized. Translations of one article share a
/// <see cref="TranslationGroupId"/> (the first article's id), one per locale; the slug is unique per locale, so
/// a help-center address names one article.
/// </summary>
public sealed class Article : Entity, IWorkspaceOwned, IAudited
{
    public const int MaxTitleLength = 150;
    public const int MaxSlugLength = 100;
    public const int MaxDescriptionLength = 300;
    public const int MaxBodyLength = 100_000;
    public const int MaxLocaleLength = 10;
    public const int MaxRelated = 10;

    private Article()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public Guid? CategoryId { get; private set; }

    public Guid TranslationGroupId { get; private set; }

    /// <summary>A BCP 47 language tag, lower case: <c>en</c>, <c>de</c>, <c>pt-br</c>.</summary>
    public string Locale { get; private set; } = "";

    public string Title { get; private set; } = "";

    public string Slug { get; private set; } = "";

    /// <summary>One or two sentences: the help center's meta description and the line under the title in lists. Left empty, the start of the body.</summary>
    public string Description { get; private set; } = "";

    public string Body { get; private set; } = "";

    /// <summary>The body without its Markdown: what search indexes and its snippets quote.</summary>
    [AuditIgnore]
    public string PlainText { get; private set; } = "";

    public ArticleStatus Status { get; private set; }

    public Guid AuthorId { get; private set; }

    public List<Guid> RelatedArticleIds { get; private set; } = [];

    public DateTime CreatedAt { get; private set; }

    public DateTime UpdatedAt { get; private set; }

    public DateTime? PublishedAt { get; private set; }

    [AuditIgnore]
    public int Views { get; private set; }

    [AuditIgnore]
    public int Helpful { get; private set; }

    [AuditIgnore]
    public int NotHelpful { get; private set; }

    public static Article Create(Guid workspaceId, Guid? translationOf, Guid authorId, DateTime now)
    {
        var article = new Article { WorkspaceId = workspaceId, AuthorId = authorId, CreatedAt = now, UpdatedAt = now };
        article.TranslationGroupId = translationOf ?? article.Id;
        return article;
    }

    public void Change(
        Guid? categoryId, string locale, string title, string slug, string description, string body, ArticleStatus status,
        IEnumerable<Guid> relatedArticleIds, Guid authorId, DateTime now)
    {
        CategoryId = categoryId;
        Locale = locale;
        Title = title;
        Slug = slug;
        Body = body;
        PlainText = ArticleMarkdown.ToPlainText(body);
        Description = description.Length > 0 ? description : Excerpt(PlainText);
        RelatedArticleIds = [.. relatedArticleIds.Distinct().Where(id => id != Id)];
        AuthorId = authorId;
        UpdatedAt = now;
        if (status == ArticleStatus.Published && PublishedAt is null)
        {
            PublishedAt = now;
        }

        Status = status;
    }

    private static string Excerpt(string text) => text.Length <= 160 ? text : text[..159].TrimEnd() + "…";
}

/// <summary>A shelf of the help center: articles are listed under their category, in the categories' order.</summary>
public sealed class ArticleCategory : Entity, IWorkspaceOwned, IAudited
{
    public const int MaxNameLength = 80;
    public const int MaxCategories = 100;

    private ArticleCategory()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public string Name { get; private set; } = "";

    public string Slug { get; private set; } = "";

    public string Description { get; private set; } = "";

    public int Position { get; private set; }

    public static ArticleCategory Create(Guid workspaceId, int position) => new() { WorkspaceId = workspaceId, Position = position };

    public void Change(string name, string slug, string description)
    {
        Name = name;
        Slug = slug;
        Description = description;
    }
}

internal sealed class ArticleConfiguration : IEntityTypeConfiguration<Article>
{
    public void Configure(EntityTypeBuilder<Article> builder)
    {
        builder.Property(a => a.Locale).HasMaxLength(Article.MaxLocaleLength);
        builder.Property(a => a.Title).HasMaxLength(Article.MaxTitleLength);
        builder.Property(a => a.Slug).HasMaxLength(Article.MaxSlugLength);
        builder.Property(a => a.Description).HasMaxLength(Article.MaxDescriptionLength);
        builder.Property(a => a.RelatedArticleIds).HasConversion(JsonColumn.Converter<List<Guid>>(), JsonColumn.Comparer<List<Guid>>());
        builder.HasIndex(a => new { a.WorkspaceId, a.Locale, a.Slug }).IsUnique();
        builder.HasIndex(a => new { a.TranslationGroupId, a.Locale }).IsUnique();
        builder.HasIndex(a => new { a.WorkspaceId, a.CategoryId });
        builder.HasOne<ArticleCategory>().WithMany().HasForeignKey(a => a.CategoryId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class ArticleCategoryConfiguration : IEntityTypeConfiguration<ArticleCategory>
{
    public void Configure(EntityTypeBuilder<ArticleCategory> builder)
    {
        builder.Property(c => c.Name).HasMaxLength(ArticleCategory.MaxNameLength);
        builder.Property(c => c.Slug).HasMaxLength(Article.MaxSlugLength);
        builder.Property(c => c.Description).HasMaxLength(Article.MaxDescriptionLength);
        builder.HasIndex(c => new { c.WorkspaceId, c.Slug }).IsUnique();
    }
}
