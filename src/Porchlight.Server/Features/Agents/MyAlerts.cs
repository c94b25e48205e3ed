using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

/// <summary>
/// Whether the inbox alerts this agent (a chime and a desktop notification) to new conversations and messages while its
/// tab is hidden, and whether they get the weekly digest of the reports by email (only agents who may read reports do).
/// </summary>
public sealed record AlertsResponse(bool Enabled, bool WeeklyDigest);

/// <summary>Either or both; left out stays as it is.</summary>
public sealed record SetAlertsRequest(bool? Enabled, bool? WeeklyDigest = null);

/// <summary>An agent's own alert preferences: kept with the agent, so they follow them to every browser they sign in on.</summary>
public sealed class MyAlerts(AppDbContext db, ActingAgent actor)
{
    public async Task<Result<AlertsResponse>> GetAsync(CancellationToken cancellationToken) =>
        await db.Agents.Where(a => a.Id == actor.AgentId).Select(a => new AlertsResponse(a.AlertsEnabled, a.WantsWeeklyDigest)).SingleAsync(cancellationToken);

    public async Task<Result<AlertsResponse>> SetAsync(SetAlertsRequest request, CancellationToken cancellationToken)
    {
        if (request is { Enabled: null, WeeklyDigest: null })
        {
            return Failure.Invalid("enabled", "Required: enabled or weeklyDigest, true or false.");
        }

        if (request.WeeklyDigest == true && !actor.Can(Permission.ViewReports))
        {
            return Failure.Invalid("weeklyDigest", "The weekly digest summarises the reports, which your role does not show.");
        }

        var agent = await db.Agents.SingleAsync(a => a.Id == actor.AgentId, cancellationToken);
        agent.SetAlerts(request.Enabled ?? agent.AlertsEnabled, request.WeeklyDigest ?? agent.WantsWeeklyDigest);
        await db.SaveChangesAsync(cancellationToken);
        return new AlertsResponse(agent.AlertsEnabled, agent.WantsWeeklyDigest);
    }
}
