using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Privacy;

public static class PrivacyFeature
{
    public static IServiceCollection AddPrivacy(this IServiceCollection services) => services
        .AddScoped<WorkspaceRedaction>()
        .AddScoped<ContactExporter>()
        .AddScoped<ContactEraser>()
        .AddScoped<PrivacyRequests>();

    /// <summary>Privacy requests about a contact (docs/privacy.md#privacy-requests): an export of everything, and erasure.</summary>
    public static void MapPrivacy(this RouteGroupBuilder api)
    {
        var contacts = api.MapGroup("/contacts").WithTags("Privacy");
        contacts.MapGet("/{contactId:guid}/privacy-export", async (Guid contactId, PrivacyRequests requests, HttpContext http, CancellationToken ct) =>
            {
                var exported = await requests.ExportAsync(contactId, ct);
                if (!exported.Succeeded)
                {
                    return ProblemResults.From(exported.Failure!);
                }

                var archive = exported.Value!;
                http.Response.RegisterForDisposeAsync(archive);
                return TypedResults.Stream(archive.Content, ContactArchive.ContentType, archive.FileName);
            })
            .RequirePermission(Permission.HandlePrivacyRequests)
            .Produces(StatusCodes.Status200OK, contentType: ContactArchive.ContentType)
            .ProducesProblem(StatusCodes.Status404NotFound);
        contacts.MapPost("/{contactId:guid}/erasure", async (Guid contactId, ContactErasureRequest request, PrivacyRequests requests, CancellationToken ct) =>
                (await requests.EraseAsync(contactId, request, ct)).ToOk())
            .RequirePermission(Permission.HandlePrivacyRequests)
            .Produces<ContactErasureReport>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();
    }
}
