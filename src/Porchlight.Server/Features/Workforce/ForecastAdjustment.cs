using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;

namespace Porchlight.Server.Features.Workforce;

/// <summary>
/// A known event the history cannot foresee: a launch (×1.5) or a holiday (×0.2) scales the forecast of its days, in
/// the workspace's time zone, for one inbox or for all. Overlapping adjustments multiply.
/// </summary>
public sealed class ForecastAdjustment : Entity, IWorkspaceOwned, IAudited
{
    public const int MaxNoteLength = 200;
    public const int MaxAdjustments = 500;
    public const double MaxMultiplier = 10;
    public const int MaxDays = 62;

    private ForecastAdjustment()
    {
    }

    public Guid WorkspaceId { get; private set; }

    /// <summary>The inbox whose forecast it scales; null scales every inbox's.</summary>
    public Guid? InboxId { get; private set; }

    /// <summary>First day it applies, in the workspace's time zone.</summary>
    public DateOnly FirstDay { get; private set; }

    /// <summary>Last day it applies (inclusive).</summary>
    public DateOnly LastDay { get; private set; }

    public double Multiplier { get; private set; }

    public string Note { get; private set; } = "";

    public static ForecastAdjustment Create(Guid workspaceId, Guid? inboxId, DateOnly firstDay, DateOnly lastDay, double multiplier, string note) => new()
    {
        WorkspaceId = workspaceId, InboxId = inboxId, FirstDay = firstDay, LastDay = lastDay, Multiplier = multiplier, Note = note.Trim(),
    };

    public bool Covers(DateOnly day, Guid? inboxId) =>
        day >= FirstDay && day <= LastDay && (InboxId is null || InboxId == inboxId);
}

/// <summary>A new adjustment: days in the workspace's time zone, a multiplier from 0 to 10, and why.</summary>
public sealed record ForecastAdjustmentRequest(Guid? InboxId, DateOnly? FirstDay, DateOnly? LastDay, double? Multiplier, string? Note);

public sealed record ForecastAdjustmentResponse(Guid Id, Guid? InboxId, DateOnly FirstDay, DateOnly LastDay, double Multiplier, string Note)
{
    public static ForecastAdjustmentResponse From(ForecastAdjustment a) => new(a.Id, a.InboxId, a.FirstDay, a.LastDay, a.Multiplier, a.Note);
}

internal sealed class ForecastAdjustmentConfiguration : IEntityTypeConfiguration<ForecastAdjustment>
{
    public void Configure(EntityTypeBuilder<ForecastAdjustment> builder)
    {
        builder.Property(a => a.Note).HasMaxLength(ForecastAdjustment.MaxNoteLength);
        builder.HasIndex(a => new { a.WorkspaceId, a.LastDay });
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(a => a.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Inboxes.Inbox>().WithMany().HasForeignKey(a => a.InboxId).OnDelete(DeleteBehavior.Cascade);
    }
}
