using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
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
/// Form posts of the static account pages (sign in, sign out, password reset, setup, invitations), and the steps of
/// single sign-on (<see cref="SingleSignOn"/>, links and redirects: no forms).
/// They need the HTTP response to set the cookie, so they are endpoints, not interactive components.
/// Antiforgery is validated on every post: the framework checks the token of an endpoint that binds a form, and
/// <see cref="RequireAntiforgeryToken"/> makes the others (sign-out binds nothing) refuse a post without one, or a
/// page of another site could sign an agent out. Bodies are limited to a form's size.
/// </summary>
public static class SignInFeature
{
    // Process-wide: an installation is set up on its first node, before it is scaled out.
    private static readonly SemaphoreSlim SetupLock = new(1, 1);

    private static readonly string[] SingleSignOnScheme = [SingleSignOn.Scheme];

    public static IServiceCollection AddSignIn(this IServiceCollection services, IConfiguration configuration) => services
        .AddSingleSignOn(configuration)
        .AddScoped<SignInAgent>()
        .AddSingleton<RecoveryCodesHandoff>()
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
                return AfterFirstStep(outcome, returnUrl, $"/signin?error={outcome}&email={Uri.EscapeDataString(email ?? "")}");
            })
            .RequireRateLimiting(ClientRateLimits.SignIn);

        // Single sign-on: the sign-in page's link sends the browser to the provider, which sends it back to the
        // handler's callback; the handler keeps the provider's checked answer for the completing step, which goes on as
        // a password does. Starting needs no antiforgery token: the provider's answer is bound to this browser by the
        // state and its correlation cookie, so a page of another site can at most send someone to their own provider.
        app.MapGet(SingleSignOn.StartPath, (string? returnUrl, IOptions<SingleSignOnOptions> sso) =>
                sso.Value.IsConfigured
                    ? Results.Challenge(
                        new AuthenticationProperties { RedirectUri = $"{SingleSignOn.CompletePath}{ReturnQuery(returnUrl, '?')}" }, SingleSignOnScheme)
                    : Results.NotFound())
            .ExcludeFromDescription()
            .RequireRateLimiting(ClientRateLimits.SignIn);

        // With single sign-on on, its handler answers the callback before any endpoint runs; mapped so that the
        // provider's answers count toward the sign-in limit too, and are not found when there is no single sign-on.
        app.MapGet(SingleSignOn.CallbackPath, () => Results.NotFound())
            .ExcludeFromDescription()
            .RequireRateLimiting(ClientRateLimits.SignIn);

        app.MapGet(SingleSignOn.CompletePath, async (string? returnUrl, IOptions<SingleSignOnOptions> sso, SignInAgent useCase, HttpContext http) =>
            {
                if (!sso.Value.IsConfigured)
                {
                    return Results.NotFound();
                }

                var outcome = await useCase.SignInWithSingleSignOnAsync(IpOf(http));
                return AfterFirstStep(outcome, returnUrl, $"/signin?error={outcome}");
            })
            .ExcludeFromDescription()
            .RequireRateLimiting(ClientRateLimits.SignIn);

        // The second step: a code from the authenticator app, or a recovery code.
        account.MapPost("/signin/two-factor", async ([FromForm] string? code, [FromForm] string? recoveryCode, [FromForm] string? returnUrl,
                SignInAgent useCase, HttpContext http) =>
            {
                var outcome = await useCase.VerifyAsync(code, recoveryCode, IpOf(http));
                var recovery = string.IsNullOrWhiteSpace(recoveryCode) ? "" : "&recovery=1";
                return outcome switch
                {
                    SignInOutcome.SignedIn => Results.LocalRedirect(SafeReturnUrl(returnUrl)),
                    SignInOutcome.Failed => Results.LocalRedirect($"/signin/two-factor?error=Failed{recovery}{ReturnQuery(returnUrl, '&')}"),
                    _ => Results.LocalRedirect($"/signin?error={outcome}"),
                };
            })
            .RequireRateLimiting(ClientRateLimits.SignIn);

        // Setting up a second factor the workspace requires, before the first sign-in with it.
        account.MapPost("/signin/two-factor/setup", async ([FromForm] string? code, [FromForm] string? returnUrl,
                SignInAgent useCase, RecoveryCodesHandoff handoff, HttpContext http) =>
            {
                var (outcome, codes, agentId) = await useCase.EnrollAsync(code, IpOf(http));
                switch (outcome)
                {
                    case SignInOutcome.SignedIn:
                        handoff.Give(http, agentId, codes!);
                        return Results.LocalRedirect($"{RecoveryCodesHandoff.PagePath}{ReturnQuery(returnUrl, '?')}");
                    case SignInOutcome.Failed:
                        return Results.LocalRedirect($"/signin/two-factor/setup?error=Failed{ReturnQuery(returnUrl, '&')}");
                    default:
                        return Results.LocalRedirect($"/signin?error={outcome}");
                }
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
                AcceptInvitation useCase, SignInAgent signIn, HttpContext http, CancellationToken ct) =>
            {
                var result = await useCase.HandleAsync(token, new AcceptInvitationRequest(displayName, password), IpOf(http), ct);
                if (!result.Succeeded)
                {
                    return result.Failure!.Kind == FailureKind.NotFound
                        ? Results.NotFound()
                        : Results.Redirect($"/invite/{Uri.EscapeDataString(token)}?error={Uri.EscapeDataString(ErrorText(result.Failure!))}");
                }

                // A workspace that requires a second factor has the new agent set one up before the app opens.
                return await signIn.SignInNewAgentAsync(result.Value!) == SignInOutcome.SignedIn
                    ? Results.LocalRedirect("/")
                    : Results.LocalRedirect("/signin/two-factor/setup");
            })
            .ExcludeFromDescription()
            .WithMetadata(new BodySizeLimit(ApiSetup.MaxFormBodyBytes))
            .RequireRateLimiting(ClientRateLimits.SignIn);
    }

    /// <summary>Where a first step (a password, or single sign-on) leads: into the app, to the second step, or back to <paramref name="refused"/>.</summary>
    private static IResult AfterFirstStep(SignInOutcome outcome, string? returnUrl, string refused) => outcome switch
    {
        SignInOutcome.SignedIn => Results.LocalRedirect(SafeReturnUrl(returnUrl)),
        SignInOutcome.TwoFactorRequired => Results.LocalRedirect($"/signin/two-factor{ReturnQuery(returnUrl, '?')}"),
        SignInOutcome.TwoFactorSetupRequired => Results.LocalRedirect($"/signin/two-factor/setup{ReturnQuery(returnUrl, '?')}"),
        _ => Results.Redirect(refused),
    };

    /// <summary>The return address carried to the next step, when it is one of this site's.</summary>
    private static string ReturnQuery(string? returnUrl, char separator) =>
        SafeReturnUrl(returnUrl) is var safe && safe != "/" ? $"{separator}returnUrl={Uri.EscapeDataString(safe)}" : "";

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
