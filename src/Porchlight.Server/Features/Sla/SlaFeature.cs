using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Sla;

public static class SlaFeature
{
    public static IServiceCollection AddServiceLevels(this IServiceCollection services) => services
        .AddScoped<SlaClocks>()
        .AddScoped<SlaPolicies>()
        .AddScoped<SlaQueries>()
        .AddSingleton<SlaTimer>()
        .AddHostedService(sp => sp.GetRequiredService<SlaTimer>())
        .AddDomainEventHandler<ConversationStarted, SyncSlaClocks>()
        .AddDomainEventHandler<ReplyAwaited, SyncSlaClocks>()
        .AddDomainEventHandler<ReplyGiven, SyncSlaClocks>()
        .AddDomainEventHandler<ConversationStatusChanged, SyncSlaClocks>()
        .AddDomainEventHandler<ConversationPriorityChanged, SyncSlaClocks>()
        .AddDomainEventHandler<ConversationAssigned, SyncSlaClocks>()
        .AddDomainEventHandler<SlaWarned, EscalateConversation>()
        .AddDomainEventHandler<SlaBreached, EscalateConversation>();

    public static void MapServiceLevels(this RouteGroupBuilder api)
    {
        var policies = api.MapGroup("/sla/policies").WithTags("SLA");
        policies.MapGet("", async (SlaPolicies useCase, CancellationToken ct) => TypedResults.Ok(await useCase.ListAsync(ct)))
            .RequirePermission(Permission.ViewWorkspace).Produces<List<SlaPolicyResponse>>();
        policies.MapGet("/{policyId:guid}", async (Guid policyId, SlaPolicies useCase, CancellationToken ct) => (await useCase.GetAsync(policyId, ct)).ToOk())
            .RequirePermission(Permission.ViewWorkspace).Produces<SlaPolicyResponse>();
        policies.MapPost("", async (SlaPolicyRequest request, SlaPolicies useCase, CancellationToken ct) =>
                (await useCase.CreateAsync(request, ct)).ToHttp(p => TypedResults.Created($"/api/v1/sla/policies/{p.Id}", p)))
            .RequirePermission(Permission.ManageRouting).Produces<SlaPolicyResponse>(StatusCodes.Status201Created);
        policies.MapPut("/order", async (ReorderPoliciesRequest request, SlaPolicies useCase, CancellationToken ct) => (await useCase.ReorderAsync(request, ct)).ToOk())
            .RequirePermission(Permission.ManageRouting).Produces<List<SlaPolicyResponse>>();
        policies.MapPut("/{policyId:guid}", async (Guid policyId, SlaPolicyRequest request, SlaPolicies useCase, CancellationToken ct) =>
                (await useCase.UpdateAsync(policyId, request, ct)).ToOk())
            .RequirePermission(Permission.ManageRouting).Produces<SlaPolicyResponse>();
        policies.MapDelete("/{policyId:guid}", async (Guid policyId, SlaPolicies useCase, CancellationToken ct) => (await useCase.DeleteAsync(policyId, ct)).ToNoContent())
            .RequirePermission(Permission.ManageRouting);
        api.MapGet("/conversations/{conversationId:guid}/sla", async (Guid conversationId, SlaQueries queries, CancellationToken ct) =>
                (await queries.ClocksAsync(conversationId, ct)).ToOk())
            .WithTags("SLA").RequirePermission(Permission.ViewConversations).Produces<List<SlaClockResponse>>();
    }
}
