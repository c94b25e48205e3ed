using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Sla;
using Porchlight.Server.Features.Workspaces;

namespace Porchlight.Server.Tests.Features.Sla;

/// <summary>When a clock warns and breaches, what pausing keeps, and how a stop is judged, in business and calendar time.</summary>
public sealed class SlaClockTests
{
    private static readonly BusinessCalendar NineToFive = new(TimeZoneInfo.Utc, BusinessHours.WeekdaysNineToFive.Days, []);

    // 2026-03-02 is a Monday.
    private static DateTime Utc(int day, int hour, int minute = 0) => new(2026, 3, day, hour, minute, 0, DateTimeKind.Utc);

    private static SlaPolicy Policy(int minutes, bool businessHoursOnly, int warnAtPercent = 80)
    {
        var policy = SlaPolicy.Create(Guid.NewGuid(), 1);
        policy.Change("Standard", true, [], [], [], minutes, minutes, minutes, businessHoursOnly, warnAtPercent, []);
        return policy;
    }

    private static SlaClock Start(SlaPolicy policy, DateTime at, SlaMetric metric = SlaMetric.FirstResponse) =>
        SlaClock.Start(Guid.NewGuid(), Guid.NewGuid(), metric, policy, at, NineToFive);

    [Fact]
    public void Start_BusinessHoursLateInTheDay_DueAndWarningCarryOverToTheNextMorning()
    {
        var clock = Start(Policy(120, businessHoursOnly: true), Utc(2, 16));

        Assert.Equal(Utc(3, 10), clock.DueAt);       // one hour on Monday, one on Tuesday
        Assert.Equal(Utc(3, 9, 36), clock.WarnAt);   // 96 of 120 minutes
    }

    [Fact]
    public void Start_CalendarTimeOnAFriday_CountsTheNightAndTheWeekend()
    {
        var clock = Start(Policy(24 * 60, businessHoursOnly: false), Utc(6, 16));

        Assert.Equal(Utc(7, 16), clock.DueAt);
    }

    [Fact]
    public void PauseAndResume_ResolutionSnoozedOvernight_KeepsTheTimeUsedAndCountsOnFromTheResume()
    {
        var clock = Start(Policy(60, businessHoursOnly: false), Utc(2, 10), SlaMetric.Resolution);

        clock.Pause(Utc(2, 10, 40), NineToFive);
        Assert.Null(clock.DueAt);
        Assert.Equal(TimeSpan.FromMinutes(40), clock.UsedAt(Utc(3, 12), NineToFive));
        clock.Resume(Utc(3, 12), NineToFive);

        Assert.Equal(Utc(3, 12, 20), clock.DueAt);
        Assert.Equal(TimeSpan.FromMinutes(50), clock.UsedAt(Utc(3, 12, 10), NineToFive));
    }

    [Fact]
    public void Stop_BeforeTheTarget_IsMet()
    {
        var clock = Start(Policy(30, businessHoursOnly: false), Utc(2, 10));

        clock.Stop(Utc(2, 10, 29), NineToFive);

        Assert.Equal(SlaOutcome.Met, clock.Outcome);
        Assert.Null(clock.DueAt);
    }

    [Fact]
    public void Stop_AfterTheTargetBeforeTheTimerNoticed_IsBreachedAllTheSame()
    {
        var clock = Start(Policy(30, businessHoursOnly: false), Utc(2, 10));

        clock.Stop(Utc(2, 10, 31), NineToFive);

        Assert.Equal(SlaOutcome.Breached, clock.Outcome);
    }

    [Fact]
    public void WarnAndBreach_EachOnlyOnceAndOnlyWhenDue()
    {
        var clock = Start(Policy(10, businessHoursOnly: false), Utc(2, 10));

        Assert.False(clock.Warn(Utc(2, 10, 7)));
        Assert.True(clock.Warn(Utc(2, 10, 8)));
        Assert.False(clock.Warn(Utc(2, 10, 9)));
        Assert.False(clock.Breach(Utc(2, 10, 9)));
        Assert.True(clock.Breach(Utc(2, 10, 10)));
        Assert.False(clock.Breach(Utc(2, 10, 11)));

        Assert.Equal([typeof(SlaWarned), typeof(SlaBreached)], clock.DomainEvents.Select(e => e.GetType()));
        clock.Stop(Utc(2, 10, 12), NineToFive);
        Assert.Equal(SlaOutcome.Breached, clock.Outcome);
    }

    [Fact]
    public void Follow_StricterPolicyAfterPriorityRose_DueAndWarningMoveEarlier()
    {
        var clock = Start(Policy(60, businessHoursOnly: false), Utc(2, 10));

        clock.Follow(Policy(10, businessHoursOnly: false), Utc(2, 10), NineToFive);

        Assert.Equal(Utc(2, 10, 10), clock.DueAt);
        Assert.Equal(Utc(2, 10, 8), clock.WarnAt);
        Assert.Equal(10, clock.TargetMinutes);
    }

    [Fact]
    public void Follow_FromBusinessHoursToCalendarTime_KeepsTheBusinessTimeUsedAndCountsCalendarTimeFromTheSwitch()
    {
        // Friday 16:00, eight business hours: one hour used by Friday's close.
        var clock = Start(Policy(8 * 60, businessHoursOnly: true), Utc(6, 16));

        clock.Follow(Policy(120, businessHoursOnly: false), Utc(9, 8), NineToFive); // Monday 08:00, now urgent: two calendar hours

        Assert.Equal(TimeSpan.FromHours(1), clock.Used);
        Assert.Equal(Utc(9, 9), clock.DueAt);
    }

    [Fact]
    public void Cancel_NoPolicyCoversTheConversationAnyMore_StopsWithoutAVerdict()
    {
        var clock = Start(Policy(10, businessHoursOnly: false), Utc(2, 10));

        clock.Cancel(Utc(2, 10, 20), NineToFive);

        Assert.Equal(SlaOutcome.Cancelled, clock.Outcome);
        Assert.False(clock.Breach(Utc(2, 10, 30)));
    }

    [Fact]
    public void Covers_EmptyListsCoverEverythingAndAListNarrowsIt()
    {
        var inbox = Guid.NewGuid();
        var team = Guid.NewGuid();
        var everything = Policy(10, businessHoursOnly: false);
        var urgentOfOneTeam = SlaPolicy.Create(Guid.NewGuid(), 2);
        urgentOfOneTeam.Change("Urgent", true, [], [team], [ConversationPriority.Urgent], 5, null, null, false, 80, []);

        Assert.True(everything.Covers(inbox, null, ConversationPriority.None));
        Assert.True(urgentOfOneTeam.Covers(inbox, team, ConversationPriority.Urgent));
        Assert.False(urgentOfOneTeam.Covers(inbox, team, ConversationPriority.High));
        Assert.False(urgentOfOneTeam.Covers(inbox, null, ConversationPriority.Urgent));
    }
}
