using Porchlight.Server.Features.Workforce.Planning;

namespace Porchlight.Server.Tests.Features.Workforce.Planning;

public sealed class ScheduleSuggestionTests
{
    private static readonly DayOfWeek[] Weekdays = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];
    private static readonly DayOfWeek[] EveryDay = [.. Enum.GetValues<DayOfWeek>()];

    // Starts every 30 minutes from 07:00 to 14:00, eight hours long.
    private static readonly ShiftTemplate DayShift = new("Day", new TimeOnly(7, 0), new TimeOnly(14, 0), TimeSpan.FromHours(8), Weekdays);

    [Fact]
    public void Suggest_FlatWeekdayRequirement_CoveredExactly()
    {
        var required = Requirement((day, time) => IsWeekday(day) && time >= new TimeOnly(8, 0) && time < new TimeOnly(16, 0) ? 2 : 0);

        var schedule = ScheduleSuggestion.Suggest(required, [DayShift]);

        Assert.Empty(schedule.Gaps);
        Assert.Empty(schedule.OverCoverage);
        Assert.Equal(10, schedule.Shifts.Count);
        Assert.All(schedule.Shifts, shift => Assert.Equal(new TimeOnly(8, 0), shift.Start));
        Assert.Equal(required, schedule.Scheduled);
    }

    [Fact]
    public void Suggest_MondayPeak_ExtraShiftsPlacedOverThePeak()
    {
        var required = Requirement((day, time) =>
            !IsWeekday(day) || time < new TimeOnly(8, 0) || time >= new TimeOnly(16, 0) ? 0
            : day == DayOfWeek.Monday && time >= new TimeOnly(11, 0) && time < new TimeOnly(13, 0) ? 4
            : 2);

        var schedule = ScheduleSuggestion.Suggest(required, [DayShift]);

        Assert.Empty(schedule.Gaps);
        Assert.Equal(12, schedule.Shifts.Count);
        var mondayShifts = schedule.Shifts.Where(shift => shift.Day == DayOfWeek.Monday).ToList();
        Assert.Equal(4, mondayShifts.Count);
        var peak = PlanningWeek.IntervalOf(DayOfWeek.Monday, new TimeOnly(11, 0));
        Assert.All(mondayShifts, shift => Assert.Contains(peak, shift.WorkingIntervals));
        Assert.Equal(4, schedule.Scheduled[peak]);
    }

    [Fact]
    public void Suggest_RequirementOutsideAnyShift_ReportedAsGaps()
    {
        var required = Requirement((day, time) =>
            day == DayOfWeek.Tuesday && time >= new TimeOnly(2, 0) && time < new TimeOnly(4, 0) ? 1
            : day == DayOfWeek.Tuesday && time >= new TimeOnly(9, 0) && time < new TimeOnly(17, 0) ? 1
            : 0);

        var schedule = ScheduleSuggestion.Suggest(required, [DayShift]);

        Assert.Equal(4, schedule.Gaps.Count);
        Assert.All(schedule.Gaps, gap =>
        {
            Assert.Equal(DayOfWeek.Tuesday, gap.Day);
            Assert.InRange(gap.Start, new TimeOnly(2, 0), new TimeOnly(3, 30));
            Assert.Equal(0, gap.Scheduled);
        });
        Assert.Equal(4, schedule.MissingAgentIntervals);
        Assert.Single(schedule.Shifts);
    }

    [Fact]
    public void Suggest_ShiftAcrossTheEndOfTheWeek_WrapsToMonday()
    {
        var night = new ShiftTemplate("Night", new TimeOnly(22, 0), new TimeOnly(22, 0), TimeSpan.FromHours(8), [DayOfWeek.Sunday]);
        var required = Requirement((day, time) =>
            (day == DayOfWeek.Sunday && time >= new TimeOnly(22, 0)) || (day == DayOfWeek.Monday && time < new TimeOnly(6, 0)) ? 1 : 0);

        var schedule = ScheduleSuggestion.Suggest(required, [night]);

        var shift = Assert.Single(schedule.Shifts);
        Assert.Equal(DayOfWeek.Sunday, shift.Day);
        Assert.Empty(schedule.Gaps);
        Assert.Empty(schedule.OverCoverage);
        Assert.Contains(0, shift.WorkingIntervals);
    }

    [Fact]
    public void Suggest_UnpaidBreak_LeftOutOfCoverageNearTheMiddle()
    {
        var withBreak = DayShift with { UnpaidBreak = TimeSpan.FromMinutes(30) };
        var required = Requirement((day, time) => day == DayOfWeek.Monday && time >= new TimeOnly(8, 0) && time < new TimeOnly(16, 0) ? 1 : 0);

        var schedule = ScheduleSuggestion.Suggest(required, [withBreak], maximumShifts: 1);

        var shift = Assert.Single(schedule.Shifts);
        Assert.Equal(15, shift.WorkingIntervals.Count);
        var gap = Assert.Single(schedule.Gaps);
        Assert.Equal(new TimeOnly(11, 30), gap.Start);
    }

    [Fact]
    public void Suggest_ShiftLimit_StopsThereAndReportsTheRest()
    {
        var required = Requirement((day, time) => time >= new TimeOnly(8, 0) && time < new TimeOnly(16, 0) ? 3 : 0);
        var anyDay = DayShift with { Days = EveryDay };

        var schedule = ScheduleSuggestion.Suggest(required, [anyDay], maximumShifts: 5);

        Assert.Equal(5, schedule.Shifts.Count);
        Assert.Equal((21 - 5) * 16, schedule.MissingAgentIntervals);
    }

    [Fact]
    public void Suggest_SameRequirementDaysListedInAnotherOrder_SameSchedule()
    {
        var random = new Random(4);
        var required = Requirement((day, time) => time >= new TimeOnly(7, 0) && time < new TimeOnly(22, 0) ? random.Next(0, 6) : 0);
        var late = new ShiftTemplate("Late", new TimeOnly(13, 0), new TimeOnly(16, 0), TimeSpan.FromHours(6), EveryDay);
        var shuffled = DayShift with { Days = [.. Enumerable.Reverse(EveryDay)] };
        var ordered = DayShift with { Days = EveryDay };

        var first = ScheduleSuggestion.Suggest(required, [ordered, late]);
        var second = ScheduleSuggestion.Suggest(required, [shuffled, late]);

        Assert.Equal(Describe(first), Describe(second));
        Assert.Equal(first.Scheduled, second.Scheduled);
    }

    [Fact]
    public void Suggest_BadInput_ThrowsNamingTheParameter()
    {
        Assert.Throws<ArgumentOutOfRangeException>("requiredAgents", () => ScheduleSuggestion.Suggest(new int[100], [DayShift]));
        Assert.Throws<ArgumentOutOfRangeException>("Length", () => ScheduleSuggestion.Suggest(new int[336], [DayShift with { Length = TimeSpan.FromMinutes(45) }]));
        Assert.Throws<ArgumentOutOfRangeException>("LatestStart", () => ScheduleSuggestion.Suggest(new int[336], [DayShift with { LatestStart = new TimeOnly(6, 0) }]));
        Assert.Throws<ArgumentOutOfRangeException>("templates", () => ScheduleSuggestion.Suggest(new int[336], []));
    }

    private static bool IsWeekday(DayOfWeek day) => day is not (DayOfWeek.Saturday or DayOfWeek.Sunday);

    private static int[] Requirement(Func<DayOfWeek, TimeOnly, int> agents) =>
        [.. Enumerable.Range(0, PlanningWeek.IntervalsPerWeek).Select(i => agents(PlanningWeek.DayOf(i), PlanningWeek.StartOf(i)))];

    private static string[] Describe(SuggestedSchedule schedule) =>
        [.. schedule.Shifts.Select(shift => $"{shift.Template.Name} {shift.Day} {shift.Start}")];
}
