using Porchlight.Server.Features.Reports;
using Porchlight.Server.Features.Sla;
using Porchlight.Server.Features.Workspaces;
using static Porchlight.Server.Features.Reports.TimelineKind;

namespace Porchlight.Server.Tests.Features.Reports;

/// <summary>
/// The metric definitions of docs/metrics.md over hand-built timelines: what counts as a response, when a cycle
/// starts again, what a transfer is, and how business hours, time zones and a daylight-saving day count.
/// </summary>
public sealed class ConversationMeasuresTests
{
    private static readonly DateTime Monday = new(2026, 3, 2, 10, 0, 0, DateTimeKind.Utc); // 11:00 in Berlin
    private static readonly Guid Sam = Guid.NewGuid();
    private static readonly Guid Ana = Guid.NewGuid();
    private static readonly Guid Support = Guid.NewGuid();
    private static readonly Guid Billing = Guid.NewGuid();
    private static readonly BusinessCalendar Calendar = BusinessCalendar.AlwaysOpen;

    private static readonly BusinessCalendar BerlinOffice =
        new(TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"), BusinessHours.WeekdaysNineToFive.Days, []);

    [Fact]
    public void FirstResponse_AutomaticRepliesBeforeThePerson_CountFromTheStartToThePersonsReply()
    {
        var measures = Measure(
            At(0, Created), At(0, ContactMessage), At(1, AutomaticReply), At(2, Queued, team: Support),
            At(7, Assigned, Sam, Support), At(9, AgentReply, Sam), At(30, Resolved));

        Assert.Equal(TimeSpan.FromMinutes(9), measures.FirstResponse!.Value.Calendar);
        Assert.Equal(TimeSpan.FromMinutes(5), measures.QueueWait.Calendar);
        Assert.Equal(TimeSpan.FromMinutes(23), measures.HandleTime.Calendar);
        Assert.Equal(TimeSpan.FromMinutes(30), measures.Cycles[0].Resolution!.Value.Calendar);
        Assert.True(measures.ResolvedInOneContact);
    }

    [Fact]
    public void FirstResponse_AssistantHandsOver_CountsFromTheHandoverNotTheFirstMessage()
    {
        var measures = Measure(
            At(0, Created), At(0, AssistantAttended), At(0, ContactMessage), At(0, AutomaticReply), At(3, ContactMessage), At(4, AutomaticReply),
            At(4, ReachedPeople), At(4, Queued, team: Support), At(6, Assigned, Sam, Support), At(10, AgentReply, Sam), At(20, Resolved));

        Assert.Equal(TimeSpan.FromMinutes(6), measures.FirstResponse!.Value.Calendar);
        Assert.Equal(TimeSpan.FromMinutes(16), measures.Cycles[0].Resolution!.Value.Calendar);
        Assert.False(measures.Contained);
    }

    [Fact]
    public void Contained_AssistantResolvesIt_NoResponseNoCycleAndContained()
    {
        var measures = Measure(At(0, Created), At(0, AssistantAttended), At(0, ContactMessage), At(1, AutomaticReply), At(2, ContactMessage), At(2, Resolved));

        Assert.True(measures.Contained);
        Assert.False(measures.ReachedPeople);
        Assert.Empty(measures.Cycles);
        Assert.Null(measures.FirstResponse);
    }

    [Fact]
    public void FirstResponse_AgentStepsInWhileTheAssistantTalks_TheReplyIsTheFirstResponse()
    {
        var measures = Measure(At(0, Created), At(0, AssistantAttended), At(0, ContactMessage), At(1, AutomaticReply), At(5, AgentReply, Sam), At(9, Resolved));

        Assert.Equal(TimeSpan.Zero, measures.FirstResponse!.Value.Calendar);
        Assert.Equal(TimeSpan.FromMinutes(4), measures.Cycles[0].Resolution!.Value.Calendar);
    }

    [Fact]
    public void NextResponses_ContactWritesAfterEachReply_EachWaitEndsAtTheNextPersonsReply()
    {
        var measures = Measure(
            At(0, Created), At(0, ContactMessage), At(0, Assigned, Sam), At(2, AgentReply, Sam), At(3, ContactMessage), At(4, ContactMessage),
            At(8, AutomaticReply), At(10, AgentReply, Sam), At(11, AgentReply, Sam), At(12, ContactMessage), At(15, AgentReply, Sam), At(16, Resolved));

        Assert.Equal([TimeSpan.FromMinutes(7), TimeSpan.FromMinutes(3)], measures.Cycles[0].NextResponses.Select(s => s.Calendar));
    }

    [Fact]
    public void Reopen_ContactWritesAgainAfterTheResolve_ANewCycleWithItsOwnFirstResponse()
    {
        var measures = Measure(
            At(0, Created), At(0, ContactMessage), At(0, Assigned, Sam), At(2, AgentReply, Sam), At(5, Resolved),
            At(60, ContactMessage), At(60, Reopened), At(75, AgentReply, Sam), At(80, Resolved));

        Assert.Equal(2, measures.Cycles.Count);
        Assert.Equal(TimeSpan.FromMinutes(2), measures.FirstResponse!.Value.Calendar);
        Assert.Equal(TimeSpan.FromMinutes(15), measures.Cycles[1].FirstResponse!.Value.Calendar);
        Assert.Equal(TimeSpan.FromMinutes(20), measures.Cycles[1].Resolution!.Value.Calendar);
        Assert.Equal(1, measures.Reopens);
        Assert.False(measures.ResolvedInOneContact);
        Assert.Equal(TimeSpan.FromMinutes(25), measures.HandleTime.Calendar);
    }

    [Fact]
    public void Transfers_TeamToTeamAndAgentToAgent_CountButTheFirstAssignmentDoesNot()
    {
        var measures = Measure(
            At(0, Created), At(0, Queued, team: Support), At(1, Assigned, Sam, Support), At(4, Queued, team: Billing), At(9, Assigned, Ana, Billing),
            At(10, Assigned, Sam, Billing), At(12, AgentReply, Sam), At(13, Resolved));

        Assert.Equal(2, measures.Transfers);
        Assert.Equal(TimeSpan.FromMinutes(6), measures.QueueWait.Calendar);
        Assert.False(measures.ResolvedInOneContact);
    }

    [Fact]
    public void BusinessHours_FirstResponseOverANight_CountsOnlyOpenTime()
    {
        // Monday 16:30 in Berlin to Tuesday 09:45: 30 minutes before closing and 45 after opening.
        var start = new DateTime(2026, 3, 2, 15, 30, 0, DateTimeKind.Utc);
        var measures = ConversationMeasures.Of(
            [new(start, Created), new(start, ContactMessage), new(start.AddHours(17.25), AgentReply, Sam)], BerlinOffice);

        Assert.Equal(TimeSpan.FromHours(17.25), measures.FirstResponse!.Value.Calendar);
        Assert.Equal(TimeSpan.FromMinutes(75), measures.FirstResponse!.Value.Business);
    }

    [Fact]
    public void BusinessHours_TheDayTheClocksGoForward_AnOpenDayIsStillEightHoursOnTheClockOfTheOffice()
    {
        // On Sunday 29 March 2026 Berlin's clocks go from 02:00 to 03:00. Saturday noon to Monday noon (UTC) is 48 hours on
        // the clock; the office opens on Monday at 09:00 summer time, 07:00 UTC, so five open hours (winter time would give four).
        var saturdayNoon = new DateTime(2026, 3, 28, 12, 0, 0, DateTimeKind.Utc);
        var mondayNoon = new DateTime(2026, 3, 30, 12, 0, 0, DateTimeKind.Utc);
        var measures = ConversationMeasures.Of([new(saturdayNoon, Created), new(saturdayNoon, ContactMessage), new(mondayNoon, AgentReply, Sam)], BerlinOffice);

        Assert.Equal(TimeSpan.FromHours(48), measures.FirstResponse!.Value.Calendar);
        Assert.Equal(TimeSpan.FromHours(5), measures.FirstResponse!.Value.Business);
    }

    [Fact]
    public void Unresolved_PersonHasNotReplied_AnOpenCycleWithoutResponseOrResolution()
    {
        var measures = Measure(At(0, Created), At(0, ContactMessage), At(0, Queued, team: Support));

        var cycle = Assert.Single(measures.Cycles);
        Assert.Equal((null, null), (cycle.FirstResponse, cycle.Resolution));
        Assert.False(measures.ResolvedInOneContact);
    }

    private static ConversationMeasures Measure(params TimelineEvent[] timeline) => ConversationMeasures.Of(timeline, Calendar);

    private static TimelineEvent At(int minutes, TimelineKind kind, Guid? agent = null, Guid? team = null) =>
        new(Monday.AddMinutes(minutes), kind, agent, team);
}
