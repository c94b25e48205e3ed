using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.ApiTokens;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

/// <summary>
/// What an administrator may change about another agent: their role, built-in (<c>role</c>, which also takes a custom
/// role away) or custom (<c>customRoleId</c>, never for an Owner), and whether they are active.
/// </summary>
/// <param name="ResetTwoFactor">
/// true switches the agent's two-factor sign-in off and removes its key and recovery codes (a lost phone and lost codes),
/// and signs them out everywhere; in a workspace that requires it, they set it up again at their next sign-in.
/// </param>
public sealed record ChangeAgentRequest(AgentRole? Role, bool? IsActive, bool? ResetTwoFactor = null, Guid? CustomRoleId = null);

/// <summary>
/// Changes an agent's role or deactivates/reactivates them. Only an Owner touches Owners, and the
/// workspace always keeps at least one active Owner.
/// </summary>
public sealed class ChangeAgent(
    AppDbContext db, ActingAgent actor, AgentPresence presence, VerifiedApiTokens verified, SignIn.AgentSessions sessions, SignIn.AgentTwoFactor twoFactor)
{
    public async Task<Result<AgentResponse>> HandleAsync(Guid agentId, ChangeAgentRequest request, CancellationToken cancellationToken)
    {
        var agent = await db.Agents.Include(a => a.CustomRole).FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken);
        if (agent is null)
        {
            return Failure.NotFound("Agent");
        }

        var stampBefore = agent.SecurityStamp;

        if (request.Role is { } role && !Enum.IsDefined(role))
        {
            return Failure.Invalid("role", "One of Owner, Admin, Supervisor, Agent.");
        }

        if (request.Role is not null && request.CustomRoleId is not null)
        {
            return Failure.Invalid("customRoleId", "Give either a built-in role or a custom role, not both.");
        }

        if (request.CustomRoleId is { } customRoleId)
        {
            if (!await db.CustomRoles.AnyAsync(r => r.Id == customRoleId, cancellationToken))
            {
                return Failure.Invalid("customRoleId", "No custom role of this workspace has this id.");
            }

            if (agent.Role == AgentRole.Owner)
            {
                return Failure.Conflict("An Owner keeps every permission and cannot hold a custom role. Make them an Admin first.");
            }
        }

        if (!RolePermissions.CanChangeAgent(actor.Role, actor.CustomPermissions, agent.Role, request.Role))
        {
            return Failure.Forbidden("Only an Owner can change an Owner or make someone an Owner.");
        }

        var losesOwner = agent.Role == AgentRole.Owner && agent.IsActive
            && ((request.Role is { } newRole && newRole != AgentRole.Owner) || request.IsActive == false);
        if (losesOwner && !await db.Agents.AnyAsync(a => a.Id != agent.Id && a.Role == AgentRole.Owner && a.IsActive, cancellationToken))
        {
            return Failure.Conflict("A workspace needs at least one active Owner. Make someone else Owner first.");
        }

        if (agent.Id == actor.AgentId && request.IsActive == false)
        {
            return Failure.Conflict("You cannot deactivate yourself.");
        }

        if (request.Role is { } changedRole)
        {
            agent.ChangeRole(changedRole);
            agent.AssignCustomRole(null);
        }

        if (request.CustomRoleId is { } assigned)
        {
            agent.AssignCustomRole(assigned);
        }

        switch (request.IsActive)
        {
            case false:
                agent.Deactivate();
                break;
            case true:
                agent.Reactivate();
                break;
        }

        if (request.ResetTwoFactor == true && agent.TwoFactorEnabled)
        {
            await twoFactor.ResetAsync(agent, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await db.Entry(agent).Reference(a => a.CustomRole).LoadAsync(cancellationToken);
        // The agent's tokens carry their role, activity and name: verify them again.
        verified.ForgetAll();
        if (agent.SecurityStamp != stampBefore)
        {
            // A deactivation or a new role ends the agent's sessions, within seconds on every node: they sign in again
            // (or, deactivated, cannot).
            await sessions.EndAllAsync(agent.Id, null, cancellationToken);
        }

        return AgentResponse.From(agent, await presence.IsConnectedAsync(agent.WorkspaceId, agent.Id));
    }
}
