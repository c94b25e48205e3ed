using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Teams;

public sealed record TeamResponse(
    Guid Id, string Name, string Description, Routing.AssignmentStrategy Strategy, bool PreferPreviousAgent, IReadOnlyList<Guid> MemberIds, DateTime CreatedAt)
{
    public static TeamResponse From(Team team) =>
        new(team.Id, team.Name, team.Description, team.Strategy, team.PreferPreviousAgent, [.. team.Members.Select(m => m.AgentId)], team.CreatedAt);
}

internal static class TeamRules
{
    public static async Task<Failure?> ValidateAsync(AppDbContext db, SaveTeamRequest request, Guid? exceptTeamId, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .Required("name", request.Name, Team.MaxNameLength)
            .MaxLength("description", request.Description, Team.MaxDescriptionLength);
        if (request.Strategy is { } strategy && !Enum.IsDefined(strategy))
        {
            errors.Add("strategy", "One of Manual, RoundRobin, LeastLoaded, Skills.");
        }

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
