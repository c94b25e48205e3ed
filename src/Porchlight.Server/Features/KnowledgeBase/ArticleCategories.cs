using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.KnowledgeBase;

/// <summary>A category as written; <c>slug</c> left empty is made from the name.</summary>
public sealed record ArticleCategoryRequest(string? Name, string? Slug, string? Description);

public sealed record ArticleCategoryResponse(Guid Id, string Name, string Slug, string Description, int Position, int Articles);

/// <summary>The knowledge base's categories, in the order the help center shows them. Deleting one leaves its articles without a category.</summary>
public sealed class ArticleCategories(AppDbContext db, ActingAgent actor)
{
    public async Task<List<ArticleCategoryResponse>> ListAsync(CancellationToken cancellationToken)
    {
        var counts = await db.Articles.Where(a => a.CategoryId != null).GroupBy(a => a.CategoryId!.Value)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        return (await db.ArticleCategories.AsNoTracking().OrderBy(c => c.Position).ThenBy(c => c.Name).ToListAsync(cancellationToken))
            .ConvertAll(c => Describe(c, counts.GetValueOrDefault(c.Id)));
    }

    public async Task<Result<ArticleCategoryResponse>> CreateAsync(ArticleCategoryRequest request, CancellationToken cancellationToken)
    {
        var positions = await db.ArticleCategories.Select(c => c.Position).ToListAsync(cancellationToken);
        if (positions.Count >= ArticleCategory.MaxCategories)
        {
            return Failure.Conflict($"A knowledge base has at most {ArticleCategory.MaxCategories} categories.");
        }

        var category = ArticleCategory.Create(actor.WorkspaceId, positions.Count == 0 ? 1 : positions.Max() + 1);
        if (await ApplyAsync(category, request, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        db.ArticleCategories.Add(category);
        await db.SaveChangesAsync(cancellationToken);
        return Describe(category, 0);
    }

    public async Task<Result<ArticleCategoryResponse>> UpdateAsync(Guid categoryId, ArticleCategoryRequest request, CancellationToken cancellationToken)
    {
        if (await db.ArticleCategories.FirstOrDefaultAsync(c => c.Id == categoryId, cancellationToken) is not { } category)
        {
            return Failure.NotFound("The category");
        }

        if (await ApplyAsync(category, request, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        await db.SaveChangesAsync(cancellationToken);
        return Describe(category, await db.Articles.CountAsync(a => a.CategoryId == categoryId, cancellationToken));
    }

    public async Task<Result<Done>> DeleteAsync(Guid categoryId, CancellationToken cancellationToken)
    {
        if (await db.ArticleCategories.FirstOrDefaultAsync(c => c.Id == categoryId, cancellationToken) is not { } category)
        {
            return Failure.NotFound("The category");
        }

        db.ArticleCategories.Remove(category);
        await db.SaveChangesAsync(cancellationToken);
        return new Done();
    }

    private static ArticleCategoryResponse Describe(ArticleCategory c, int articles) => new(c.Id, c.Name, c.Slug, c.Description, c.Position, articles);

    private async Task<Failure?> ApplyAsync(ArticleCategory category, ArticleCategoryRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .Required("name", request.Name, ArticleCategory.MaxNameLength)
            .MaxLength("description", request.Description, Article.MaxDescriptionLength);
        var slug = string.IsNullOrWhiteSpace(request.Slug) ? Articles.SlugFrom(request.Name ?? "") : request.Slug.Trim();
        if (!Articles.IsSlug(slug))
        {
            errors.Add("slug", Articles.SlugRule);
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        if (await db.ArticleCategories.AnyAsync(c => c.Id != category.Id && c.Slug == slug, cancellationToken))
        {
            return Failure.Duplicate("slug", $"Another category has the address “{slug}”.");
        }

        category.Change(request.Name!.Trim(), slug, request.Description?.Trim() ?? "");
        return null;
    }
}
