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
    // Not pages: they never redirect to setup, and they must not need the database to answer (a health
    // probe during a database outage or before `porchlight migrate` must report that, not fail with 500).
    private static readonly string[] Exempt = ["/_framework", "/_content", "/_blazor", "/health", "/api", "/openapi", "/metrics"];

    public static IApplicationBuilder UseSetupGate(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var path = context.Request.Path;
        if (!HttpMethods.IsGet(context.Request.Method) || Path.HasExtension(path.Value) || Exempt.Any(prefix => path.StartsWithSegments(prefix)))
        {
            await next(context);
            return;
        }

        var gate = context.RequestServices.GetRequiredService<SetupGate>();
        if (!gate.OwnerExists)
        {
            var db = context.RequestServices.GetRequiredService<AppDbContext>();
            gate.OwnerExists = await db.Agents.IgnoreQueryFilters().AnyAsync(context.RequestAborted);
        }

        if (path.StartsWithSegments("/setup") && gate.OwnerExists)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (!gate.OwnerExists && !path.StartsWithSegments("/setup"))
        {
            context.Response.Redirect("/setup");
            return;
        }

        await next(context);
    });
}
