using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Setup;

/// <summary>
/// Sends a fresh installation to /setup, and makes /setup answer 404 once an Owner exists. The answer
/// is cached after the first Owner appears, since an installation never goes back to having none.
/// </summary>
public sealed class SetupGate
{
    private volatile bool _ownerExists;

    internal bool OwnerExists
    {
        get => _ownerExists;
        set => _ownerExists = value;
    }
}

public static class SetupGateMiddleware
{
    public static IApplicationBuilder UseSetupGate(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var path = context.Request.Path;
        var isPage = HttpMethods.IsGet(context.Request.Method) && !path.StartsWithSegments("/_framework")
            && !path.StartsWithSegments("/_content") && !path.StartsWithSegments("/_blazor") && !Path.HasExtension(path.Value);
        var gate = context.RequestServices.GetRequiredService<SetupGate>();
        if (isPage && !gate.OwnerExists)
        {
            var db = context.RequestServices.GetRequiredService<AppDbContext>();
            gate.OwnerExists = await db.Agents.IgnoreQueryFilters().AnyAsync(context.RequestAborted);
        }

        if (isPage && path.StartsWithSegments("/setup") && gate.OwnerExists)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (isPage && !gate.OwnerExists && !path.StartsWithSegments("/setup") && !path.StartsWithSegments("/health")
            && !path.StartsWithSegments("/api") && !path.StartsWithSegments("/openapi") && !path.StartsWithSegments("/metrics"))
        {
            context.Response.Redirect("/setup");
            return;
        }

        await next(context);
    });
}
