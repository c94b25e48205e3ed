using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Teams;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Routing;

public static class RoutingFeature
{
    public static IServiceCollection AddQueuesAndRouting(this IServiceCollection services) => services
        .AddSingleton<AssignmentAuthority>()
        .AddHostedService(sp => sp.GetRequiredService<AssignmentAuthority>())
        .AddScoped<AgentCapacity>()
        .AddScoped<TeamDispatch>()
        .AddScoped<AssignConversation>()
        .AddScoped<RoutingSettings>()
        .AddScoped<RoutingQueries>()
        .AddScoped<QueueEstimates>()
        .AddScoped<SupervisorFigures>()
        .AddScoped<RoutingRules>()
        .AddScoped<RuleSubjects>()
        .AddSingleton<QueueAnnouncer>()
        .AddDomainEventHandler<ConversationStarted, QueueNewConversation>()
        .AddDomainEventHandler<Assistant.AssistantHandedOver, QueueNewConversation>()
        .AddDomainEventHandler<ConversationReopened, QueueNewConversation>()
        .AddDomainEventHandler<ConversationReopened, ReviewReopenedConversation>()
        .AddDomainEventHandler<TeamMemberAdded, ServeQueueOfGrownTeam>();

    public static void MapQueuesAndRouting(this RouteGroupBuilder api)
    {
        var routing = api.MapGroup("/routing").WithTags("Routing");
        routing.MapGet("/caps", async (RoutingSettings settings, CancellationToken ct) => TypedResults.Ok(await settings.WorkspaceCapsAsync(ct)))
            .RequirePermission(Permission.ViewWorkspace).Produces<ConcurrencyCaps>();
        routing.MapPut("/caps", async (ConcurrencyCaps? caps, RoutingSettings settings, CancellationToken ct) =>
                (await settings.SetWorkspaceCapsAsync(caps, ct)).ToOk())
            .RequirePermission(Permission.ManageRouting).Produces<ConcurrencyCaps>();

        var agents = api.MapGroup("/agents").WithTags("Routing");
        agents.MapGet("/{agentId:guid}/caps", async (Guid agentId, RoutingSettings settings, CancellationToken ct) =>
                (await settings.AgentCapsAsync(agentId, ct)).ToOk())
            .RequirePermission(Permission.ViewWorkspace).Produces<AgentCapsResponse>();
        agents.MapPut("/{agentId:guid}/availability", async (Guid agentId, SetAvailabilityRequest request, SetMyAvailability useCase, CancellationToken ct) =>
                (await useCase.ForAgentAsync(agentId, request, ct)).ToOk())
            .RequirePermission(Permission.ManageRouting).Produces<AgentResponse>();
        agents.MapPut("/{agentId:guid}/caps", async (Guid agentId, ConcurrencyCaps? caps, RoutingSettings settings, CancellationToken ct) =>
                (await settings.SetAgentCapsAsync(agentId, caps, ct)).ToOk())
            .RequirePermission(Permission.ManageRouting).Produces<AgentCapsResponse>();

        agents.MapGet("/{agentId:guid}/skills", async (Guid agentId, RoutingSettings settings, CancellationToken ct) =>
                (await settings.AgentSkillsAsync(agentId, ct)).ToOk())
            .RequirePermission(Permission.ViewWorkspace).Produces<AgentSkillsResponse>();
        agents.MapPut("/{agentId:guid}/skills", async (Guid agentId, AgentSkillsRequest request, RoutingSettings settings, CancellationToken ct) =>
                (await settings.SetAgentSkillsAsync(agentId, request, ct)).ToOk())
            .RequirePermission(Permission.ManageRouting).Produces<AgentSkillsResponse>();

        var inboxes = api.MapGroup("/inboxes").WithTags("Routing");
        inboxes.MapGet("/{inboxId:guid}/routing", async (Guid inboxId, RoutingSettings settings, CancellationToken ct) =>
                (await settings.InboxAsync(inboxId, ct)).ToOk())
            .RequirePermission(Permission.ViewWorkspace).Produces<InboxRoutingResponse>();
        inboxes.MapPut("/{inboxId:guid}/routing", async (Guid inboxId, InboxRoutingRequest request, RoutingSettings settings, CancellationToken ct) =>
                (await settings.SetInboxAsync(inboxId, request, ct)).ToOk())
            .RequirePermission(Permission.ManageRouting).Produces<InboxRoutingResponse>();

        routing.MapGet("/supervision", async (SupervisorFigures figures, CancellationToken ct) => TypedResults.Ok(await figures.ReadAsync(ct)))
            .RequirePermission(Permission.ViewReports).Produces<SupervisionResponse>();
        inboxes.MapGet("/{inboxId:guid}/routing-rules", async (Guid inboxId, RoutingRules rules, CancellationToken ct) =>
                (await rules.ListAsync(inboxId, ct)).ToOk())
            .RequirePermission(Permission.ViewWorkspace).Produces<List<RoutingRuleResponse>>();
        inboxes.MapPost("/{inboxId:guid}/routing-rules", async (Guid inboxId, RoutingRuleRequest request, RoutingRules rules, CancellationToken ct) =>
                (await rules.CreateAsync(inboxId, request, ct)).ToHttp(r => TypedResults.Created($"/api/v1/routing/rules/{r.Id}", r)))
            .RequirePermission(Permission.ManageRouting).Produces<RoutingRuleResponse>(StatusCodes.Status201Created);
        inboxes.MapPut("/{inboxId:guid}/routing-rules/order", async (Guid inboxId, ReorderRulesRequest request, RoutingRules rules, CancellationToken ct) =>
                (await rules.ReorderAsync(inboxId, request, ct)).ToOk())
            .RequirePermission(Permission.ManageRouting).Produces<List<RoutingRuleResponse>>();
        routing.MapPut("/rules/{ruleId:guid}", async (Guid ruleId, RoutingRuleRequest request, RoutingRules rules, CancellationToken ct) =>
                (await rules.UpdateAsync(ruleId, request, ct)).ToOk())
            .RequirePermission(Permission.ManageRouting).Produces<RoutingRuleResponse>();
        routing.MapDelete("/rules/{ruleId:guid}", async (Guid ruleId, RoutingRules rules, CancellationToken ct) =>
                (await rules.DeleteAsync(ruleId, ct)).ToNoContent())
            .RequirePermission(Permission.ManageRouting);
        api.MapGet("/teams/{teamId:guid}/queue", async (Guid teamId, RoutingQueries queries, CancellationToken ct) =>
                (await queries.QueueAsync(teamId, ct)).ToOk())
            .WithTags("Routing").RequirePermission(Permission.ViewConversations).Produces<TeamQueueResponse>();
        api.MapGet("/conversations/{conversationId:guid}/routing", async (Guid conversationId, RoutingQueries queries, CancellationToken ct) =>
                (await queries.DecisionsAsync(conversationId, ct)).ToOk())
            .WithTags("Routing").RequirePermission(Permission.ViewConversations).Produces<List<RoutingDecisionResponse>>();
    }
}
