using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Workspaces;

public static class WorkspacesFeature
{
    public static IServiceCollection AddWorkspaces(this IServiceCollection services) => services
        .AddScoped<GetWorkspace>()
        .AddScoped<UpdateWorkspace>()
        .AddScoped<CreateWorkspaceWithOwner>()
        .AddScoped<DemoWorkspace>();

    public static void MapWorkspaces(this RouteGroupBuilder api)
    {
        var workspace = api.MapGroup("/workspace").WithTags("Workspace");
        workspace.MapGet("/", async (GetWorkspace useCase, CancellationToken ct) => (await useCase.HandleAsync(ct)).ToOk())
            .RequirePermission(Permission.ViewWorkspace).Produces<WorkspaceResponse>();
        workspace.MapPut("/", async (UpdateWorkspaceRequest request, UpdateWorkspace useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(request, ct)).ToOk())
            .RequirePermission(Permission.ManageWorkspace).Produces<WorkspaceResponse>();
    }
}
