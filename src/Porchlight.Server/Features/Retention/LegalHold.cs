using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;

namespace Porchlight.Server.Features.Retention;

/// <summary>
/// A legal hold on a contact (everything of theirs: conversations, files, survey answers, tracked events and their
/// details) or on one conversation (its messages, files and survey answer): retention never deletes or anonymizes held
/// data. Placing one adds this row and releasing it removes the row; the audit trail keeps both, with who, when and why.
/// </summary>
public sealed class LegalHold : IWorkspaceOwned, IAudited
{
    public const int MaxReasonLength = 500;

    private LegalHold()
    {
    }

    public Guid Id { get; private set; } = TimeOrderedIds.Next();

    public Guid WorkspaceId { get; private set; }

    /// <summary>The held contact; null for a hold on a conversation.</summary>
    public Guid? ContactId { get; private set; }

    /// <summary>The held conversation; null for a hold on a contact.</summary>
    public Guid? ConversationId { get; private set; }

    public string Reason { get; private set; } = "";

    /// <summary>Who placed it; null once that agent is gone (<see cref="PlacedByName"/> remains).</summary>
    public Guid? PlacedByAgentId { get; private set; }

    public string PlacedByName { get; private set; } = "";

    public DateTime PlacedAt { get; private set; }

    public static LegalHold OnContact(Guid workspaceId, Guid contactId, string reason, Guid? agentId, string agentName, DateTime now) =>
        new() { WorkspaceId = workspaceId, ContactId = contactId, Reason = reason, PlacedByAgentId = agentId, PlacedByName = agentName, PlacedAt = now };

    public static LegalHold OnConversation(Guid workspaceId, Guid conversationId, string reason, Guid? agentId, string agentName, DateTime now) =>
        new() { WorkspaceId = workspaceId, ConversationId = conversationId, Reason = reason, PlacedByAgentId = agentId, PlacedByName = agentName, PlacedAt = now };

    /// <summary>A hold placed again keeps its time and author; only the reason may change.</summary>
    public void Restate(string reason) => Reason = reason;
}

internal sealed class LegalHoldConfiguration : IEntityTypeConfiguration<LegalHold>
{
    public void Configure(EntityTypeBuilder<LegalHold> builder)
    {
        builder.ToTable("LegalHolds");
        builder.Property(h => h.Reason).HasMaxLength(LegalHold.MaxReasonLength);
        builder.Property(h => h.PlacedByName).HasMaxLength(256);
        // One hold per contact and per conversation (several nulls are allowed by both databases).
        builder.HasIndex(h => h.ContactId).IsUnique();
        builder.HasIndex(h => h.ConversationId).IsUnique();
        builder.HasIndex(h => h.WorkspaceId);
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(h => h.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Contacts.Contact>().WithMany().HasForeignKey(h => h.ContactId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Conversations.Conversation>().WithMany().HasForeignKey(h => h.ConversationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Agents.Agent>().WithMany().HasForeignKey(h => h.PlacedByAgentId).OnDelete(DeleteBehavior.SetNull);
    }
}
