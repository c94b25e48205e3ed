using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;
using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Features.Sla;

/// <summary>The three promises an SLA policy can make; each is measured by its own clocks.</summary>
public enum SlaMetric
{
    /// <summary>From the contact's first message to the first agent reply.</summary>
    FirstResponse = 0,

    /// <summary>From a contact's message after an agent reply to the next agent reply.</summary>
    NextResponse = 1,

    /// <summary>From the start of the conversation to resolving it; paused while snoozed or resolved.</summary>
    Resolution = 2,
}

/// <summary>When an escalation step runs: as the clock nears its target, or when the target has passed.</summary>
public enum EscalationStage
{
    Warning = 0,
    Breach = 1,
}

public enum EscalationAction
{
    /// <summary>Raise the conversation's priority to <see cref="EscalationStep.Priority"/> (never lowers it).</summary>
    RaisePriority = 0,

    /// <summary>Move the conversation to <see cref="EscalationStep.TeamId"/>'s queue (a tier-2 team).</summary>
    MoveToTeam = 1,

    /// <summary>Tell the workspace's supervisors in the app (and, through the event, any integration).</summary>
    NotifySupervisors = 2,
}

/// <summary>One thing to do when a clock of the policy warns or breaches.</summary>
public sealed record EscalationStep(EscalationStage Stage, EscalationAction Action, ConversationPriority? Priority = null, Guid? TeamId = null);

/// <summary>
/// A promise of response and resolution times for the conversations it covers: those of its inboxes, teams and
/// priorities (an empty list covers all). Policies are tried in order; the first enabled one that covers a
/// conversation sets its targets, and is chosen again when the conversation's priority or team changes. Targets
/// are counted in the workspace's business hours or in calendar time.
/// </summary>
public sealed class SlaPolicy : Entity, IWorkspaceOwned, IAudited
{
    public const int MaxNameLength = 80;
    public const int MaxPolicies = 200;
    public const int MaxEscalationSteps = 10;
    public const int MaxTargetMinutes = 60 * 24 * 90;

    private SlaPolicy()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public int Position { get; private set; }

    public string Name { get; private set; } = "";

    public bool IsEnabled { get; private set; } = true;

    public List<Guid> InboxIds { get; private set; } = [];

    public List<Guid> TeamIds { get; private set; } = [];

    public List<ConversationPriority> Priorities { get; private set; } = [];

    public int? FirstResponseMinutes { get; private set; }

    public int? NextResponseMinutes { get; private set; }

    public int? ResolutionMinutes { get; private set; }

    /// <summary>Whether targets count only the workspace's business hours (else every minute counts).</summary>
    public bool BusinessHoursOnly { get; private set; }

    /// <summary>How much of a target may pass before the clock warns (near-breach), in percent.</summary>
    public int WarnAtPercent { get; private set; } = DefaultWarnAtPercent;

    public const int DefaultWarnAtPercent = 80;

    public List<EscalationStep> Escalation { get; private set; } = [];

    public static SlaPolicy Create(Guid workspaceId, int position) => new() { WorkspaceId = workspaceId, Position = position };

    public void Change(
        string name, bool isEnabled, IEnumerable<Guid> inboxIds, IEnumerable<Guid> teamIds, IEnumerable<ConversationPriority> priorities,
        int? firstResponseMinutes, int? nextResponseMinutes, int? resolutionMinutes, bool businessHoursOnly, int warnAtPercent,
        IEnumerable<EscalationStep> escalation)
    {
        Name = name.Trim();
        IsEnabled = isEnabled;
        InboxIds = [.. inboxIds.Distinct()];
        TeamIds = [.. teamIds.Distinct()];
        Priorities = [.. priorities.Distinct().Order()];
        FirstResponseMinutes = firstResponseMinutes;
        NextResponseMinutes = nextResponseMinutes;
        ResolutionMinutes = resolutionMinutes;
        BusinessHoursOnly = businessHoursOnly;
        WarnAtPercent = warnAtPercent;
        Escalation = [.. escalation];
    }

    public void MoveTo(int position) => Position = position;

    public bool Covers(Guid inboxId, Guid? teamId, ConversationPriority priority) =>
        IsEnabled
        && (InboxIds.Count == 0 || InboxIds.Contains(inboxId))
        && (TeamIds.Count == 0 || (teamId is { } team && TeamIds.Contains(team)))
        && (Priorities.Count == 0 || Priorities.Contains(priority));

    /// <summary>The target for a metric, or null when the policy makes no promise about it.</summary>
    public TimeSpan? TargetFor(SlaMetric metric) => (metric switch
    {
        SlaMetric.FirstResponse => FirstResponseMinutes,
        SlaMetric.NextResponse => NextResponseMinutes,
        _ => ResolutionMinutes,
    }) is { } minutes ? TimeSpan.FromMinutes(minutes) : null;
}

internal sealed class SlaPolicyConfiguration : IEntityTypeConfiguration<SlaPolicy>
{
    public void Configure(EntityTypeBuilder<SlaPolicy> builder)
    {
        builder.Property(p => p.Name).HasMaxLength(SlaPolicy.MaxNameLength);
        builder.Property(p => p.InboxIds).HasConversion(JsonColumn.Converter<List<Guid>>(), JsonColumn.Comparer<List<Guid>>());
        builder.Property(p => p.TeamIds).HasConversion(JsonColumn.Converter<List<Guid>>(), JsonColumn.Comparer<List<Guid>>());
        builder.Property(p => p.Priorities).HasConversion(JsonColumn.Converter<List<ConversationPriority>>(), JsonColumn.Comparer<List<ConversationPriority>>());
        builder.Property(p => p.Escalation).HasConversion(JsonColumn.Converter<List<EscalationStep>>(), JsonColumn.Comparer<List<EscalationStep>>());
        builder.HasIndex(p => new { p.WorkspaceId, p.Position });
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(p => p.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
