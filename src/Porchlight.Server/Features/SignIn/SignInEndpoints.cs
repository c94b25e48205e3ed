using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Audit;
using Porchlight.Server.Features.Email;
using Porchlight.Server.Features.Workspaces;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.SignIn;

/// <summary>
/// Form posts of the static account pages (sign in, sign out, password reset, setup, invitations).
/// They need the HTTP response to set the cookie, so they are endpoints, not interactive components.
/// Antiforgery is validated on every one: the framework checks the token of an endpoint that binds a form, and
/// <see cref="RequireAntiforgeryToken"/> makes the others (sign-out binds nothing) refuse a post without one, or a
/// page of another site could sign an agent out. Bodies are limited to a form's size.
/// </summary>
public static class SignInFeature
{
    // Process-wide: an installation is set up on its first node, before it is scaled out.
    private static readonly SemaphoreSlim SetupLock = new(1, 1);

    public static IServiceCollection AddSignIn(this IServiceCollection services) => services
        .AddScoped<SignInAgent>()
        .AddScoped<ForgotPassword>()
        .AddScoped<ResetPassword>()
        .AddSingleton<LogPasswordResetSender>()
        .AddSingleton<EmailPasswordResetSender>()
        .AddSingleton<IPasswordResetSender>(sp => sp.GetRequiredService<IOptions<SmtpOptions>>().Value.IsConfigured
            ? sp.GetRequiredService<EmailPasswordResetSender>()
            : sp.GetRequiredService<LogPasswordResetSender>());

    public static void MapSignIn(this WebApplication app)
    {
        var account = app.MapGroup("/account").ExcludeFromDescription().WithMetadata(new BodySizeLimit(ApiSetup.MaxFormBodyBytes));
        RequireAntiforgeryToken(account);
        account.MapPost("/signin", async ([FromForm] string? email, [FromForm] string? password, [FromForm] string? returnUrl,
                SignInAgent useCase, HttpContext http) =>
            {
                var outcome = await useCase.HandleAsync(email ?? "", password ?? "", IpOf(http));
                return outcome switch
                {
                    SignInOutcome.SignedIn => Results.LocalRedirect(SafeReturnUrl(returnUrl)),
                    _ => Results.Redirect($"/signin?error={outcome}&email={Uri.EscapeDataString(email ?? "")}"),
                };
            })
            .RequireRateLimiting(ClientRateLimits.SignIn);

        account.MapPost("/signout", async (SignInManager<Agent> signIn, RecordAuthEvent audit, UserManager<Agent> users, HttpContext http, CancellationToken ct) =>
        {
            if (await users.GetUserAsync(http.User) is { } agent)
            {
                await audit.HandleAsync(agent, "auth.signed_out", ct);
            }

            await signIn.SignOutAsync();
            return Results.LocalRedirect("/signin?signedOut=1");
        });

        account.MapPost("/forgot-password", async ([FromForm] string? email, ForgotPassword useCase, CancellationToken ct) =>
            {
                await useCase.HandleAsync(email ?? "", ct);
                return Results.Redirect("/forgot-password?sent=1");
            })
            .RequireRateLimiting(ClientRateLimits.SignIn);

        account.MapPost("/reset-password", async ([FromForm] string? email, [FromForm] string? token, [FromForm] string? password,
                ResetPassword useCase, HttpContext http, CancellationToken ct) =>
            {
                var result = await useCase.HandleAsync(email ?? "", token ?? "", password ?? "", IpOf(http), ct);
                return result.Succeeded
                    ? Results.Redirect("/signin?reset=1")
                    : Results.Redirect($"/reset-password?email={Uri.EscapeDataString(email ?? "")}&token={Uri.EscapeDataString(token ?? "")}&error={Uri.EscapeDataString(ErrorText(result.Failure!))}");
            })
            .RequireRateLimiting(ClientRateLimits.SignIn);

        app.MapPost("/setup", async ([FromForm] string? workspaceName, [FromForm] string? timeZone, [FromForm] string? ownerName,
                [FromForm] string? email, [FromForm] string? password, CreateWorkspaceWithOwner useCase, AppDbContext db,
                SignInManager<Agent> signIn, HttpContext http, CancellationToken ct) =>
            {
                // The setup page exists only until the installation has its first Owner. Check and create
                // under one lock, or two forms submitted together would both create a first Owner.
                await SetupLock.WaitAsync(ct);
                try
                {
                    if (await db.Agents.IgnoreQueryFilters().AnyAsync(ct))
                    {
                        return Results.NotFound();
                    }

                    var result = await useCase.HandleAsync(
                        new CreateWorkspaceWithOwnerRequest(workspaceName, timeZone, ownerName, email, password), IpOf(http), ct);
                    if (!result.Succeeded)
                    {
                        return Results.Redirect($"/setup?error={Uri.EscapeDataString(ErrorText(result.Failure!))}");
                    }

                    await signIn.SignInAsync(result.Value!, isPersistent: true);
                    return Results.LocalRedirect("/");
                }
                finally
                {
                    SetupLock.Release();
                }
            })
            .ExcludeFromDescription()
            .WithMetadata(new BodySizeLimit(ApiSetup.MaxFormBodyBytes))
            .RequireRateLimiting(ClientRateLimits.SignIn);

        app.MapPost("/invite/{token}", async (string token, [FromForm] string? displayName, [FromForm] string? password,
                AcceptInvitation useCase, SignInManager<Agent> signIn, HttpContext http, CancellationToken ct) =>
            {
                var result = await useCase.HandleAsync(token, new AcceptInvitationRequest(displayName, password), IpOf(http), ct);
                if (!result.Succeeded)
                {
                    return result.Failure!.Kind == FailureKind.NotFound
                        ? Results.NotFound()
                        : Results.Redirect($"/invite/{Uri.EscapeDataString(token)}?error={Uri.EscapeDataString(ErrorText(result.Failure!))}");
                }

                await signIn.SignInAsync(result.Value!, isPersistent: true);
                return Results.LocalRedirect("/");
            })
            .ExcludeFromDescription()
            .WithMetadata(new BodySizeLimit(ApiSetup.MaxFormBodyBytes))
            .RequireRateLimiting(ClientRateLimits.SignIn);
    }

    // The antiforgery middleware validates what the metadata asks for and records the outcome; an endpoint that binds
    // no form never looks at it, so the filter does. A refused post changes nothing and says why.
    private static void RequireAntiforgeryToken(RouteGroupBuilder group) => group
        .WithMetadata(new RequireAntiforgeryTokenAttribute())
        .AddEndpointFilter(async (context, next) =>
            context.HttpContext.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false }
                ? TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Missing or invalid antiforgery token",
                    detail: "Submit the form from its page again.")
                : await next(context));

    public static string ErrorText(Failure failure) =>
        failure.FieldErrors is { Count: > 0 } fields ? string.Join(" ", fields.SelectMany(f => f.Value)) : failure.Detail;

    private static string? IpOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString();

    // Only paths of this site: an attacker's link must not turn sign-in into a redirect to their page. A control
    // character (a tab or a line break browsers drop, turning "/\t/evil" into "//evil") makes it no path of this site.
    private static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal)
            && !returnUrl.StartsWith("/\\", StringComparison.Ordinal) && !returnUrl.Any(char.IsControl)
            ? returnUrl
            : "/";
}
