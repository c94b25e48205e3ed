using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;

namespace Porchlight.Server.Features.Inboxes;

/// <summary>
/// An agent who works in an inbox: they see its conversations (unless their role sees every inbox anyway, see
/// <see cref="Hosting.Permission.SeeEveryInbox"/>), hear of them live, and routing may offer them its conversations.
/// A new inbox is open to every agent and a new agent joins every inbox (<see cref="InboxMemberDefaults"/>); admins
/// narrow it on the inbox's page or with <c>PUT /api/v1/inboxes/{id}/members</c>.
/// </summary>
/// <remarks>Not audited by itself: its key is two ids; <see cref="InboxMembers"/> records changes against the inbox.</remarks>
public sealed class InboxMember(Guid workspaceId, Guid inboxId, Guid agentId) : IWorkspaceOwned
{
    public Guid WorkspaceId { get; private set; } = workspaceId;

    public Guid InboxId { get; private set; } = inboxId;

    public Guid AgentId { get; private set; } = agentId;
}

internal sealed class InboxMemberConfiguration : IEntityTypeConfiguration<InboxMember>
{
    public void Configure(EntityTypeBuilder<InboxMember> builder)
    {
        builder.HasKey(m => new { m.InboxId, m.AgentId });
        // The conversation filter asks "is this agent a member of that inbox" for every row it reads.
        builder.HasIndex(m => new { m.AgentId, m.InboxId });
        builder.HasOne<Inbox>().WithMany().HasForeignKey(m => m.InboxId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Agent>().WithMany().HasForeignKey(m => m.AgentId).OnDelete(DeleteBehavior.Cascade);
    }
}
