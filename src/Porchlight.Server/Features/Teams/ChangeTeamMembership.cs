using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Teams;

/// <summary>Adds or removes one member; idempotent, so retries are safe. Each change is audited on the team.</summary>
public sealed class ChangeTeamMembership(AppDbContext db, AuditActor actor, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<Result<TeamResponse>> AddAsync(Guid teamId, Guid agentId, CancellationToken cancellationToken)
    {
        var team = await db.Teams.FirstOrDefaultAsync(t => t.Id == teamId, cancellationToken);
        var agent = await db.Agents.FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken);
        if (team is null)
        {
            return Failure.NotFound("Team");
        }

        if (agent is null)
        {
            return Failure.NotFound("Agent");
        }

        if (team.AddMember(agent))
        {
            Audit(team, "team.member_added", new AuditChange(null, agent.Id));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // A concurrent request added the same member first; adding is idempotent, so that is success.
                if (!await db.TeamMembers.AnyAsync(m => m.TeamId == teamId && m.AgentId == agentId, cancellationToken))
                {
                    throw;
                }

                return TeamResponse.From(await db.Teams.AsNoTracking().SingleAsync(t => t.Id == teamId, cancellationToken));
            }
        }

        return TeamResponse.From(team);
    }

    public async Task<Result<TeamResponse>> RemoveAsync(Guid teamId, Guid agentId, CancellationToken cancellationToken)
    {
        var team = await db.Teams.FirstOrDefaultAsync(t => t.Id == teamId, cancellationToken);
        if (team is null)
        {
            return Failure.NotFound("Team");
        }

        if (!team.RemoveMember(agentId))
        {
            return Failure.NotFound("Team member");
        }

        Audit(team, "team.member_removed", new AuditChange(agentId, null));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // A concurrent request removed the member first: answer as if this one came second.
            return Failure.NotFound("Team member");
        }

        return TeamResponse.From(team);
    }

    private void Audit(Team team, string action, AuditChange agentChange) => db.AuditEntries.Add(AuditEntry.Create(
        team.WorkspaceId,
        clock.GetUtcNow().UtcDateTime,
        actor,
        action,
        "team",
        team.Id.ToString(),
        JsonSerializer.Serialize(new Dictionary<string, AuditChange> { ["AgentId"] = agentChange }, Json)));
}
