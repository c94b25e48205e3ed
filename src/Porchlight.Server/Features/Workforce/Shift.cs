using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;

namespace Porchlight.Server.Features.Workforce;

/// <summary>
/// An agent's shift, once or week after week: from <see cref="StartTime"/> to <see cref="EndTime"/> on the clock of
/// <see cref="TimeZone"/> (an agent who works from elsewhere keeps their own hours), on each of <see cref="Weekdays"/>
/// from <see cref="FirstDay"/> to <see cref="LastDay"/>. An end at or before the start is on the next day. Being clock
/// times, a night shift over a clock change lasts an hour less or more. An unpaid break may sit inside it.
/// </summary>
public sealed class Shift : Entity, IWorkspaceOwned, IAudited
{
    public const int MaxShiftsPerAgent = 50;
    public const int MaxBreakMinutes = 180;

    private Shift()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public Guid AgentId { get; private set; }

    public DateOnly FirstDay { get; private set; }

    /// <summary>The last day a shift of the run may start on; null while the pattern goes on.</summary>
    public DateOnly? LastDay { get; private set; }

    /// <summary>The weekdays a shift starts on; a one-off shift has its own day's.</summary>
    public List<DayOfWeek> Weekdays { get; private set; } = [];

    public TimeOnly StartTime { get; private set; }

    public TimeOnly EndTime { get; private set; }

    /// <summary>When the unpaid break begins, on the same clock; null without one.</summary>
    public TimeOnly? BreakStart { get; private set; }

    public int BreakMinutes { get; private set; }

    /// <summary>The zone the times are on (an IANA name).</summary>
    public string TimeZone { get; private set; } = "UTC";

    public static Shift Create(Guid workspaceId, Guid agentId) => new() { WorkspaceId = workspaceId, AgentId = agentId };

    public void Change(DateOnly firstDay, DateOnly? lastDay, IEnumerable<DayOfWeek> weekdays, TimeOnly startTime, TimeOnly endTime, TimeOnly? breakStart, int breakMinutes, string timeZone)
    {
        FirstDay = firstDay;
        LastDay = lastDay;
        Weekdays = [.. weekdays.Distinct().Order()];
        StartTime = startTime;
        EndTime = endTime;
        BreakStart = breakMinutes > 0 ? breakStart : null;
        BreakMinutes = BreakStart is null ? 0 : breakMinutes;
        TimeZone = timeZone;
    }

    /// <summary>Whether a shift of this run starts on <paramref name="day"/> (of its own zone).</summary>
    public bool StartsOn(DateOnly day) => day >= FirstDay && (LastDay is null || day <= LastDay) && Weekdays.Contains(day.DayOfWeek);
}

internal sealed class ShiftConfiguration : IEntityTypeConfiguration<Shift>
{
    public void Configure(EntityTypeBuilder<Shift> builder)
    {
        builder.Property(s => s.Weekdays).HasConversion(JsonColumn.Converter<List<DayOfWeek>>(), JsonColumn.Comparer<List<DayOfWeek>>());
        builder.Property(s => s.TimeZone).HasMaxLength(64);
        builder.HasIndex(s => new { s.WorkspaceId, s.AgentId });
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(s => s.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Agents.Agent>().WithMany().HasForeignKey(s => s.AgentId).OnDelete(DeleteBehavior.Cascade);
    }
}
