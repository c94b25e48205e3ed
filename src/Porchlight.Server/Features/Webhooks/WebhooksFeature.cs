using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Sla;
using Porchlight.Server.Features.Surveys;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Webhooks;

public static class WebhooksFeature
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection(WebhookOptions.Section));
        services.AddSingleton<WebhookTargets>()
            .AddSingleton<WebhookSecrets>()
            .AddScoped<WebhookOutbox>()
            .AddScoped<WebhookSubscriptions>()
            .AddSingleton<WebhookSender>()
            .AddHostedService(sp => sp.GetRequiredService<WebhookSender>())
            .AddDomainEventHandler<ConversationStarted, ConversationWebhooks>()
            .AddDomainEventHandler<ConversationStatusChanged, ConversationWebhooks>()
            .AddDomainEventHandler<ConversationAssigned, ConversationWebhooks>()
            .AddDomainEventHandler<ConversationPriorityChanged, ConversationWebhooks>()
            .AddDomainEventHandler<ConversationLabelsChanged, ConversationWebhooks>()
            .AddDomainEventHandler<ContactMessageReceived, ConversationWebhooks>()
            .AddDomainEventHandler<MessagePosted, ConversationWebhooks>()
            .AddDomainEventHandler<SurveyAnswered, ConversationWebhooks>()
            .AddDomainEventHandler<SlaWarned, ConversationWebhooks>()
            .AddDomainEventHandler<SlaBreached, ConversationWebhooks>()
            .AddDomainEventHandler<Contacts.ContactCreated, ContactWebhooks>()
            .AddDomainEventHandler<Contacts.ContactUpdated, ContactWebhooks>()
            .AddDomainEventHandler<Contacts.ContactMerged, ContactWebhooks>()
            .AddDomainEventHandler<WebhookDisabled, WebhookDisabledNotice>();
        // No proxy and no redirects: the connection goes where WebhookTargets allowed, and nowhere else.
        services.AddHttpClient(WebhookSender.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                ConnectCallback = sp.GetRequiredService<WebhookTargets>().ConnectAsync,
                AllowAutoRedirect = false,
                UseProxy = false,
                UseCookies = false,
                // Only the status is read: a receiver cannot make this node hold more than this of its answer.
                MaxResponseHeadersLength = 16,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            });
        return services;
    }

    public static void MapWebhooks(this RouteGroupBuilder api)
    {
        var webhooks = api.MapGroup("/webhooks").WithTags("Webhooks").RequirePermission(Permission.ManageWorkspace);
        webhooks.MapGet("", async (WebhookSubscriptions useCase, CancellationToken ct) => TypedResults.Ok(await useCase.ListAsync(ct)))
            .Produces<List<WebhookSubscriptionResponse>>();
        webhooks.MapGet("/{webhookId:guid}", async (Guid webhookId, WebhookSubscriptions useCase, CancellationToken ct) => (await useCase.GetAsync(webhookId, ct)).ToOk())
            .Produces<WebhookSubscriptionResponse>();
        webhooks.MapPost("", async (WebhookSubscriptionRequest request, WebhookSubscriptions useCase, CancellationToken ct) =>
                (await useCase.CreateAsync(request, ct)).ToHttp(s => TypedResults.Created($"/api/v1/webhooks/{s.Id}", s)))
            .Produces<WebhookSubscriptionResponse>(StatusCodes.Status201Created);
        webhooks.MapPut("/{webhookId:guid}", async (Guid webhookId, WebhookSubscriptionRequest request, WebhookSubscriptions useCase, CancellationToken ct) =>
                (await useCase.UpdateAsync(webhookId, request, ct)).ToOk())
            .Produces<WebhookSubscriptionResponse>();
        webhooks.MapPost("/{webhookId:guid}/secret", async (Guid webhookId, WebhookSubscriptions useCase, CancellationToken ct) =>
                (await useCase.ReplaceSecretAsync(webhookId, ct)).ToOk())
            .Produces<WebhookSubscriptionResponse>();
        webhooks.MapDelete("/{webhookId:guid}", async (Guid webhookId, WebhookSubscriptions useCase, CancellationToken ct) => (await useCase.DeleteAsync(webhookId, ct)).ToNoContent());
        webhooks.MapGet("/{webhookId:guid}/deliveries", async (Guid webhookId, Guid? before, WebhookSubscriptions useCase, CancellationToken ct) =>
                (await useCase.DeliveriesAsync(webhookId, before, ct)).ToOk())
            .Produces<List<WebhookDeliveryResponse>>();
        webhooks.MapPost("/{webhookId:guid}/deliveries/{deliveryId:guid}/replay", async (Guid webhookId, Guid deliveryId, WebhookSubscriptions useCase, CancellationToken ct) =>
                (await useCase.ReplayAsync(webhookId, deliveryId, ct)).ToOk())
            .Produces<WebhookDeliveryResponse>();
        webhooks.MapPost("/{webhookId:guid}/deliveries/replay", async (Guid webhookId, ReplayDeliveriesRequest request, WebhookSubscriptions useCase, CancellationToken ct) =>
                (await useCase.ReplayManyAsync(webhookId, request, ct)).ToOk())
            .Produces<ReplayDeliveriesResponse>();
    }
}
