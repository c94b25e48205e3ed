using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Sla;

public enum SlaOutcome
{
    /// <summary>Stopped before its target.</summary>
    Met = 0,

    /// <summary>Its target passed before it stopped.</summary>
    Breached = 1,

    /// <summary>Stopped because no policy covers the conversation any more.</summary>
    Cancelled = 2,
}

/// <summary>
/// One measured promise on one conversation: a first response, one next response (a conversation has as many as the
/// contact has waits), or its resolution. The clock runs while <see cref="RunningSince"/> is set; a paused clock
/// (resolution while snoozed or resolved) keeps the time it used so far. It warns once at the policy's share of the
/// target and breaches once at the target; both are events, and the rows stay as the history reports read.
/// </summary>
public sealed class SlaClock : Entity, IWorkspaceOwned
{
    private SlaClock()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public Guid ConversationId { get; private set; }

    /// <summary>The policy whose target the clock counts against; null once the policy was deleted.</summary>
    public Guid? PolicyId { get; private set; }

    public SlaMetric Metric { get; private set; }

    public DateTime StartedAt { get; private set; }

    public int TargetMinutes { get; private set; }

    public bool BusinessHoursOnly { get; private set; }

    public int WarnAtPercent { get; private set; }

    /// <summary>The counted time used before the current run (business or calendar time, as the policy counts).</summary>
    public double UsedSeconds { get; private set; }

    /// <summary>Since when the clock runs; null while paused or stopped.</summary>
    public DateTime? RunningSince { get; private set; }

    /// <summary>When the clock will warn if it keeps running; null when paused, stopped or already warned.</summary>
    public DateTime? WarnAt { get; private set; }

    /// <summary>When the target passes if the clock keeps running; null when paused or stopped.</summary>
    public DateTime? DueAt { get; private set; }

    public DateTime? WarnedAt { get; private set; }

    public DateTime? BreachedAt { get; private set; }

    public DateTime? StoppedAt { get; private set; }

    public SlaOutcome? Outcome { get; private set; }

    /// <summary>When the warning's escalation path ran; set in the escalation's commit, so it runs once.</summary>
    public DateTime? WarningEscalatedAt { get; private set; }

    /// <summary>When the breach's escalation path ran.</summary>
    public DateTime? BreachEscalatedAt { get; private set; }

    public TimeSpan Target => TimeSpan.FromMinutes(TargetMinutes);

    // Rounded to the nearest tick: TimeSpan.FromSeconds would cut a banked tick off, and a due time would drift by one.
    public TimeSpan Used => TimeSpan.FromTicks((long)Math.Round(UsedSeconds * TimeSpan.TicksPerSecond));

    public static SlaClock Start(Guid workspaceId, Guid conversationId, SlaMetric metric, SlaPolicy policy, DateTime at, BusinessCalendar calendar)
    {
        var clock = new SlaClock { WorkspaceId = workspaceId, ConversationId = conversationId, Metric = metric, StartedAt = at, RunningSince = at };
        clock.Follow(policy, at, calendar);
        return clock;
    }

    /// <summary>
    /// Counts against <paramref name="policy"/>'s target from <paramref name="at"/> on. The time used until then stays
    /// used as the old policy counted it, so a switch between business hours and calendar time recounts nothing.
    /// </summary>
    public void Follow(SlaPolicy policy, DateTime at, BusinessCalendar calendar)
    {
        BankUsedTime(at, calendar);
        PolicyId = policy.Id;
        TargetMinutes = (int)policy.TargetFor(Metric)!.Value.TotalMinutes;
        BusinessHoursOnly = policy.BusinessHoursOnly;
        WarnAtPercent = policy.WarnAtPercent;
        Schedule(calendar);
    }

    public void Pause(DateTime at, BusinessCalendar calendar)
    {
        if (RunningSince is not { } since || Outcome is not null)
        {
            return;
        }

        UsedSeconds += CountedBetween(since, at, calendar).TotalSeconds;
        RunningSince = null;
        WarnAt = null;
        DueAt = null;
    }

    public void Resume(DateTime at, BusinessCalendar calendar)
    {
        if (RunningSince is not null || Outcome is not null)
        {
            return;
        }

        RunningSince = at;
        Schedule(calendar);
    }

    /// <summary>
    /// Stops for good at <paramref name="at"/>: met if the time used by then is within the target, breached if not.
    /// The outcome follows the time used, not whether a breach was announced, so a reply that came in time but was
    /// handled late still counts as met.
    /// </summary>
    public void Stop(DateTime at, BusinessCalendar calendar)
    {
        if (Outcome is not null)
        {
            return;
        }

        Pause(at, calendar);
        StoppedAt = at;
        Outcome = Used > Target ? SlaOutcome.Breached : SlaOutcome.Met;
    }

