using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Quality;

public static class QualityFeature
{
    public static IServiceCollection AddQuality(this IServiceCollection services) => services
        .AddScoped<Scorecards>()
        .AddScoped<Reviews>()
        .AddScoped<Calibrations>()
        .AddScoped<Flags>()
        .AddScoped<ReviewSampler>()
        .AddSingleton<WeeklySampling>()
        .AddHostedService(sp => sp.GetRequiredService<WeeklySampling>());

    public static void MapQuality(this RouteGroupBuilder api)
    {
        var quality = api.MapGroup("/quality").WithTags("Quality");
        quality.MapGet("/scorecards", async (Scorecards useCase, CancellationToken ct) => TypedResults.Ok(await useCase.ListAsync(ct)))
            .RequirePermission(Permission.ReviewQuality).Produces<List<ScorecardResponse>>();
        quality.MapGet("/scorecards/{scorecardId:guid}", async (Guid scorecardId, Scorecards useCase, CancellationToken ct) => (await useCase.GetAsync(scorecardId, ct)).ToOk())
            .RequirePermission(Permission.ReviewQuality).Produces<ScorecardResponse>();
        quality.MapPost("/scorecards", async (ScorecardRequest request, Scorecards useCase, CancellationToken ct) =>
                (await useCase.CreateAsync(request, ct)).ToHttp(s => TypedResults.Created($"/api/v1/quality/scorecards/{s.Id}", s)))
            .RequirePermission(Permission.ReviewQuality).Produces<ScorecardResponse>(StatusCodes.Status201Created);
        quality.MapPut("/scorecards/{scorecardId:guid}", async (Guid scorecardId, ScorecardRequest request, Scorecards useCase, CancellationToken ct) =>
                (await useCase.UpdateAsync(scorecardId, request, ct)).ToOk())
            .RequirePermission(Permission.ReviewQuality).Produces<ScorecardResponse>();

        quality.MapGet("/reviews", (Guid? agentId, Guid? reviewerId, ReviewStatus? status, int? limit, string? cursor, Reviews useCase, CancellationToken ct) =>
                ProblemResults.PagedAsync(limit, cursor, page => useCase.ListAsync(new ReviewFilter(agentId, reviewerId, status), page, ct)))
            .RequirePermission(Permission.ReviewQuality).Produces<Page<ReviewResponse>>();
        quality.MapPost("/reviews", async (NewReviewRequest request, Reviews useCase, CancellationToken ct) =>
                (await useCase.CreateAsync(request, ct)).ToHttp(r => TypedResults.Created($"/api/v1/quality/reviews/{r.Id}", r)))
            .RequirePermission(Permission.ReviewQuality).Produces<ReviewResponse>(StatusCodes.Status201Created);
        quality.MapGet("/reviews/{reviewId:guid}", async (Guid reviewId, Reviews useCase, CancellationToken ct) => (await useCase.GetAsync(reviewId, ct)).ToOk())
            .RequirePermission(Permission.ViewConversations).Produces<ReviewResponse>();
        quality.MapPut("/reviews/{reviewId:guid}", async (Guid reviewId, ReviewScoresRequest request, Reviews useCase, CancellationToken ct) =>
                (await useCase.SubmitAsync(reviewId, request, ct)).ToOk())
            .RequirePermission(Permission.ReviewQuality).Produces<ReviewResponse>();
        quality.MapPost("/my-reviews/{reviewId:guid}/acknowledge", async (Guid reviewId, AgentResponseRequest request, Reviews useCase, CancellationToken ct) =>
                (await useCase.AcknowledgeAsync(reviewId, request, ct)).ToOk())
            .RequirePermission(Permission.HandleConversations).Produces<ReviewResponse>();
        quality.MapPost("/my-reviews/{reviewId:guid}/dispute", async (Guid reviewId, AgentResponseRequest request, Reviews useCase, CancellationToken ct) =>
                (await useCase.DisputeAsync(reviewId, request, ct)).ToOk())
            .RequirePermission(Permission.HandleConversations).Produces<ReviewResponse>();
        quality.MapGet("/my-reviews", async (Reviews useCase, CancellationToken ct) => TypedResults.Ok(await useCase.MineAsync(ct)))
            .RequirePermission(Permission.ViewConversations).Produces<List<ReviewResponse>>();

        quality.MapGet("/calibrations", async (Calibrations useCase, CancellationToken ct) => TypedResults.Ok(await useCase.ListAsync(ct)))
            .RequirePermission(Permission.ReviewQuality).Produces<List<CalibrationResponse>>();
        quality.MapPost("/calibrations", async (CalibrationRequest request, Calibrations useCase, CancellationToken ct) =>
                (await useCase.CreateAsync(request, ct)).ToHttp(c => TypedResults.Created($"/api/v1/quality/calibrations/{c.Id}", c)))
            .RequirePermission(Permission.ReviewQuality).Produces<CalibrationResponse>(StatusCodes.Status201Created);
        quality.MapGet("/calibrations/{calibrationId:guid}", async (Guid calibrationId, Calibrations useCase, CancellationToken ct) => (await useCase.GetAsync(calibrationId, ct)).ToOk())
            .RequirePermission(Permission.ReviewQuality).Produces<CalibrationResponse>();
        quality.MapPut("/calibrations/{calibrationId:guid}/review", async (Guid calibrationId, ReviewScoresRequest request, Calibrations useCase, CancellationToken ct) =>
                (await useCase.ScoreAsync(calibrationId, request, ct)).ToOk())
            .RequirePermission(Permission.ReviewQuality).Produces<CalibrationResponse>();

        quality.MapGet("/sampling", async (ReviewSampler useCase, CancellationToken ct) => TypedResults.Ok(await useCase.GetAsync(ct)))
            .RequirePermission(Permission.ReviewQuality).Produces<SamplingResponse>();
        quality.MapPut("/sampling", async (SamplingRequest request, ReviewSampler useCase, CancellationToken ct) => (await useCase.SaveAsync(request, ct)).ToOk())
            .RequirePermission(Permission.ReviewQuality).Produces<SamplingResponse>();
        quality.MapPost("/sampling/draw", async (DrawRequest request, ReviewSampler useCase, CancellationToken ct) => (await useCase.DrawAsync(request, ct)).ToOk())
            .RequirePermission(Permission.ReviewQuality).Produces<DrawResponse>();

        quality.MapGet("/flags", async (bool? closed, Flags useCase, CancellationToken ct) => TypedResults.Ok(await useCase.ListAsync(open: closed != true, ct)))
            .RequirePermission(Permission.ReviewQuality).Produces<List<FlagResponse>>();
        quality.MapPost("/flags/{flagId:guid}/close", async (Guid flagId, CloseFlagRequest request, Flags useCase, CancellationToken ct) =>
                (await useCase.CloseAsync(flagId, request, ct)).ToOk())
            .RequirePermission(Permission.ReviewQuality).Produces<FlagResponse>();
        api.MapGet("/conversations/{conversationId:guid}/flags", async (Guid conversationId, Flags useCase, CancellationToken ct) =>
                (await useCase.OfConversationAsync(conversationId, ct)).ToOk())
            .WithTags("Quality").RequirePermission(Permission.ViewConversations).Produces<List<FlagResponse>>();
        api.MapPost("/conversations/{conversationId:guid}/flags", async (Guid conversationId, FlagRequest request, Flags useCase, CancellationToken ct) =>
                (await useCase.RaiseAsync(conversationId, request, ct)).ToHttp(f => TypedResults.Created($"/api/v1/conversations/{conversationId}/flags", f)))
            .WithTags("Quality").RequirePermission(Permission.HandleConversations).Produces<FlagResponse>(StatusCodes.Status201Created);
    }
}
