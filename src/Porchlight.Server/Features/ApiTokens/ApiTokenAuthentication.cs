using System.Security.Claims;
using System.Text.Json;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Audit;
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
    private static readonly TimeSpan UseAuditResolution = TimeSpan.FromHours(1);

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
        var now = clock.GetUtcNow().UtcDateTime;
        var match = await db.ApiTokens.IgnoreQueryFilters()
            .Where(t => t.TokenHash == hash && t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now))
            .Join(db.Agents.IgnoreQueryFilters(), t => t.AgentId, a => a.Id, (token, agent) => new { token, agent, customRole = agent.CustomRole })
            .AsNoTracking()
            .FirstOrDefaultAsync(Context.RequestAborted);
        if (match is null || !match.agent.IsActive)
        {
            return AuthenticateResult.Fail("The API token is unknown, revoked, expired, or belongs to a deactivated agent.");
        }

        if (match.token.LastUsedAt is null || now - match.token.LastUsedAt > LastUsedResolution)
        {
            // Coarse on purpose: one write a minute per token, not one per request.
            await db.ApiTokens.IgnoreQueryFilters().Where(t => t.Id == match.token.Id)
                .ExecuteUpdateAsync(set => set.SetProperty(t => t.LastUsedAt, now), Context.RequestAborted);
            if (match.token.LastUsedAt is null || now - match.token.LastUsedAt > UseAuditResolution)
            {
                await RecordUseAsync(db, match.token, match.agent, now);
            }
        }

        Claim[] claims =
        [
            new(ClaimTypes.NameIdentifier, match.agent.Id.ToString()),
            new(ClaimTypes.Name, match.agent.Email ?? ""),
            new(PorchlightClaims.TokenScopes, match.token.Scopes.ToString()),
            .. PorchlightClaims.For(match.agent, match.customRole),
        ];
        verified.Remember(hash, claims, generation, match.token.ExpiresAt);
        return Authenticated(claims);
    }

    /// <summary>
    /// Records that the token is in use, from where: once at its first use and then once in each hour of use, so the
    /// trail shows which tokens act and from which addresses without one entry per request. What a token changes is
    /// recorded as any change is.
    /// </summary>
    private Task<int> RecordUseAsync(AppDbContext db, ApiToken token, Agent agent, DateTime now)
    {
        var actor = new AuditActor();
        actor.Set(agent.Id, agent.DisplayName, Context.Connection.RemoteIpAddress?.ToString());
        db.AuditEntries.Add(AuditEntry.Create(token.WorkspaceId, now, actor, "api_token.used", "api_token", token.Id.ToString(),
            JsonSerializer.Serialize(new { name = token.Name, hint = token.Hint, path = Request.Path.Value })));
        return db.SaveChangesAsync(Context.RequestAborted);
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
