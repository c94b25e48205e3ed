using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;

namespace Porchlight.Server.Features.Retention;

/// <summary>The kinds of data a workspace keeps for a time of its choosing (docs/privacy.md#retention).</summary>
public enum RetentionDataClass
{
    /// <summary>Resolved conversations with their messages, aged from their last activity.</summary>
    Conversations = 0,

    /// <summary>Files sent in messages, aged from their upload.</summary>
    Attachments = 1,

    /// <summary>The web tracker's raw events, aged from their arrival; caps each inbox's own tracking retention.</summary>
    TrackingEvents = 2,

    /// <summary>Sealed entries of the audit trail, aged from when they were recorded; at least a year.</summary>
    AuditEntries = 3,

    /// <summary>Answered surveys, aged from their first answer.</summary>
    SurveyAnswers = 4,
}

/// <summary>What retention does to an item past its time.</summary>
public enum RetentionAction
{
    /// <summary>The item is removed.</summary>
    Delete = 0,

    /// <summary>
    /// The item stays, without what it says about a person: a conversation's texts are replaced, a survey answer's
    /// comment is removed (its scores stay).
    /// </summary>
    Anonymize = 1,
}

/// <summary>
/// How long a workspace keeps one class of data. No row, or no <see cref="Days"/>, keeps it forever: what every
/// workspace did before retention existed.
/// </summary>
public sealed class RetentionPolicy : IWorkspaceOwned, IAudited
{
    public const int MinDays = 1;
    public const int MaxDays = 3650;

    /// <summary>The audit trail is evidence: at least a year of it is always kept.</summary>
    public const int MinAuditDays = 365;

    private RetentionPolicy()
    {
    }

    public Guid Id { get; private set; } = TimeOrderedIds.Next();

    public Guid WorkspaceId { get; private set; }

    public RetentionDataClass DataClass { get; private set; }

    /// <summary>Days an item is kept, counted from its class's date; null keeps it forever.</summary>
    public int? Days { get; private set; }

    public RetentionAction Action { get; private set; }

    public DateTime UpdatedAt { get; private set; }

    public static RetentionPolicy For(Guid workspaceId, RetentionDataClass dataClass) => new() { WorkspaceId = workspaceId, DataClass = dataClass };

    public void Set(int? days, RetentionAction action, DateTime now)
    {
        if (days != Days || action != Action)
        {
            (Days, Action, UpdatedAt) = (days, action, now);
        }
    }

    /// <summary>The fewest days a class may be kept.</summary>
    public static int MinDaysOf(RetentionDataClass dataClass) => dataClass == RetentionDataClass.AuditEntries ? MinAuditDays : MinDays;

    /// <summary>What can be done to a class: anonymizing makes sense only where something is left without the person.</summary>
    public static IReadOnlyList<RetentionAction> ActionsOf(RetentionDataClass dataClass) => dataClass switch
    {
        RetentionDataClass.Conversations or RetentionDataClass.SurveyAnswers => [RetentionAction.Delete, RetentionAction.Anonymize],
        _ => [RetentionAction.Delete],
    };
}

internal sealed class RetentionPolicyConfiguration : IEntityTypeConfiguration<RetentionPolicy>
{
    public void Configure(EntityTypeBuilder<RetentionPolicy> builder)
    {
        builder.ToTable("RetentionPolicies");
        builder.Property(p => p.DataClass).HasConversion<string>().HasMaxLength(32);
        builder.Property(p => p.Action).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(p => new { p.WorkspaceId, p.DataClass }).IsUnique();
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(p => p.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
