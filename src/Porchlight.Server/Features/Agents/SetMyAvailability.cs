using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

public sealed record SetAvailabilityRequest(AgentAvailability? Availability);

/// <summary>The agent chooses Online or Away; teammates see the change at once while the agent is connected.</summary>
public sealed class SetMyAvailability(AppDbContext db, ActingAgent actor, AgentPresence presence)
{
    public async Task<Result<AgentResponse>> HandleAsync(SetAvailabilityRequest request, CancellationToken cancellationToken)
    {
        if (request.Availability is not { } availability || !Enum.IsDefined(availability))
        {
            return Failure.Invalid("availability", "Required: Online, Away or Break.");
        }

        var agent = await db.Agents.SingleAsync(a => a.Id == actor.AgentId, cancellationToken);
        if (agent.SetAvailability(availability))
        {
            await db.SaveChangesAsync(cancellationToken);
            await presence.AvailabilityChangedAsync(agent.WorkspaceId, agent.Id);
        }

        return AgentResponse.From(agent, await presence.IsConnectedAsync(agent.WorkspaceId, agent.Id));
    }
}
