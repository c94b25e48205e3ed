using System.Security.Claims;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.ApiTokens;

namespace Porchlight.Server.Hosting;

/// <summary>Claim types Porchlight puts on a signed-in agent, and how to read them back.</summary>
public static class PorchlightClaims
{
    public const string WorkspaceId = "porchlight:workspace";
    public const string DisplayName = "porchlight:name";

    /// <summary>On the app's cookie: the <see cref="Features.SignIn.AgentSession"/> it belongs to.</summary>
    public const string SessionId = "porchlight:session";

    /// <summary>Authentication methods (RFC 8176): <see cref="MultiFactor"/> when a second factor was passed.</summary>
    public const string AuthenticationMethods = "amr";

    public const string MultiFactor = "mfa";

    /// <summary>Present only on API token principals: the token's scopes (cookies carry full rights).</summary>
    public const string TokenScopes = "porchlight:scopes";

    public static Guid? AgentIdOf(ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public static Guid? SessionIdOf(ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(SessionId), out var id) ? id : null;

    public static Guid? WorkspaceIdOf(ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(WorkspaceId), out var id) ? id : null;

    public static AgentRole? RoleOf(ClaimsPrincipal principal) =>
        Enum.TryParse<AgentRole>(principal.FindFirstValue(ClaimTypes.Role), out var role) ? role : null;

    /// <summary>A cookie session may do everything its role allows; a token only what its scopes add up to.</summary>
    public static TokenScopes ScopesOf(ClaimsPrincipal principal) =>
        principal.FindFirstValue(TokenScopes) is { } value && Enum.TryParse<TokenScopes>(value, out var scopes)
            ? scopes
            : Features.ApiTokens.TokenScopes.Read | Features.ApiTokens.TokenScopes.Write | Features.ApiTokens.TokenScopes.Admin;

    public static IEnumerable<Claim> For(Agent agent) =>
    [
        new(WorkspaceId, agent.WorkspaceId.ToString()),
        new(ClaimTypes.Role, agent.Role.ToString()),
        new(DisplayName, agent.DisplayName),
    ];
}
