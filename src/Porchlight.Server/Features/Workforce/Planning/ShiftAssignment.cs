namespace Porchlight.Server.Features.Workforce.Planning;

/// <summary>An agent the suggested shifts may go to, with the weekdays of the planned week they are away.</summary>
public sealed record AssignableAgent(Guid Id, string Name, IReadOnlySet<DayOfWeek> DaysAway);

/// <summary>What an agent's week may hold: rest between shifts, shifts and working hours per week.</summary>
public sealed record AssignmentRules(TimeSpan MinimumRest, int MaxShiftsPerWeek, TimeSpan MaxWorkingTimePerWeek)
{
    /// <summary>11 hours' rest, 5 shifts and 40 hours a week: the common limits of working-time rules.</summary>
    public static readonly AssignmentRules Default = new(TimeSpan.FromHours(11), 5, TimeSpan.FromHours(40));
}

/// <summary>
/// Gives suggested shifts to agents, simply enough to explain in a sentence: shifts in order of start (Monday first),
/// each to the agent with the fewest hours so far who can take it (ties to the agent listed first). An agent can take a
/// shift when they have no other shift starting that day, are not away that day, have had the minimum rest since their
/// previous shift and will have it before their first shift of the next week (the week repeats), and stay within the
/// shifts and working time of a week. A shift nobody can take stays unassigned. Fair by hours, not optimal: a different
/// order could sometimes place a shift this leaves unassigned.
/// </summary>
public static class ShiftAssignment
{
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);

    /// <summary>The agent of each shift (null: nobody could take it), in the order of <paramref name="shifts"/>.</summary>
    public static Guid?[] Assign(IReadOnlyList<SuggestedShift> shifts, IReadOnlyList<AssignableAgent> agents, AssignmentRules rules)
    {
        ArgumentNullException.ThrowIfNull(shifts);
        ArgumentNullException.ThrowIfNull(agents);
        ArgumentNullException.ThrowIfNull(rules);
        var assigned = new Guid?[shifts.Count];
        var weeks = agents.ToDictionary(a => a.Id, _ => new List<SuggestedShift>());
        foreach (var index in Enumerable.Range(0, shifts.Count).OrderBy(i => StartOf(shifts[i])))
        {
            var shift = shifts[index];
            var agent = agents
                .Where(a => CanTake(a, weeks[a.Id], shift, rules))
                .MinBy(a => weeks[a.Id].Sum(s => s.Template.WorkingTime.Ticks));
            if (agent is not null)
            {
                weeks[agent.Id].Add(shift);
                assigned[index] = agent.Id;
            }
        }

        return assigned;
    }

    /// <summary>When the shift starts, from Monday 00:00 of its week.</summary>
    public static TimeSpan StartOf(SuggestedShift shift) => TimeSpan.FromDays(PlanningWeek.DayIndex(shift.Day)) + shift.Start.ToTimeSpan();

    // Shifts are taken in order of start, so every shift the agent has starts no later than this one.
    private static bool CanTake(AssignableAgent agent, List<SuggestedShift> week, SuggestedShift shift, AssignmentRules rules)
    {
        var start = StartOf(shift);
        var end = start + shift.Template.Length;
        return !agent.DaysAway.Contains(shift.Day)
            && week.Count < rules.MaxShiftsPerWeek
            && new TimeSpan(week.Sum(s => s.Template.WorkingTime.Ticks)) + shift.Template.WorkingTime <= rules.MaxWorkingTimePerWeek
            && week.All(s => s.Day != shift.Day
                && start - (StartOf(s) + s.Template.Length) >= rules.MinimumRest
                && StartOf(s) + Week - end >= rules.MinimumRest);
    }
}
