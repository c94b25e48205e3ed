using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

/// <summary>Whether the inbox alerts this agent (a chime and a desktop notification) to new conversations and messages while its tab is hidden.</summary>
public sealed record AlertsResponse(bool Enabled);

public sealed record SetAlertsRequest(bool? Enabled);

/// <summary>An agent's own alert preference: kept with the agent, so it follows them to every browser they sign in on.</summary>
public sealed class MyAlerts(AppDbContext db, ActingAgent actor)
{
    public async Task<Result<AlertsResponse>> GetAsync(CancellationToken cancellationToken) =>
        new AlertsResponse(await db.Agents.Where(a => a.Id == actor.AgentId).Select(a => a.AlertsEnabled).SingleAsync(cancellationToken));

    public async Task<Result<AlertsResponse>> SetAsync(SetAlertsRequest request, CancellationToken cancellationToken)
    {
        if (request.Enabled is not { } enabled)
        {
            return Failure.Invalid("enabled", "Required: true or false.");
        }

        var agent = await db.Agents.SingleAsync(a => a.Id == actor.AgentId, cancellationToken);
        agent.SetAlerts(enabled);
        await db.SaveChangesAsync(cancellationToken);
        return new AlertsResponse(agent.AlertsEnabled);
    }
}
