using System.Security.Claims;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.ApiTokens;
using Porchlight.Server.Features.Audit;

namespace Porchlight.Server.Hosting;

/// <summary>
/// The signed-in agent a unit of work (an HTTP request, one Blazor action, an outbox dispatch) acts
/// for. Entering it also scopes the database to the agent's workspace and names the audit actor, so
/// those three can never disagree.
/// </summary>
public sealed class ActingAgent(TenantScope tenant, AuditActor auditActor)
{
    public bool IsSignedIn => AgentId != Guid.Empty;

    public Guid AgentId { get; private set; }

    public Guid WorkspaceId { get; private set; }

    public AgentRole Role { get; private set; }

    /// <summary>The permissions of the agent's custom role, when they hold one (it replaces those of <see cref="Role"/>).</summary>
    public IReadOnlyCollection<Permission>? CustomPermissions { get; private set; }

    public TokenScopes Scopes { get; private set; }

    public string Name { get; private set; } = "";

    /// <summary>The app session the request or circuit runs in; null for API tokens and work without a browser.</summary>
    public Guid? SessionId { get; private set; }

    public bool Can(Permission permission) =>
        IsSignedIn && RolePermissions.Allows(Role, CustomPermissions, permission) && Scopes.HasFlag(RolePermissions.RequiredScope(permission));

    /// <returns>false when the principal is not a signed-in agent.</returns>
    public bool Enter(ClaimsPrincipal principal, string? ipAddress)
    {
        if (PorchlightClaims.AgentIdOf(principal) is not { } agentId
            || PorchlightClaims.WorkspaceIdOf(principal) is not { } workspaceId
            || PorchlightClaims.RoleOf(principal) is not { } role)
        {
            auditActor.Set(null, "anonymous", ipAddress);
            return false;
        }

        AgentId = agentId;
        WorkspaceId = workspaceId;
        Role = role;
        CustomPermissions = PorchlightClaims.CustomPermissionsOf(principal);
        Scopes = PorchlightClaims.ScopesOf(principal);
        Name = principal.FindFirstValue(PorchlightClaims.DisplayName) ?? principal.Identity?.Name ?? "";
        SessionId = PorchlightClaims.SessionIdOf(principal);
        EnterTenant();
        auditActor.Set(agentId, Name, ipAddress);
        return true;
    }

    /// <summary>For flows where the agent is known without a principal (sign-in, command line).</summary>
    public void Enter(Agent agent, string? ipAddress)
    {
        AgentId = agent.Id;
        WorkspaceId = agent.WorkspaceId;
        Role = agent.Role;
        CustomPermissions = agent.CustomRole?.Permissions;
        Scopes = TokenScopes.Read | TokenScopes.Write | TokenScopes.Admin;
        Name = agent.DisplayName;
        EnterTenant();
        auditActor.Set(agent.Id, agent.DisplayName, ipAddress);
    }

    // The one place that decides whose inbox memberships limit what the unit of work sees.
    private void EnterTenant()
    {
        tenant.Enter(WorkspaceId);
        if (!Can(Permission.SeeEveryInbox))
        {
            tenant.LimitToInboxesOf(AgentId);
        }
    }
}
