using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;

namespace Porchlight.Server.Features.CannedResponses;

/// <summary>
/// A saved answer an agent inserts by its shortcut (<c>/refund-policy</c>). Shared ones belong to the
/// workspace and are kept by admins; personal ones belong to one agent and only that agent sees them.
/// The text may hold placeholders that <see cref="CannedResponseTemplate"/> fills for a conversation.
/// </summary>
public sealed class CannedResponse : Entity, IWorkspaceOwned, IAudited
{
    public const int MaxShortcutLength = 40;
    public const int MaxTitleLength = 100;
    public const int MaxTextLength = Conversations.Message.MaxTextLength;
    public const int MaxFolderLength = 60;

    private CannedResponse()
    {
    }

    public Guid WorkspaceId { get; private set; }

    /// <summary>The agent a personal response belongs to; null for a shared one.</summary>
    public Guid? OwnerAgentId { get; private set; }

    /// <summary>
    /// The owner, or <see cref="Guid.Empty"/> for shared responses. Unique indexes treat NULLs as distinct on
    /// both providers, so shortcut uniqueness per owner is enforced on this non-null copy.
    /// </summary>
    [AuditIgnore]
    public Guid OwnerKey { get; private set; }

    /// <summary>Lowercase letters, digits, '-' and '_'; unique among the shared responses, and among each agent's own.</summary>
    public string Shortcut { get; private set; } = "";

    public string Title { get; private set; } = "";

    public string Text { get; private set; } = "";

    public string? Folder { get; private set; }

    public DateTime CreatedAt { get; private set; }

    public DateTime UpdatedAt { get; private set; }

    public bool IsShared => OwnerAgentId is null;

    public static CannedResponse Create(Guid workspaceId, Guid? ownerAgentId, string shortcut, string title, string text, string? folder, DateTime now) => new()
    {
        WorkspaceId = workspaceId,
        OwnerAgentId = ownerAgentId,
        OwnerKey = ownerAgentId ?? Guid.Empty,
        Shortcut = shortcut,
        Title = title,
        Text = text,
        Folder = folder,
        CreatedAt = now,
        UpdatedAt = now,
    };

    public void Change(string shortcut, string title, string text, string? folder, DateTime now)
    {
        Shortcut = shortcut;
        Title = title;
        Text = text;
        Folder = folder;
        UpdatedAt = now;
    }
}

internal sealed class CannedResponseConfiguration : IEntityTypeConfiguration<CannedResponse>
{
    public void Configure(EntityTypeBuilder<CannedResponse> builder)
    {
        builder.Ignore(c => c.IsShared);
        builder.Property(c => c.Shortcut).HasMaxLength(CannedResponse.MaxShortcutLength);
        builder.Property(c => c.Title).HasMaxLength(CannedResponse.MaxTitleLength);
        builder.Property(c => c.Text).HasMaxLength(CannedResponse.MaxTextLength);
        builder.Property(c => c.Folder).HasMaxLength(CannedResponse.MaxFolderLength);
        builder.HasIndex(c => new { c.WorkspaceId, c.OwnerKey, c.Shortcut }).IsUnique();
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(c => c.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Agents.Agent>().WithMany().HasForeignKey(c => c.OwnerAgentId).OnDelete(DeleteBehavior.Cascade);
    }
}
