using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

public sealed record InviteAgentRequest(string? Email, AgentRole? Role);

/// <summary>Creates an invitation link for a new agent. The link is shown once, to the inviter.</summary>
public sealed class InviteAgent(AppDbContext db, ActingAgent actor, TimeProvider clock, PublicUrls urls)
{
    public async Task<Result<InvitationResponse>> HandleAsync(InviteAgentRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().Email("email", request.Email);
        if (request.Role is not { } role || !Enum.IsDefined(role))
        {
            errors.Add("role", "One of Owner, Admin, Supervisor, Agent.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        if (!RolePermissions.CanInvite(actor.Role, request.Role!.Value))
        {
            return Failure.Forbidden("Only an Owner can invite another Owner.");
        }

        var email = request.Email!.Trim();
        if (await db.IsEmailTakenAsync(email, cancellationToken))
        {
            return Failure.Duplicate("email", "An agent with this email already exists.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var upper = email.ToUpperInvariant();
        if (await db.Invitations.AnyAsync(i => i.AcceptedAt == null && i.ExpiresAt > now && i.Email.ToUpper() == upper, cancellationToken))
        {
            return Failure.Duplicate("email", "This email already has an open invitation. Revoke it to send a new one.");
        }

        var token = SecretToken.Create("inv");
        var invitation = Invitation.Create(actor.WorkspaceId, email, request.Role!.Value, actor.AgentId, SecretToken.Hash(token), now);
        db.Invitations.Add(invitation);
        await db.SaveChangesAsync(cancellationToken);
        return InvitationResponse.From(invitation, urls.To($"invite/{token}"));
    }
}

public sealed class ListInvitations(AppDbContext db)
{
    /// <summary>Invitations not yet accepted, including expired ones so they can be cleaned up.</summary>
    public async Task<Result<Page<InvitationResponse>>> HandleAsync(PageRequest page, CancellationToken cancellationToken) =>
        await db.Invitations.AsNoTracking()
            .Where(i => i.AcceptedAt == null)
            .ToPageAsync(page, i => i.Id, i => InvitationResponse.From(i), cancellationToken);
}

public sealed class RevokeInvitation(AppDbContext db)
{
    public async Task<Result<Done>> HandleAsync(Guid invitationId, CancellationToken cancellationToken)
    {
        var invitation = await db.Invitations.FirstOrDefaultAsync(i => i.Id == invitationId && i.AcceptedAt == null, cancellationToken);
        if (invitation is null)
        {
            return Failure.NotFound("Invitation");
        }

        db.Invitations.Remove(invitation);
        await db.SaveChangesAsync(cancellationToken);
        return default(Done);
    }
}

/// <summary>What the accept page shows before the invitee chooses a name and password.</summary>
public sealed record InvitationPreview(string Email, string WorkspaceName, AgentRole Role);

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
        return new InvitationPreview(invitation.Email, workspace.Name, invitation.Role);
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
