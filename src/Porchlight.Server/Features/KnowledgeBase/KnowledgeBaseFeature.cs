using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.KnowledgeBase;

public static class KnowledgeBaseFeature
{
    public static IServiceCollection AddKnowledgeBase(this IServiceCollection services) => services
        .AddScoped<Articles>()
        .AddScoped<ArticleCategories>()
        .AddScoped<HelpCenterSettings>()
        .AddScoped<DemoKnowledgeBase>()
        .AddScoped<VisitorArticles>()
        .AddScoped<SuggestReplies>()
        .AddScoped<ArticleSearch>(sp => sp.GetRequiredService<AppDbContext>() is var db && db.Database.IsSqlite()
            ? new SqliteArticleSearch(db)
            : new PostgresArticleSearch(db));

    public static void MapKnowledgeBase(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/knowledge-base").WithTags("Knowledge base");
        group.MapGet("/categories", async (ArticleCategories useCase, CancellationToken ct) => TypedResults.Ok(await useCase.ListAsync(ct)))
            .RequirePermission(Permission.ViewConversations).Produces<List<ArticleCategoryResponse>>();
        group.MapPost("/categories", async (ArticleCategoryRequest request, ArticleCategories useCase, CancellationToken ct) =>
                (await useCase.CreateAsync(request, ct)).ToHttp(c => TypedResults.Created($"/api/v1/knowledge-base/categories/{c.Id}", c)))
            .RequirePermission(Permission.ManageKnowledgeBase).Produces<ArticleCategoryResponse>(StatusCodes.Status201Created);
        group.MapPut("/categories/{categoryId:guid}", async (Guid categoryId, ArticleCategoryRequest request, ArticleCategories useCase, CancellationToken ct) =>
                (await useCase.UpdateAsync(categoryId, request, ct)).ToOk())
            .RequirePermission(Permission.ManageKnowledgeBase).Produces<ArticleCategoryResponse>();
        group.MapDelete("/categories/{categoryId:guid}", async (Guid categoryId, ArticleCategories useCase, CancellationToken ct) =>
                (await useCase.DeleteAsync(categoryId, ct)).ToNoContent())
            .RequirePermission(Permission.ManageKnowledgeBase);

        api.MapGet("/conversations/{conversationId:guid}/suggestions", async (Guid conversationId, string? q, SuggestReplies useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(conversationId, q, ct)).ToOk())
            .WithTags("Knowledge base").RequirePermission(Permission.ViewConversations).Produces<ReplySuggestions>();
        group.MapGet("/help-center", async (HelpCenterSettings useCase, CancellationToken ct) => TypedResults.Ok(await useCase.GetAsync(ct)))
            .RequirePermission(Permission.ViewConversations).Produces<HelpCenterResponse>();
        group.MapPut("/help-center", async (HelpCenterRequest request, HelpCenterSettings useCase, CancellationToken ct) =>
                (await useCase.SaveAsync(request, ct)).ToOk())
            .RequirePermission(Permission.ManageKnowledgeBase).Produces<HelpCenterResponse>();

        group.MapGet("/articles", async (ArticleStatus? status, Guid? categoryId, string? locale, Articles useCase, CancellationToken ct) =>
                TypedResults.Ok(await useCase.ListAsync(status, categoryId, locale, ct)))
            .RequirePermission(Permission.ViewConversations).Produces<List<ArticleSummary>>();
        group.MapGet("/search", async (string? q, ArticleStatus? status, string? locale, int? limit, Articles useCase, CancellationToken ct) =>
                TypedResults.Ok(await useCase.SearchAsync(q ?? "", status, locale, limit ?? 10, ct)))
            .RequirePermission(Permission.ViewConversations).Produces<ArticleSearchResults>();
        group.MapGet("/articles/{articleId:guid}", async (Guid articleId, Articles useCase, CancellationToken ct) => (await useCase.GetAsync(articleId, ct)).ToOk())
            .RequirePermission(Permission.ViewConversations).Produces<ArticleResponse>();
        group.MapPost("/articles", async (ArticleRequest request, Articles useCase, CancellationToken ct) =>
                (await useCase.CreateAsync(request, ct)).ToHttp(a => TypedResults.Created($"/api/v1/knowledge-base/articles/{a.Article.Id}", a)))
            .RequirePermission(Permission.ManageKnowledgeBase).Produces<ArticleResponse>(StatusCodes.Status201Created);
        group.MapPut("/articles/{articleId:guid}", async (Guid articleId, ArticleRequest request, Articles useCase, CancellationToken ct) =>
                (await useCase.UpdateAsync(articleId, request, ct)).ToOk())
            .RequirePermission(Permission.ManageKnowledgeBase).Produces<ArticleResponse>();
        group.MapDelete("/articles/{articleId:guid}", async (Guid articleId, Articles useCase, CancellationToken ct) => (await useCase.DeleteAsync(articleId, ct)).ToNoContent())
            .RequirePermission(Permission.ManageKnowledgeBase);
    }
}
