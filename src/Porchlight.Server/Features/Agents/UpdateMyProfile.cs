using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.ApiTokens;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

public sealed record UpdateProfileRequest(string? DisplayName);

public sealed class UpdateMyProfile(AppDbContext db, ActingAgent actor, AgentPresence presence, VerifiedApiTokens verified)
{
    public async Task<Result<AgentResponse>> HandleAsync(UpdateProfileRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().Required("displayName", request.DisplayName, Agent.MaxNameLength);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var agent = await db.Agents.Include(a => a.CustomRole).SingleAsync(a => a.Id == actor.AgentId, cancellationToken);
        agent.Rename(request.DisplayName!);
        await db.SaveChangesAsync(cancellationToken);
        // The agent's tokens carry their role, activity and name: verify them again.
        verified.ForgetAll();
        return AgentResponse.From(agent, await presence.IsConnectedAsync(agent.WorkspaceId, agent.Id));
    }
}
