using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.ApiTokens;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

/// <summary>What an administrator may change about another agent: role and whether they are active.</summary>
/// <param name="ResetTwoFactor">
/// true switches the agent's two-factor sign-in off and removes its key and recovery codes (a lost phone and lost codes),
/// and signs them out everywhere; in a workspace that requires it, they set it up again at their next sign-in.
/// </param>
public sealed record ChangeAgentRequest(AgentRole? Role, bool? IsActive, bool? ResetTwoFactor = null);

/// <summary>
/// Changes an agent's role or deactivates/reactivates them. Only an Owner touches Owners, and the
/// workspace always keeps at least one active Owner.
/// </summary>
public sealed class ChangeAgent(
    AppDbContext db, ActingAgent actor, AgentPresence presence, VerifiedApiTokens verified, SignIn.AgentSessions sessions, SignIn.AgentTwoFactor twoFactor)
{
    public async Task<Result<AgentResponse>> HandleAsync(Guid agentId, ChangeAgentRequest request, CancellationToken cancellationToken)
    {
        var agent = await db.Agents.FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken);
        if (agent is null)
        {
            return Failure.NotFound("Agent");
        }

        var stampBefore = agent.SecurityStamp;

        if (request.Role is { } role && !Enum.IsDefined(role))
        {
            return Failure.Invalid("role", "One of Owner, Admin, Supervisor, Agent.");
        }

        if (!RolePermissions.CanChangeAgent(actor.Role, agent.Role, request.Role))
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
