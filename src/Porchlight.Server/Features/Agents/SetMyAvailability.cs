using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

public sealed record SetAvailabilityRequest(AgentAvailability? Availability);

/// <summary>
/// The agent chooses Online, Away or Break (or a supervisor chooses for them); teammates see the change at once
/// while the agent is connected, and an agent back Online may receive waiting conversations.
/// </summary>
public sealed class SetMyAvailability(AppDbContext db, ActingAgent actor, AgentPresence presence)
{
    public Task<Result<AgentResponse>> HandleAsync(SetAvailabilityRequest request, CancellationToken cancellationToken) =>
        ForAgentAsync(actor.AgentId, request, cancellationToken);

    /// <summary>Sets another agent's status: the endpoint that calls this requires the right to manage routing.</summary>
    public async Task<Result<AgentResponse>> ForAgentAsync(Guid agentId, SetAvailabilityRequest request, CancellationToken cancellationToken)
    {
        if (request.Availability is not { } availability || !Enum.IsDefined(availability))
        {
            return Failure.Invalid("availability", "Required: Online, Away or Break.");
        }

        if (await db.Agents.Include(a => a.CustomRole).FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken) is not { } agent)
        {
            return Failure.NotFound("The agent");
        }

        if (availability == AgentAvailability.Online)
        {
            await presence.ActiveAsync(agent.WorkspaceId, agent.Id); // Back at the desk: automatic away counts from now.
        }

        if (agent.SetAvailability(availability))
        {
            await db.SaveChangesAsync(cancellationToken);
            await presence.AvailabilityChangedAsync(agent.WorkspaceId, agent.Id);
        }

        return AgentResponse.From(agent, await presence.IsConnectedAsync(agent.WorkspaceId, agent.Id));
    }
}
