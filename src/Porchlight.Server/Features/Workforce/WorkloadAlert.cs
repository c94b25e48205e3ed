using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Routing;

namespace Porchlight.Server.Features.Workforce;

public enum WorkloadAlertKind
{
    /// <summary>At a cap, without a moment below it, for longer than the workspace allows.</summary>
    AtCap = 0,

    /// <summary>Several conversations in a row with an upset customer.</summary>
    DifficultRun = 1,
}

/// <summary>
/// A supervisor's alert that an agent is overloaded. It stays until a supervisor dismisses it; <see cref="EndedAt"/>
/// says the overload itself is over. One alert of each kind per agent is live at a time (a unique index), so two nodes
/// checking at once cannot raise it twice, and its <see cref="Version"/> keeps two changes from crossing. When the
/// workspace asks for it, an at-cap alert lowers the agent's cap in
/// the channel by one and keeps what it was (<see cref="CapsBefore"/>) to put back when the alert ends or is dismissed.
/// </summary>
public sealed class WorkloadAlert : IWorkspaceOwned
{
    private WorkloadAlert()
    {
    }

    public Guid Id { get; private set; } = TimeOrderedIds.Next();

    public Guid WorkspaceId { get; private set; }

    public Guid AgentId { get; private set; }

    public WorkloadAlertKind Kind { get; private set; }

    /// <summary>When the overload began: the start of the stretch at the cap, or the first conversation of the run.</summary>
    public DateTime Since { get; private set; }

    public DateTime RaisedAt { get; private set; }

    /// <summary>How many conversations the run has, or the channel's cap when it was reached.</summary>
    public int Count { get; private set; }

    public RoutingChannel Channel { get; private set; }

    public DateTime? EndedAt { get; private set; }

    public DateTime? DismissedAt { get; private set; }

    public Guid? DismissedBy { get; private set; }

    /// <summary>Whether this alert lowered the agent's cap and has not put it back yet.</summary>
    public bool CapLowered { get; private set; }

    /// <summary>The agent's own caps before this alert lowered one (while <see cref="CapLowered"/>).</summary>
    public ConcurrencyCaps CapsBefore { get; private set; } = ConcurrencyCaps.None;

    /// <summary>
    /// Changes with every change of the alert, and a save checks it: a check that read the alert before a supervisor
    /// dismissed it (or before another node's check raised it) saves nothing, caps included, and looks again next time.
    /// </summary>
    public Guid Version { get; private set; } = Guid.NewGuid();

    /// <summary>Whether the alert is live: not dismissed. Only live alerts are unique per agent and kind.</summary>
    public bool IsLive => DismissedAt is null;

    public static WorkloadAlert Raise(Guid workspaceId, Guid agentId, WorkloadAlertKind kind, RoutingChannel channel, DateTime since, int count, DateTime now) => new()
    {
        WorkspaceId = workspaceId, AgentId = agentId, Kind = kind, Channel = channel, Since = since, Count = count, RaisedAt = now,
    };

    /// <summary>The overload came back before anyone dismissed the alert: the same alert, raised again.</summary>
    public void RaiseAgain(DateTime since, int count, DateTime now) => (Since, Count, RaisedAt, EndedAt, Version) = (since, count, now, null, Guid.NewGuid());

    public void Extend(int count) => (Count, Version) = (count, Guid.NewGuid());

    public void End(DateTime now) => (EndedAt, Version) = (EndedAt ?? now, Guid.NewGuid());

    public void Dismiss(Guid by, DateTime now) => (DismissedAt, DismissedBy, EndedAt, Version) = (now, by, EndedAt ?? now, Guid.NewGuid());

    public void LoweredCap(ConcurrencyCaps before) => (CapLowered, CapsBefore, Version) = (true, before, Guid.NewGuid());

    /// <summary>The caps to put back, once: null when the alert lowered none or has put them back already.</summary>
    public ConcurrencyCaps? TakeCapsBefore()
    {
        var before = CapLowered ? CapsBefore : null;
        (CapLowered, CapsBefore, Version) = (false, ConcurrencyCaps.None, Guid.NewGuid());
        return before;
    }
}

internal sealed class WorkloadAlertConfiguration : IEntityTypeConfiguration<WorkloadAlert>
{
    public void Configure(EntityTypeBuilder<WorkloadAlert> builder)
    {
        builder.Property(a => a.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.Channel).HasConversion<string>().HasMaxLength(8);
        builder.Property(a => a.CapsBefore).HasConversion(JsonColumn.Converter(ConcurrencyCaps.None), JsonColumn.Comparer<ConcurrencyCaps>());
        builder.Ignore(a => a.IsLive);
        builder.Property(a => a.Version).IsConcurrencyToken();
        // Quoted as both providers quote identifiers; a live alert is one per agent and kind.
        builder.HasIndex(a => new { a.AgentId, a.Kind }).IsUnique().HasFilter("\"DismissedAt\" IS NULL");
        builder.HasIndex(a => new { a.WorkspaceId, a.RaisedAt });
        builder.HasOne<Agents.Agent>().WithMany().HasForeignKey(a => a.AgentId).OnDelete(DeleteBehavior.Cascade);
    }
}
