using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;

namespace Porchlight.Server.Features.Workforce;

public enum TimeOffKind
{
    Vacation = 0,
    Sick = 1,
    Training = 2,
    Other = 3,
}

/// <summary>Whole days an agent is away: no shift of theirs that starts on one of them counts.</summary>
public sealed class TimeOff : Entity, IWorkspaceOwned, IAudited
{
    public const int MaxNoteLength = 200;
    public const int MaxDays = 366;

    private TimeOff()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public Guid AgentId { get; private set; }

    public DateOnly FirstDay { get; private set; }

    public DateOnly LastDay { get; private set; }

    public TimeOffKind Kind { get; private set; }

    public string Note { get; private set; } = "";

    public static TimeOff Create(Guid workspaceId, Guid agentId, DateOnly firstDay, DateOnly lastDay, TimeOffKind kind, string? note) => new()
    {
        WorkspaceId = workspaceId, AgentId = agentId, FirstDay = firstDay, LastDay = lastDay, Kind = kind, Note = note?.Trim() ?? "",
    };

    public bool Covers(DateOnly day) => day >= FirstDay && day <= LastDay;
}

internal sealed class TimeOffConfiguration : IEntityTypeConfiguration<TimeOff>
{
    public void Configure(EntityTypeBuilder<TimeOff> builder)
    {
        builder.ToTable("TimeOff");
        builder.Property(t => t.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(t => t.Note).HasMaxLength(TimeOff.MaxNoteLength);
        builder.HasIndex(t => new { t.WorkspaceId, t.AgentId, t.LastDay });
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(t => t.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Agents.Agent>().WithMany().HasForeignKey(t => t.AgentId).OnDelete(DeleteBehavior.Cascade);
    }
}
