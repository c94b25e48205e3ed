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
    public void Conversations_QueuedInATeamThenTransferred_CountsOnceForTheFirstTeamOnTheDayItBegan()
    {
        var measures = Measure(
            At(0, Created), At(0, ContactMessage), At(2, Queued, team: Support), At(5, Assigned, Sam, Support), At(8, Assigned, Ana, Billing),
            At(9, AgentReply, Ana), At(20, Resolved));

        var conversation = Assert.Single(measures.Facts, f => f.Metric == ReportMetric.Conversations);
        Assert.Equal((Monday, (Guid?)Support, (Guid?)null), (conversation.At, conversation.TeamId, conversation.AgentId));
    }

    [Theory]
    [InlineData(0.5, 0)]
    [InlineData(7, 0)]
    [InlineData(7.01, 1)]
    [InlineData(30, 1)]
    [InlineData(30.01, null)]
    public void Returned_PreviousConversationDaysBefore_CountsWithin7Or30DaysForTheConversationsTeamAndDay(double daysBefore, int? bucket)
    {
        var begunAt = new DateTime(2026, 3, 29, 0, 30, 0, DateTimeKind.Utc); // already 29 March in Berlin
        var team = Guid.NewGuid();
        var begun = ReportFact.Of(new MeasuredFact(ReportMetric.Conversations, begunAt, TeamId: team), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), BerlinOffice);

        var returned = ReportFact.Returned(begun, begunAt, begunAt.AddDays(-daysBefore));

        Assert.Equal(bucket, returned?.Bucket);
        Assert.True(returned is null || (returned.Metric, returned.Day, returned.TeamId, returned.ConversationId) == (ReportMetric.Returned, begun.Day, team, begun.ConversationId));
        Assert.Null(ReportFact.Returned(begun, begunAt, previousBegunAt: null));
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
    public void Snooze_SnoozedAndWokenBeforeTheResolve_ResolutionAndHandleTimeLeaveOutTheSnoozeButResponsesDoNot()
    {
        var measures = Measure(
            At(0, Created), At(0, ContactMessage), At(0, Assigned, Sam), At(2, AgentReply, Sam), At(4, ContactMessage), At(5, Snoozed),
            At(125, Woken), At(130, AgentReply, Sam), At(140, Resolved));

        Assert.Equal(TimeSpan.FromMinutes(20), measures.Cycles[0].Resolution!.Value.Calendar); // 140 minutes less 120 snoozed
        Assert.Equal(TimeSpan.FromMinutes(120), measures.Cycles[0].Snoozed.Calendar);
        Assert.Equal(TimeSpan.FromMinutes(20), measures.HandleTime.Calendar);
        Assert.Equal(TimeSpan.FromMinutes(126), measures.Cycles[0].NextResponses.Single().Calendar); // the contact waited all along
        Assert.True(measures.ResolvedInOneContact);
    }

    [Fact]
    public void Snooze_ResolvedWhileSnoozedInAQueue_TheSnoozeEndsAtTheResolveAndIsNoQueueWait()
    {
        var measures = Measure(At(0, Created), At(0, ContactMessage), At(1, Queued, team: Support), At(3, Snoozed), At(63, Resolved));

        Assert.Equal(TimeSpan.FromMinutes(3), measures.Cycles[0].Resolution!.Value.Calendar);
        Assert.Equal(TimeSpan.FromMinutes(2), measures.QueueWait.Calendar);
    }

    [Fact]
    public void Snooze_AResolvedConversationSnoozedThenWoken_ReopensIntoANewCycleFromTheSnooze()
    {
        var measures = Measure(
            At(0, Created), At(0, Assigned, Sam), At(1, AgentReply, Sam), At(2, Resolved), At(10, Snoozed), At(70, Woken), At(71, AgentReply, Sam), At(75, Resolved));

        Assert.Equal((1, 2), (measures.Reopens, measures.Cycles.Count));
        Assert.Equal(TimeSpan.FromMinutes(5), measures.Cycles[1].Resolution!.Value.Calendar); // 65 minutes less 60 snoozed
        Assert.Equal(TimeSpan.FromMinutes(61), measures.Cycles[1].FirstResponse!.Value.Calendar); // as every cycle's: from its start
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

    [Fact]
    public void Facts_EachCountsForWhoeverDidIt_TheResponderTheHolderAndTheTeamOfTheMoment()
    {
        var facts = Measure(
            At(0, Created), At(0, ContactMessage), At(0, Queued, team: Support), At(2, Assigned, Sam, Support), At(5, AgentReply, Sam),
            At(8, Queued, team: Billing), At(11, Assigned, Ana, Billing), At(20, Resolved)).Facts;

        Assert.Equal((Sam, Support), Whose(facts, ReportMetric.FirstResponse));
        Assert.Equal((Ana, Billing), Whose(facts, ReportMetric.Resolution));
        Assert.Equal((Ana, Billing), Whose(facts, ReportMetric.ResolvedConversation));
        Assert.Equal([(Sam, TimeSpan.FromMinutes(6)), (Ana, TimeSpan.FromMinutes(9))],
            facts.Where(f => f.Metric == ReportMetric.HandleTime).Select(f => (f.AgentId!.Value, f.Length!.Value.Calendar)));
        Assert.Equal([(Support, TimeSpan.FromMinutes(2)), (Billing, TimeSpan.FromMinutes(3))],
            facts.Where(f => f.Metric == ReportMetric.QueueWait).Select(f => (f.TeamId!.Value, f.Length!.Value.Calendar)));
        // Moving to Billing after people had it is an escalation, 8 minutes after the start; its resolution is counted again as escalated.
        var escalation = Assert.Single(facts, f => f.Metric == ReportMetric.Escalation);
        Assert.Equal(TimeSpan.FromMinutes(8), escalation.Length!.Value.Calendar);
        Assert.Single(facts, f => f.Metric == ReportMetric.EscalatedResolution);
        Assert.DoesNotContain(facts, f => f.Metric == ReportMetric.ResolvedInOneContact);
    }

    [Fact]
    public void Facts_NobodyAssigned_TheResolveCountsForTheLastPersonWhoReplied()
    {
        var facts = Measure(At(0, Created), At(0, ContactMessage), At(3, AgentReply, Sam), At(4, ContactMessage), At(6, AgentReply, Ana), At(7, Resolved)).Facts;

        Assert.Equal((Ana, Guid.Empty), Whose(facts, ReportMetric.Resolution));
        Assert.Equal((Ana, Guid.Empty), Whose(facts, ReportMetric.ResolvedInOneContact));
        Assert.Equal((Sam, Guid.Empty), Whose(facts, ReportMetric.FirstResponse));
    }

    [Fact]
    public void Facts_ReopenedAndResolvedOnAnotherDay_TheConversationCountsAsResolvedOnlyOnTheLaterDay()
    {
        var facts = Measure(
            At(0, Created), At(0, ContactMessage), At(2, AgentReply, Sam), At(10, Resolved), At(2 * 24 * 60, Reopened), At(2 * 24 * 60 + 5, AgentReply, Sam),
            At(2 * 24 * 60 + 9, Resolved)).Facts;

        var resolved = Assert.Single(facts, f => f.Metric == ReportMetric.ResolvedConversation);
        Assert.Equal(Monday.AddDays(2).AddMinutes(9), resolved.At);
        Assert.Equal(2, facts.Count(f => f.Metric == ReportMetric.Resolution));
        Assert.Equal(2, facts.Count(f => f.Metric == ReportMetric.FirstResponse)); // each cycle has its own
        Assert.DoesNotContain(facts, f => f.Metric == ReportMetric.ResolvedInOneContact);
    }

    [Fact]
    public void ReportFact_LateEveningInBerlin_CountsOnTheWorkspacesDayNotTheUtcDay()
    {
        // 23:30 UTC on 1 July is 01:30 on 2 July in Berlin (summer time).
        var lateEvening = new DateTime(2026, 7, 1, 23, 30, 0, DateTimeKind.Utc);
        var fact = ReportFact.Of(new MeasuredFact(ReportMetric.Conversations, lateEvening), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), BerlinOffice);

        Assert.Equal(new DateOnly(2026, 7, 2), fact.Day);
        Assert.Equal((Guid.Empty, Guid.Empty), (fact.AgentId, fact.TeamId));
    }

    private static (Guid Agent, Guid Team) Whose(IReadOnlyList<MeasuredFact> facts, ReportMetric metric) =>
        Assert.Single(facts, f => f.Metric == metric) is var fact ? (fact.AgentId ?? Guid.Empty, fact.TeamId ?? Guid.Empty) : default;

    private static ConversationMeasures Measure(params TimelineEvent[] timeline) => ConversationMeasures.Of(timeline, Calendar);

    private static TimelineEvent At(int minutes, TimelineKind kind, Guid? agent = null, Guid? team = null) =>
        new(Monday.AddMinutes(minutes), kind, agent, team);
}
