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

        if (!RolePermissions.CanInvite(actor.Role, actor.CustomPermissions, request.Role!.Value))
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
