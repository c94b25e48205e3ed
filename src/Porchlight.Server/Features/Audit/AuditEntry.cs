using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Audit;

/// <summary>Entities whose every change is written to the audit trail by <see cref="AuditInterceptor"/>.</summary>
public interface IAudited;

/// <summary>A property whose value never enters the audit trail (secrets, bookkeeping).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class AuditIgnoreAttribute : Attribute;

/// <summary>One recorded action: who did what to which record, from where, with values before and after.</summary>
public sealed class AuditEntry : IWorkspaceOwned
{
    private AuditEntry()
    {
    }

    public Guid Id { get; private set; } = TimeOrderedIds.Next();

    public Guid WorkspaceId { get; private set; }

    public DateTime At { get; private set; }

    /// <summary>Null for actions without a signed-in agent (a failed sign-in, the command line).</summary>
    public Guid? ActorAgentId { get; private set; }

    public string ActorName { get; private set; } = "";

    /// <summary>Dotted verb, e.g. <c>inbox.created</c>, <c>auth.sign_in_failed</c>.</summary>
    public string Action { get; private set; } = "";

    public string EntityType { get; private set; } = "";

    public string? EntityId { get; private set; }

    /// <summary>JSON object: property name to <c>{ "before": .., "after": .. }</c>.</summary>
    public string? Changes { get; private set; }

    public string? IpAddress { get; private set; }

    /// <summary>
    /// The entry's place in its workspace's chain, from 1; null until <see cref="AuditSealer"/> has sealed it (within
    /// a second or so of its commit).
    /// </summary>
    public long? Sequence { get; private set; }

    /// <summary>The <see cref="Hash"/> of the entry before this one in the chain; null for the first.</summary>
    public string? PreviousHash { get; private set; }

    /// <summary>SHA-256 (hex) of this entry's fields and <see cref="PreviousHash"/>: see <see cref="AuditChain.HashOf"/>.</summary>
    public string? Hash { get; private set; }

    internal void Seal(long sequence, string? previousHash)
    {
        Sequence = sequence;
        PreviousHash = previousHash;
        Hash = AuditChain.HashOf(this, sequence, previousHash);
    }

    public static AuditEntry Create(
        Guid workspaceId, DateTime at, AuditActor actor, string action, string entityType, string? entityId, string? changes) => new()
        {
            WorkspaceId = workspaceId,
            At = at,
            ActorAgentId = actor.AgentId,
            ActorName = actor.Name,
            Action = action,
            EntityType = entityType,
            EntityId = entityId,
            Changes = changes,
            IpAddress = actor.IpAddress,
        };
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("AuditEntries");
        builder.Property(e => e.ActorName).HasMaxLength(256);
        builder.Property(e => e.Action).HasMaxLength(64);
        builder.Property(e => e.EntityType).HasMaxLength(64);
        builder.Property(e => e.EntityId).HasMaxLength(64);
        builder.Property(e => e.IpAddress).HasMaxLength(45);
        builder.Property(e => e.PreviousHash).HasMaxLength(64);
        builder.Property(e => e.Hash).HasMaxLength(64);
        builder.HasIndex(e => new { e.WorkspaceId, e.Id });
        // One entry per place in a workspace's chain: two sealers racing cannot fork it, the second one's write fails.
        builder.HasIndex(e => new { e.WorkspaceId, e.Sequence }).IsUnique();
    }
}
