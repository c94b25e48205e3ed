using Microsoft.AspNetCore.Http.Metadata;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Attachments;

public static class AttachmentsFeature
{
    // Room for the multipart envelope around the largest accepted file.
    private const long MultipartEnvelopeBytes = 64 * 1024;

    public static IServiceCollection AddAttachments(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AttachmentOptions>().Bind(configuration.GetSection(AttachmentOptions.Section));
        return services
            .AddSingleton<IAttachmentStore, DiskAttachmentStore>()
            .AddSingleton<AttachmentLinks>()
            .AddSingleton<AttachmentSweeper>()
            .AddHostedService(services => services.GetRequiredService<AttachmentSweeper>())
            .AddScoped<AttachmentFiles>()
            .AddScoped<UploadAttachment>()
            .AddScoped<DiscardAttachment>()
            .AddScoped<DownloadAttachment>();
    }

    /// <summary>The request body limit of an upload endpoint: the largest accepted file and its envelope.</summary>
    public static IRequestSizeLimitMetadata UploadLimit(IConfiguration configuration) =>
        new BodySizeLimit((configuration.GetSection(AttachmentOptions.Section).Get<AttachmentOptions>() ?? new AttachmentOptions()).MaxAttachmentBytes
            + MultipartEnvelopeBytes);

    public static void MapAttachments(this RouteGroupBuilder api, IConfiguration configuration)
    {
        api.MapPost("/conversations/{conversationId:guid}/attachments", async (Guid conversationId, IFormFile? file, UploadAttachment useCase, CancellationToken ct) =>
            {
                await using var content = file?.OpenReadStream();
                var uploaded = file is null ? null : new UploadedFile(file.FileName, file.Length, content!);
                return (await useCase.ByAgentAsync(conversationId, uploaded, ct)).ToHttp(a => TypedResults.Created(a.Url, a));
            })
            .WithTags("Conversations")
            .WithMetadata(UploadLimit(configuration))
            .RequirePermission(Permission.HandleConversations)
            .Produces<AttachmentResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        api.MapDelete("/conversations/{conversationId:guid}/attachments/{attachmentId:guid}",
                async (Guid conversationId, Guid attachmentId, DiscardAttachment useCase, CancellationToken ct) =>
                    (await useCase.HandleAsync(conversationId, attachmentId, ct)).ToNoContent())
            .WithTags("Conversations")
            .RequirePermission(Permission.HandleConversations)
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    /// <summary>Downloads by signed link, outside the API: the link is the permission, for visitors and agents alike.</summary>
    public static void MapAttachmentDownloads(this WebApplication app) =>
        app.MapGet("/attachments/{attachmentId:guid}",
                async (Guid attachmentId, string? sig, string? exp, DownloadAttachment useCase, HttpResponse response, TimeProvider clock, CancellationToken ct) =>
                    (await useCase.HandleAsync(attachmentId, sig, exp, ct)).ToHttp(download => download.ToFileResult(response, clock.GetUtcNow())))
            .AllowAnonymous()
            .RequireRateLimiting(ClientRateLimits.AttachmentDownloads)
            .ExcludeFromDescription();
}
