using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Teams;

public sealed record TeamResponse(Guid Id, string Name, string Description, IReadOnlyList<Guid> MemberIds, DateTime CreatedAt)
{
    public static TeamResponse From(Team team) =>
        new(team.Id, team.Name, team.Description, [.. team.Members.Select(m => m.AgentId)], team.CreatedAt);
}

public sealed record SaveTeamRequest(string? Name, string? Description);

public sealed class ListTeams(AppDbContext db)
{
    public async Task<Result<Page<TeamResponse>>> HandleAsync(PageRequest page, CancellationToken cancellationToken) =>
        await db.Teams.AsNoTracking().ToPageAsync(page, t => t.Id, TeamResponse.From, cancellationToken);
}

public sealed class GetTeam(AppDbContext db)
{
    public async Task<Result<TeamResponse>> HandleAsync(Guid teamId, CancellationToken cancellationToken) =>
        await db.Teams.AsNoTracking().FirstOrDefaultAsync(t => t.Id == teamId, cancellationToken) is { } team
            ? TeamResponse.From(team)
            : Failure.NotFound("Team");
}

public sealed class CreateTeam(AppDbContext db, ActingAgent actor, TimeProvider clock)
{
    public async Task<Result<TeamResponse>> HandleAsync(SaveTeamRequest request, CancellationToken cancellationToken)
    {
        if (await TeamRules.ValidateAsync(db, request, exceptTeamId: null, cancellationToken) is { } failure)
        {
            return failure;
        }

        var team = Team.Create(actor.WorkspaceId, request.Name!, request.Description ?? "", clock.GetUtcNow().UtcDateTime);
        db.Teams.Add(team);
        if (await TeamRules.SaveAsync(db, request.Name!, exceptTeamId: null, cancellationToken) is { } raced)
        {
            return raced;
        }

        return TeamResponse.From(team);
    }
}

public sealed class UpdateTeam(AppDbContext db)
{
    public async Task<Result<TeamResponse>> HandleAsync(Guid teamId, SaveTeamRequest request, CancellationToken cancellationToken)
    {
        var team = await db.Teams.FirstOrDefaultAsync(t => t.Id == teamId, cancellationToken);
        if (team is null)
        {
            return Failure.NotFound("Team");
        }

        if (await TeamRules.ValidateAsync(db, request, teamId, cancellationToken) is { } failure)
        {
            return failure;
        }

        team.Change(request.Name!, request.Description ?? "");
        if (await TeamRules.SaveAsync(db, request.Name!, teamId, cancellationToken) is { } raced)
        {
            return raced;
        }

        return TeamResponse.From(team);
    }
}

public sealed class DeleteTeam(AppDbContext db)
{
    public async Task<Result<Done>> HandleAsync(Guid teamId, CancellationToken cancellationToken)
    {
        var team = await db.Teams.FirstOrDefaultAsync(t => t.Id == teamId, cancellationToken);
        if (team is null)
        {
            return Failure.NotFound("Team");
        }

        db.Teams.Remove(team);
        await db.SaveChangesAsync(cancellationToken);
        return default(Done);
    }
}

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

internal static class TeamRules
{
    public static async Task<Failure?> ValidateAsync(AppDbContext db, SaveTeamRequest request, Guid? exceptTeamId, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .Required("name", request.Name, Team.MaxNameLength)
            .MaxLength("description", request.Description, Team.MaxDescriptionLength);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        return await NameTakenAsync(db, request.Name!, exceptTeamId, cancellationToken) ? DuplicateName : null;
    }

    /// <summary>
    /// Saves a created or renamed team. Two requests with the same name can both pass the check above;
    /// the unique index lets one win, and the other gets the same 409 as a duplicate sent later.
    /// </summary>
    public static async Task<Failure?> SaveAsync(AppDbContext db, string name, Guid? exceptTeamId, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateException)
        {
            if (await NameTakenAsync(db, name, exceptTeamId, cancellationToken))
            {
                return DuplicateName;
            }

            throw;
        }
    }

    private static Failure DuplicateName => Failure.Duplicate("name", "A team with this name already exists.");

    private static Task<bool> NameTakenAsync(AppDbContext db, string name, Guid? exceptTeamId, CancellationToken cancellationToken)
    {
        var normalized = name.Trim().ToUpperInvariant();
        return db.Teams.AnyAsync(t => t.Id != exceptTeamId && t.Name.ToUpper() == normalized, cancellationToken);
    }
}
