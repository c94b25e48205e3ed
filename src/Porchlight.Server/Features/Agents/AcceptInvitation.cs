using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

/// <summary>What the accept page shows before the invitee chooses a name and password.</summary>
public sealed record InvitationPreview(string Email, string WorkspaceName, AgentRole Role, int MinPasswordLength = Workspaces.Workspace.DefaultMinPasswordLength, bool RequireTwoFactor = false);

public sealed record AcceptInvitationRequest(string? DisplayName, string? Password);

/// <summary>Turns an invitation link into an agent account. Anonymous: the link's secret is the credential.</summary>
public sealed class AcceptInvitation(AppDbContext db, UserManager<Agent> users, ActingAgent actor, TimeProvider clock)
{
    public async Task<Result<InvitationPreview>> PreviewAsync(string token, CancellationToken cancellationToken)
    {
        var invitation = await FindOpenAsync(token, cancellationToken);
        if (invitation is null)
        {
            return Failure.NotFound("Invitation");
        }

        var workspace = await db.Workspaces.IgnoreQueryFilters().SingleAsync(w => w.Id == invitation.WorkspaceId, cancellationToken);
        return new InvitationPreview(invitation.Email, workspace.Name, invitation.Role, workspace.MinPasswordLength, workspace.RequireTwoFactor);
    }

    public async Task<Result<Agent>> HandleAsync(string token, AcceptInvitationRequest request, string? ipAddress, CancellationToken cancellationToken)
    {
        var invitation = await FindOpenAsync(token, cancellationToken);
        if (invitation is null)
        {
            return Failure.NotFound("Invitation");
        }

        var errors = new FieldErrors().Required("displayName", request.DisplayName, Agent.MaxNameLength);
        if (string.IsNullOrEmpty(request.Password))
        {
            errors.Add("password", "Required.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        if (await db.IsEmailTakenAsync(invitation.Email, cancellationToken))
        {
            return Failure.Duplicate("email", "An agent with this email already exists.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var agent = Agent.Create(invitation.WorkspaceId, invitation.Email, request.DisplayName!, invitation.Role, now);
        actor.Enter(agent, ipAddress);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var created = await users.CreateAsync(agent, request.Password!);
        if (!created.Succeeded)
        {
            return IdentityFailures.From(created);
        }

        invitation.MarkAccepted(now);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return agent;
    }

    private async Task<Invitation?> FindOpenAsync(string token, CancellationToken cancellationToken)
    {
        var hash = SecretToken.Hash(token);
        var invitation = await db.Invitations.IgnoreQueryFilters().FirstOrDefaultAsync(i => i.TokenHash == hash, cancellationToken);
        return invitation is not null && invitation.IsOpen(clock.GetUtcNow().UtcDateTime) ? invitation : null;
    }
}
