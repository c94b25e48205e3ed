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

    /// <summary>Present only when the agent holds a custom role: the permissions it grants, comma-separated.</summary>
    public const string CustomPermissions = "porchlight:permissions";

    public static AgentRole? RoleOf(ClaimsPrincipal principal) =>
        Enum.TryParse<AgentRole>(principal.FindFirstValue(ClaimTypes.Role), out var role) ? role : null;

    /// <summary>The permissions of the principal's custom role; null when they hold none (their built-in role applies).</summary>
    public static IReadOnlyCollection<Permission>? CustomPermissionsOf(ClaimsPrincipal principal) =>
        principal.FindFirstValue(CustomPermissions) is { } value
            ? [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => Enum.TryParse<Permission>(p, out var permission) ? permission : (Permission?)null).OfType<Permission>()]
            : null;

    /// <summary>Whether the principal's roles (built-in and custom) grant <paramref name="permission"/>, token scopes aside.</summary>
    public static bool Grants(ClaimsPrincipal principal, Permission permission) =>
        RoleOf(principal) is { } role && RolePermissions.Allows(role, CustomPermissionsOf(principal), permission);

    /// <summary>A cookie session may do everything its role allows; a token only what its scopes add up to.</summary>
    public static TokenScopes ScopesOf(ClaimsPrincipal principal) =>
        principal.FindFirstValue(TokenScopes) is { } value && Enum.TryParse<TokenScopes>(value, out var scopes)
            ? scopes
            : Features.ApiTokens.TokenScopes.Read | Features.ApiTokens.TokenScopes.Write | Features.ApiTokens.TokenScopes.Admin;

    /// <param name="customRole">The agent's custom role, when they hold one.</param>
    public static IEnumerable<Claim> For(Agent agent, CustomRole? customRole)
    {
        yield return new(WorkspaceId, agent.WorkspaceId.ToString());
        yield return new(ClaimTypes.Role, agent.Role.ToString());
        yield return new(DisplayName, agent.DisplayName);
        if (customRole is not null)
        {
            yield return new(CustomPermissions, string.Join(',', customRole.Permissions));
        }
    }
}
