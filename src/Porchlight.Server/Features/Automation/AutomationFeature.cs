using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Sla;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Automation;

public static class AutomationFeature
{
    public static IServiceCollection AddAutomation(this IServiceCollection services) => services
        .AddScoped<AutomationEngine>()
        .AddScoped<AutomationRules>()
        .AddDomainEventHandler<ConversationStarted, TriggerAutomation>()
        .AddDomainEventHandler<ContactMessageReceived, TriggerAutomation>()
        .AddDomainEventHandler<ConversationStatusChanged, TriggerAutomation>()
        .AddDomainEventHandler<ConversationAssigned, TriggerAutomation>()
        .AddDomainEventHandler<ConversationPriorityChanged, TriggerAutomation>()
        .AddDomainEventHandler<SlaWarned, TriggerAutomation>()
        .AddDomainEventHandler<SlaBreached, TriggerAutomation>();

    public static void MapAutomation(this RouteGroupBuilder api)
    {
        var rules = api.MapGroup("/automation/rules").WithTags("Automation");
        rules.MapGet("", async (AutomationRules useCase, CancellationToken ct) => TypedResults.Ok(await useCase.ListAsync(ct)))
            .RequirePermission(Permission.ViewWorkspace).Produces<List<AutomationRuleResponse>>();
        rules.MapPost("", async (AutomationRuleRequest request, AutomationRules useCase, CancellationToken ct) =>
                (await useCase.CreateAsync(request, ct)).ToHttp(r => TypedResults.Created($"/api/v1/automation/rules/{r.Id}", r)))
            .RequirePermission(Permission.ManageRouting).Produces<AutomationRuleResponse>(StatusCodes.Status201Created);
        rules.MapPut("/order", async (ReorderAutomationRequest request, AutomationRules useCase, CancellationToken ct) => (await useCase.ReorderAsync(request, ct)).ToOk())
            .RequirePermission(Permission.ManageRouting).Produces<List<AutomationRuleResponse>>();
        rules.MapPut("/{automationRuleId:guid}", async (Guid automationRuleId, AutomationRuleRequest request, AutomationRules useCase, CancellationToken ct) =>
                (await useCase.UpdateAsync(automationRuleId, request, ct)).ToOk())
            .RequirePermission(Permission.ManageRouting).Produces<AutomationRuleResponse>();
        rules.MapDelete("/{automationRuleId:guid}", async (Guid automationRuleId, AutomationRules useCase, CancellationToken ct) =>
                (await useCase.DeleteAsync(automationRuleId, ct)).ToNoContent())
            .RequirePermission(Permission.ManageRouting);
        rules.MapGet("/{automationRuleId:guid}/runs", async (Guid automationRuleId, AutomationRules useCase, CancellationToken ct) =>
                (await useCase.RunsAsync(automationRuleId, ct)).ToOk())
            .RequirePermission(Permission.ViewWorkspace).Produces<List<AutomationRunResponse>>();
    }
}