    public void Cancel(DateTime at, BusinessCalendar calendar)
    {
        if (Outcome is not null)
        {
            return;
        }

        Pause(at, calendar);
        StoppedAt = at;
        Outcome = SlaOutcome.Cancelled;
    }

    /// <summary>The counted time used up to <paramref name="now"/>.</summary>
    public TimeSpan UsedAt(DateTime now, BusinessCalendar calendar) =>
        Used + (RunningSince is { } since && now > since ? CountedBetween(since, now, calendar) : TimeSpan.Zero);

    /// <summary>Marks the warning as given; false when it was given already (by this node or another).</summary>
    public bool Warn(DateTime now)
    {
        if (WarnedAt is not null || BreachedAt is not null)
        {
            WarnAt = null; // Nothing left to warn about: the timer must not find this clock again.
            return false;
        }

        if (Outcome is not null || WarnAt is not { } warnAt || warnAt > now)
        {
            return false;
        }

        WarnedAt = now;
        WarnAt = null;
        Raise(new SlaWarned(WorkspaceId, ConversationId, Id, PolicyId, Metric, DueAt));
        return true;
    }

    /// <summary>Marks the breach; false when it was marked already or the target has not passed.</summary>
    public bool Breach(DateTime now)
    {
        if (BreachedAt is not null || Outcome is not null || DueAt is not { } dueAt || dueAt > now)
        {
            return false;
        }

        BreachedAt = now;
        WarnAt = null;
        Raise(new SlaBreached(WorkspaceId, ConversationId, Id, PolicyId, Metric, dueAt));
        return true;
    }

    /// <summary>
    /// Marks the escalation of <paramref name="stage"/> as done; false when it was done already or the clock has
    /// stopped meanwhile (the reply came, the conversation was resolved), when escalating would only disturb.
    /// </summary>
    public bool Escalate(EscalationStage stage, DateTime now)
    {
        if (Outcome is not null || (stage == EscalationStage.Warning ? WarningEscalatedAt : BreachEscalatedAt) is not null)
        {
            return false;
        }

        if (stage == EscalationStage.Warning)
        {
            WarningEscalatedAt = now;
        }
        else
        {
            BreachEscalatedAt = now;
        }

        return true;
    }

    /// <summary>Works out the warning and the target again, for a calendar that changed while the clock ran.</summary>
    public void Reschedule(DateTime at, BusinessCalendar before, BusinessCalendar after)
    {
        BankUsedTime(at, before);
        Schedule(after);
    }

    // A running clock adds the time it used until <at>, counted by <calendar>, and runs on from there.
    private void BankUsedTime(DateTime at, BusinessCalendar calendar)
    {
        if (RunningSince is { } since && at > since)
        {
            UsedSeconds += CountedBetween(since, at, calendar).TotalSeconds;
            RunningSince = at;
        }
    }

    // Works out, for a running clock, when its warning and its target fall.
    private void Schedule(BusinessCalendar calendar)
    {
        if (RunningSince is not { } since)
        {
            return;
        }

        var counting = BusinessHoursOnly ? calendar : BusinessCalendar.AlwaysOpen;
        DueAt = BreachedAt is null ? counting.AfterOpenTime(since, Max(Target - Used, TimeSpan.Zero)) : null;
        WarnAt = WarnedAt is null && BreachedAt is null ? counting.AfterOpenTime(since, Max(Target * (WarnAtPercent / 100.0) - Used, TimeSpan.Zero)) : null;
    }

    private TimeSpan CountedBetween(DateTime from, DateTime to, BusinessCalendar calendar) =>
        BusinessHoursOnly ? calendar.OpenTimeBetween(from, to) : Max(to - from, TimeSpan.Zero);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

/// <summary>A clock reached its policy's warning share of the target: the conversation is at risk.</summary>
public sealed record SlaWarned(Guid WorkspaceId, Guid ConversationId, Guid ClockId, Guid? PolicyId, SlaMetric Metric, DateTime? DueAt) : IDomainEvent;

/// <summary>A clock's target passed before it stopped.</summary>
public sealed record SlaBreached(Guid WorkspaceId, Guid ConversationId, Guid ClockId, Guid? PolicyId, SlaMetric Metric, DateTime DueAt) : IDomainEvent;

internal sealed class SlaClockConfiguration : IEntityTypeConfiguration<SlaClock>
{
    public void Configure(EntityTypeBuilder<SlaClock> builder)
    {
        builder.Property(c => c.Metric).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.Outcome).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(c => new { c.ConversationId, c.StartedAt });
        // The timer's two look-ups: clocks about to warn, clocks about to breach.
        builder.HasIndex(c => c.WarnAt);
        builder.HasIndex(c => c.DueAt);
        builder.HasOne<Conversations.Conversation>().WithMany().HasForeignKey(c => c.ConversationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<SlaPolicy>().WithMany().HasForeignKey(c => c.PolicyId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(c => c.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
