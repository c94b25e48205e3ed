using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.ApiTokens;

/// <summary>
/// Authenticates <c>Authorization: Bearer plt_…</c> against the stored token hashes. The REST API
/// accepts only this scheme (never the app's cookie), so a browser session cannot be ridden by
/// cross-site requests against the API.
/// </summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    VerifiedApiTokens verified,
    TimeProvider clock,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        // Browsers cannot set headers on WebSockets: the agent hub also takes the token as access_token.
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? header["Bearer ".Length..].Trim()
            : Request.Path.StartsWithSegments(AgentHub.Path) ? Request.Query["access_token"].ToString() : "";
        if (token.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        var hash = SecretToken.Hash(token);
        if (verified.Find(hash) is { } known)
        {
            return Authenticated(known);
        }

        // Resolved only when the token is not known yet: most requests are answered from the cache above.
        var db = Context.RequestServices.GetRequiredService<AppDbContext>();
        var generation = verified.Generation;
        var match = await db.ApiTokens.IgnoreQueryFilters()
            .Where(t => t.TokenHash == hash && t.RevokedAt == null)
            .Join(db.Agents.IgnoreQueryFilters(), t => t.AgentId, a => a.Id, (token, agent) => new { token, agent })
            .AsNoTracking()
            .FirstOrDefaultAsync(Context.RequestAborted);
        if (match is null || !match.agent.IsActive)
        {
            return AuthenticateResult.Fail("The API token is unknown, revoked, or belongs to a deactivated agent.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        if (match.token.LastUsedAt is null || now - match.token.LastUsedAt > LastUsedResolution)
        {
            // Coarse on purpose: one write a minute per token, not one per request.
            await db.ApiTokens.IgnoreQueryFilters().Where(t => t.Id == match.token.Id)
                .ExecuteUpdateAsync(set => set.SetProperty(t => t.LastUsedAt, now), Context.RequestAborted);
        }

        Claim[] claims =
        [
            new(ClaimTypes.NameIdentifier, match.agent.Id.ToString()),
            new(ClaimTypes.Name, match.agent.Email ?? ""),
            new(PorchlightClaims.TokenScopes, match.token.Scopes.ToString()),
            .. PorchlightClaims.For(match.agent),
        ];
        verified.Remember(hash, claims, generation);
        return Authenticated(claims);
    }

    private static AuthenticateResult Authenticated(Claim[] claims) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return WriteProblemAsync("Unauthorized", "Send a valid API token as 'Authorization: Bearer <token>'.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return WriteProblemAsync("Forbidden", "Your role or this token's scopes do not allow this operation.");
    }

    private Task WriteProblemAsync(string title, string detail) => problems.WriteAsync(new ProblemDetailsContext
    {
        HttpContext = Context,
        ProblemDetails = new ProblemDetails { Status = Response.StatusCode, Title = title, Detail = detail },
    }).AsTask();
}
