using Microsoft.AspNetCore.Identity;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Workspaces;

public sealed record CreateWorkspaceWithOwnerRequest(string? WorkspaceName, string? TimeZone, string? OwnerName, string? Email, string? Password);

/// <summary>
/// Creates a workspace and its first Owner in one transaction. Used by the first-run setup page and by
/// <c>porchlight create-owner</c>; each workspace of an installation starts here.
/// </summary>
public sealed class CreateWorkspaceWithOwner(AppDbContext db, UserManager<Agent> users, ActingAgent actor, TimeProvider clock)
{
    public async Task<Result<Agent>> HandleAsync(CreateWorkspaceWithOwnerRequest request, string? ipAddress, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .Required("workspaceName", request.WorkspaceName, Workspace.MaxNameLength)
            .Required("ownerName", request.OwnerName, Agent.MaxNameLength)
            .Email("email", request.Email);
        WorkspaceRules.TimeZone(request.TimeZone, errors);
        if (string.IsNullOrEmpty(request.Password))
        {
            errors.Add("password", "Required.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        if (await db.IsEmailTakenAsync(request.Email!, cancellationToken))
        {
            return Failure.Duplicate("email", "An agent with this email already exists.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var workspace = Workspace.Create(request.WorkspaceName!, request.TimeZone!, now);
        var owner = Agent.Create(workspace.Id, request.Email!, request.OwnerName!, AgentRole.Owner, now);
        actor.Enter(owner, ipAddress);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync(cancellationToken);
        var created = await users.CreateAsync(owner, request.Password!);
        if (!created.Succeeded)
        {
            return IdentityFailures.From(created);
        }

        await transaction.CommitAsync(cancellationToken);
        return owner;
    }
}
