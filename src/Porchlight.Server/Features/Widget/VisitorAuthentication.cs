using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Porchlight.Server.Features.Widget;

/// <summary>
/// Authenticates widget visitors by their visitor token: <c>Authorization: Bearer</c> on the visitor API,
/// the <c>access_token</c> query parameter on the visitor hub (browsers cannot set headers on WebSockets).
/// </summary>
public sealed class VisitorAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    VisitorTokens tokens,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Visitor";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (string.IsNullOrEmpty(TokenOf(Request)))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (ReadOnce(Context, tokens) is not { } visitor)
        {
            return Task.FromResult(AuthenticateResult.Fail("The visitor token is not valid."));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(visitor.ToClaims(), SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    /// <summary>
    /// The visitor the request's token names, or null; read once per request, because the per-visitor rate limit
    /// reads it before authentication does, on every visitor request.
    /// </summary>
    public static VisitorIdentity? ReadOnce(HttpContext context, VisitorTokens tokens)
    {
        if (context.Items.TryGetValue(typeof(VisitorIdentity), out var read))
        {
            return read as VisitorIdentity;
        }

        var visitor = tokens.Read(TokenOf(context.Request));
        context.Items[typeof(VisitorIdentity)] = visitor;
        return visitor;
    }

    /// <summary>The visitor token a request carries, or null; not yet checked.</summary>
    public static string? TokenOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? header["Bearer ".Length..].Trim()
            : request.Path.StartsWithSegments(VisitorHub.Path) ? request.Query["access_token"].ToString() : null;
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Unauthorized",
                Detail = "Start a visitor session first (POST /widget/v1/sessions) and send its token as 'Authorization: Bearer <token>'.",
            },
        }).AsTask();
    }
}
