using Porchlight.Server.Features.Workforce.Planning;

namespace Porchlight.Server.Tests.Features.Workforce.Planning;

public sealed class ShiftAssignmentTests
{
    private static readonly DayOfWeek[] EveryDay = [.. Enum.GetValues<DayOfWeek>()];

    // Eight hours with half an hour's break: 7.5 hours worked.
    private static readonly ShiftTemplate Day = new("Day", new TimeOnly(8, 0), new TimeOnly(8, 0), TimeSpan.FromHours(8), EveryDay) { UnpaidBreak = TimeSpan.FromMinutes(30) };
    private static readonly ShiftTemplate Night = new("Night", new TimeOnly(22, 0), new TimeOnly(22, 0), TimeSpan.FromHours(8), EveryDay);

    [Fact]
    public void Assign_TwoShiftsADayAndTwoAgents_EachAgentOneADayByFewestHours()
    {
        var shifts = Enumerable.Range(0, 2).SelectMany(_ => new[] { Shift(Day, DayOfWeek.Monday), Shift(Day, DayOfWeek.Tuesday) }).ToList();
        var (ana, ben) = (Agent("Ana"), Agent("Ben"));

        var assigned = ShiftAssignment.Assign(shifts, [ana, ben], AssignmentRules.Default);

        // Monday's first goes to Ana (listed first), the second to Ben; Tuesday's likewise, never two to one agent on a day.
        Assert.Equal([ana.Id, ana.Id, ben.Id, ben.Id], assigned);
        Assert.NotEqual(assigned[0], assigned[2]);
        Assert.NotEqual(assigned[1], assigned[3]);
    }

    [Fact]
    public void Assign_NightThenMorning_TheMorningGoesToSomeoneRested()
    {
        // Monday 22:00–06:00, then Tuesday 08:00: two hours after the night ends.
        List<SuggestedShift> shifts = [Shift(Night, DayOfWeek.Monday), Shift(Day, DayOfWeek.Tuesday)];
        var (ana, ben) = (Agent("Ana"), Agent("Ben"));

        Assert.Equal([ana.Id, ben.Id], ShiftAssignment.Assign(shifts, [ana, ben], AssignmentRules.Default));
        Assert.Equal([ana.Id, null], ShiftAssignment.Assign(shifts, [ana], AssignmentRules.Default));
    }

    [Fact]
    public void Assign_SundayNightBeforeAMondayMorning_RefusedBecauseTheWeekRepeats()
    {
        // Sunday 22:00 runs into the next week's Monday, when the agent's Monday 08:00 shift comes round again.
        List<SuggestedShift> shifts = [Shift(Day, DayOfWeek.Monday), Shift(Night, DayOfWeek.Sunday)];
        var ana = Agent("Ana");

        Assert.Equal([ana.Id, null], ShiftAssignment.Assign(shifts, [ana], AssignmentRules.Default));
    }

    [Fact]
    public void Assign_AgentAwayOnWednesday_GetsEveryOtherWeekdayButNotWednesday()
    {
        var shifts = EveryDay.Select(day => Shift(Day, day)).ToList();
        var away = Agent("Ana", DayOfWeek.Wednesday);

        var assigned = ShiftAssignment.Assign(shifts, [away], AssignmentRules.Default);

        Assert.Null(assigned[shifts.FindIndex(s => s.Day == DayOfWeek.Wednesday)]);
        Assert.Equal(5, assigned.Count(a => a == away.Id));
    }

    [Fact]
    public void Assign_AWeekOfDailyShiftsToOneAgent_StopsAtFiveShiftsAndFortyHours()
    {
        var shifts = EveryDay.Select(day => Shift(Day, day)).OrderBy(ShiftAssignment.StartOf).ToList();
        var ana = Agent("Ana");

        // Five shifts of 7.5 hours (37.5): Monday to Friday; the weekend stays open.
        Assert.Equal([ana.Id, ana.Id, ana.Id, ana.Id, ana.Id, null, null], ShiftAssignment.Assign(shifts, [ana], AssignmentRules.Default));
        // With 30 hours at most, four fit.
        Assert.Equal(4, ShiftAssignment.Assign(shifts, [ana], AssignmentRules.Default with { MaxWorkingTimePerWeek = TimeSpan.FromHours(30) }).Count(a => a is not null));
    }

    [Fact]
    public void Assign_SameInputTwice_SameAgents()
    {
        var shifts = EveryDay.SelectMany(day => new[] { Shift(Day, day), Shift(Night, day), Shift(Day, day) }).ToList();
        List<AssignableAgent> agents = [Agent("Ana"), Agent("Ben"), Agent("Cem"), Agent("Dia", DayOfWeek.Friday)];

        Assert.Equal(ShiftAssignment.Assign(shifts, agents, AssignmentRules.Default), ShiftAssignment.Assign(shifts, agents, AssignmentRules.Default));
    }

    private static SuggestedShift Shift(ShiftTemplate template, DayOfWeek day) => new(template, day, template.EarliestStart, []);

    private static AssignableAgent Agent(string name, params DayOfWeek[] away) => new(Guid.NewGuid(), name, away.ToHashSet());
}
