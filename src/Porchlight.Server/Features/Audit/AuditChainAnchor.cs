using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Audit;

/// <summary>
/// Where a workspace's chain starts once retention removed its oldest entries: the place and hash of the last entry
/// removed. Verification starts from it (the first remaining entry must name this hash and come right after it), the
/// sealer continues after it when no sealed entry is left, and every move of it is itself recorded in the trail
/// (<c>audit.entries_removed</c>). One row per workspace; none while nothing was removed.
/// </summary>
public sealed class AuditChainAnchor : IWorkspaceOwned
{
    private AuditChainAnchor()
    {
    }

    public Guid WorkspaceId { get; private set; }

    /// <summary>The place of the last removed entry: the chain now starts at the one after it.</summary>
    public long Sequence { get; private set; }

    /// <summary>The hash of the last removed entry, which the first remaining one names as its previous hash.</summary>
    public string Hash { get; private set; } = "";

    /// <summary>When the last removed entry was recorded.</summary>
    public DateTime EntryAt { get; private set; }

    /// <summary>How many entries have been removed in all.</summary>
    public long RemovedEntries { get; private set; }

    public DateTime MovedAt { get; private set; }

    public static AuditChainAnchor For(Guid workspaceId) => new() { WorkspaceId = workspaceId };

    /// <summary>The chain now starts after <paramref name="lastRemoved"/>; <paramref name="count"/> more entries are gone.</summary>
    public void MoveTo(AuditEntry lastRemoved, int count, DateTime now)
    {
        if (lastRemoved.Sequence is not { } sequence || lastRemoved.Hash is not { } hash || sequence <= Sequence)
        {
            throw new InvalidOperationException("An anchor moves forward, to a sealed entry.");
        }

        (Sequence, Hash, EntryAt, MovedAt) = (sequence, hash, lastRemoved.At, now);
        RemovedEntries += count;
    }
}

internal sealed class AuditChainAnchorConfiguration : IEntityTypeConfiguration<AuditChainAnchor>
{
    public void Configure(EntityTypeBuilder<AuditChainAnchor> builder)
    {
        builder.ToTable("AuditChainAnchors");
        builder.HasKey(a => a.WorkspaceId);
        builder.Property(a => a.Hash).HasMaxLength(64);
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(a => a.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
