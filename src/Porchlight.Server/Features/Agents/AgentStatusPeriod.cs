using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Agents;

/// <summary>
/// A stretch of time an agent was connected with one status (Online, Away or Break): the record agent-hours, staffing
/// and adherence are counted from. Offline is the time between periods. An open period (no end yet) is confirmed
/// every minute while the agent stays connected (<see cref="LastSeenAt"/>), so a node that dies leaves it to be closed
/// at most a minute late.
/// </summary>
public sealed class AgentStatusPeriod : IWorkspaceOwned
{
    private AgentStatusPeriod()
    {
    }

    public Guid Id { get; private set; } = TimeOrderedIds.Next();

    public Guid WorkspaceId { get; private set; }

    public Guid AgentId { get; private set; }

    public PresenceStatus Status { get; private set; }

    public DateTime StartedAt { get; private set; }

    public DateTime? EndedAt { get; private set; }

    /// <summary>The last moment the agent was known to be connected with this status.</summary>
    public DateTime LastSeenAt { get; private set; }

    public static AgentStatusPeriod Begin(Guid workspaceId, Guid agentId, PresenceStatus status, DateTime now) => new()
    {
        WorkspaceId = workspaceId, AgentId = agentId, Status = status, StartedAt = now, LastSeenAt = now,
    };

    public void End(DateTime at) => (EndedAt, LastSeenAt) = (at < StartedAt ? StartedAt : at, at < StartedAt ? StartedAt : at);
}

internal sealed class AgentStatusPeriodConfiguration : IEntityTypeConfiguration<AgentStatusPeriod>
{
    public void Configure(EntityTypeBuilder<AgentStatusPeriod> builder)
    {
        builder.Property(p => p.Status).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(p => new { p.WorkspaceId, p.StartedAt });
        builder.HasIndex(p => new { p.AgentId, p.EndedAt });
        builder.HasOne<Agent>().WithMany().HasForeignKey(p => p.AgentId).OnDelete(DeleteBehavior.Cascade);
    }
}
