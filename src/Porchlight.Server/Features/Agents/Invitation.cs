using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;

namespace Porchlight.Server.Features.Agents;

/// <summary>
/// An invitation to join a workspace, accepted through a link. Only the hash of the link's secret is
/// stored, so a database reader cannot accept invitations.
/// </summary>
public sealed class Invitation : Entity, IWorkspaceOwned, IAudited
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    private Invitation()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public string Email { get; private set; } = "";

    public AgentRole Role { get; private set; }

    [AuditIgnore]
    public string TokenHash { get; private set; } = "";

    public Guid InvitedByAgentId { get; private set; }

    public DateTime CreatedAt { get; private set; }

    public DateTime ExpiresAt { get; private set; }

    public DateTime? AcceptedAt { get; private set; }

    public static Invitation Create(Guid workspaceId, string email, AgentRole role, Guid invitedBy, string tokenHash, DateTime now)
    {
        var invitation = new Invitation
        {
            WorkspaceId = workspaceId,
            Email = email.Trim(),
            Role = role,
            InvitedByAgentId = invitedBy,
            TokenHash = tokenHash,
            CreatedAt = now,
            ExpiresAt = now + Lifetime,
        };
        invitation.Raise(new AgentInvited(workspaceId, invitation.Id, invitation.Email, role));
        return invitation;
    }

    public bool IsOpen(DateTime now) => AcceptedAt is null && now < ExpiresAt;

    public void MarkAccepted(DateTime now) => AcceptedAt = now;
}

public sealed record AgentInvited(Guid WorkspaceId, Guid InvitationId, string Email, AgentRole Role) : IDomainEvent;

internal sealed class InvitationConfiguration : IEntityTypeConfiguration<Invitation>
{
    public void Configure(EntityTypeBuilder<Invitation> builder)
    {
        builder.Property(i => i.Email).HasMaxLength(256);
        builder.Property(i => i.Role).HasConversion<string>().HasMaxLength(16);
        builder.Property(i => i.TokenHash).HasMaxLength(64);
        builder.HasIndex(i => i.TokenHash).IsUnique();
        builder.HasIndex(i => new { i.WorkspaceId, i.Email });
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(i => i.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
