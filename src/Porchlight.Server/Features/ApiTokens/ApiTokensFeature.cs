using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.ApiTokens;

public static class ApiTokensFeature
{
    public static IServiceCollection AddApiTokens(this IServiceCollection services) => services
        .AddSingleton<VerifiedApiTokens>()
        .AddScoped<ListMyApiTokens>()
        .AddScoped<CreateApiToken>()
        .AddScoped<RevokeApiToken>();

    public static void MapApiTokens(this RouteGroupBuilder api)
    {
        var tokens = api.MapGroup("/tokens").WithTags("API tokens");
        tokens.MapGet("/", async (int? limit, string? cursor, ListMyApiTokens useCase, CancellationToken ct) =>
                await ProblemResults.PagedAsync(limit, cursor, page => useCase.HandleAsync(page, ct)))
            .RequirePermission(Permission.ManageOwnTokens).Produces<Page<ApiTokenResponse>>();
        tokens.MapPost("/", async (CreateApiTokenRequest request, CreateApiToken useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(request, ct)).ToHttp(t => TypedResults.Created($"/api/v1/tokens/{t.Id}", t)))
            .RequirePermission(Permission.ManageOwnTokens).Produces<ApiTokenResponse>(StatusCodes.Status201Created);
        tokens.MapDelete("/{tokenId:guid}", async (Guid tokenId, RevokeApiToken useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(tokenId, ct)).ToOk())
            .RequirePermission(Permission.ManageOwnTokens).Produces<ApiTokenResponse>();
    }
}
