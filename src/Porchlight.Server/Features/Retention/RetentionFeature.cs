using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Retention;

/// <summary>One run's report over the workspace.</summary>
public sealed record RetentionRunResponse(Guid Id, DateTime StartedAt, DateTime? EndedAt, IReadOnlyList<RetentionClassOutcome> Classes, string? Problem)
{
    public static RetentionRunResponse From(RetentionRun run) => new(run.Id, run.StartedAt, run.EndedAt, run.Classes, run.Problem);
}

/// <summary>The workspace's retention runs, newest first.</summary>
public sealed class ListRetentionRuns(AppDbContext db)
{
    public async Task<Result<Page<RetentionRunResponse>>> HandleAsync(PageRequest page, CancellationToken cancellationToken) =>
        await db.RetentionRuns.AsNoTracking().ToPageAsync(page, r => r.Id, RetentionRunResponse.From, cancellationToken, newestFirst: true);
}

public static class RetentionFeature
{
    public static IServiceCollection AddRetention(this IServiceCollection services) => services
        .AddScoped<RetentionPolicies>()
        .AddScoped<LegalHolds>()
        .AddScoped<ListRetentionRuns>()
        .AddSingleton<RetentionJob>()
        .AddHostedService(sp => sp.GetRequiredService<RetentionJob>());

    public static void MapRetention(this RouteGroupBuilder api)
    {
        var retention = api.MapGroup("/retention").WithTags("Retention");
        retention.MapGet("/policies", async (RetentionPolicies useCase, CancellationToken ct) => TypedResults.Ok(await useCase.ListAsync(ct)))
            .RequirePermission(Permission.ManageRetention).Produces<List<RetentionPolicyResponse>>();
        retention.MapPut("/policies", async (UpdateRetentionPoliciesRequest request, RetentionPolicies useCase, CancellationToken ct) =>
                (await useCase.UpdateAsync(request, ct)).ToOk())
            .RequirePermission(Permission.ManageRetention).Produces<List<RetentionPolicyResponse>>();
        retention.MapGet("/runs", async (int? limit, string? cursor, ListRetentionRuns useCase, CancellationToken ct) =>
                await ProblemResults.PagedAsync(limit, cursor, page => useCase.HandleAsync(page, ct)))
            .RequirePermission(Permission.ManageRetention).Produces<Page<RetentionRunResponse>>();
        retention.MapGet("/legal-holds", async (int? limit, string? cursor, LegalHolds useCase, CancellationToken ct) =>
                await ProblemResults.PagedAsync(limit, cursor, page => useCase.ListAsync(page, ct)))
            .RequirePermission(Permission.ManageRetention).Produces<Page<LegalHoldResponse>>();

        var contactHold = api.MapGroup("/contacts/{contactId:guid}/legal-hold").WithTags("Retention");
        contactHold.MapPut("", async (Guid contactId, LegalHoldRequest request, LegalHolds useCase, CancellationToken ct) =>
                (await useCase.PlaceOnContactAsync(contactId, request, ct)).ToOk())
            .RequirePermission(Permission.ManageRetention).Produces<LegalHoldResponse>();
        contactHold.MapDelete("", async (Guid contactId, LegalHolds useCase, CancellationToken ct) =>
                (await useCase.ReleaseContactAsync(contactId, ct)).ToNoContent())
            .RequirePermission(Permission.ManageRetention);

        var conversationHold = api.MapGroup("/conversations/{conversationId:guid}/legal-hold").WithTags("Retention");
        conversationHold.MapPut("", async (Guid conversationId, LegalHoldRequest request, LegalHolds useCase, CancellationToken ct) =>
                (await useCase.PlaceOnConversationAsync(conversationId, request, ct)).ToOk())
            .RequirePermission(Permission.ManageRetention).Produces<LegalHoldResponse>();
        conversationHold.MapDelete("", async (Guid conversationId, LegalHolds useCase, CancellationToken ct) =>
                (await useCase.ReleaseConversationAsync(conversationId, ct)).ToNoContent())
            .RequirePermission(Permission.ManageRetention);
    }
}
