namespace Porchlight.Server.Features.Workforce.Planning;

/// <summary>
/// Suggests a week of shifts that covers the agents required per interval, greedily: it keeps adding the shift
/// (any template, allowed day and start) that covers the most still-uncovered agent-intervals, until everything
/// is covered, no shift covers anything more, or the shift limit is reached. Ties go to the earlier template in
/// the list, then the earlier weekday (Monday first), then the earlier start, so the same input always gives the
/// same schedule. Greedy is fast and usually close, but not optimal; it knows nothing of agents, their
/// preferences, contracts, skills or rest rules, and it treats every shift as equally costly.
/// </summary>
public static class ScheduleSuggestion
{
    /// <summary>Builds the suggestion.</summary>
    /// <param name="requiredAgents">Agents to schedule per week interval, 336 values from Monday 00:00 (local time).</param>
    /// <param name="templates">Templates shifts may be made from, in order of preference for ties.</param>
    /// <param name="maximumShifts">Most shifts to place, 1 or more.</param>
    public static SuggestedSchedule Suggest(IReadOnlyList<int> requiredAgents, IReadOnlyList<ShiftTemplate> templates, int maximumShifts = 2000)
    {
        ArgumentNullException.ThrowIfNull(requiredAgents);
        ArgumentNullException.ThrowIfNull(templates);
        if (requiredAgents.Count != PlanningWeek.IntervalsPerWeek)
        {
            throw new ArgumentOutOfRangeException(nameof(requiredAgents), requiredAgents.Count, $"The requirement covers one week: {PlanningWeek.IntervalsPerWeek} intervals.");
        }
        if (requiredAgents.Any(required => required < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(requiredAgents), "Required agents cannot be negative.");
        }
        if (templates.Count == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(templates), "At least one shift template is needed.");
        }
        foreach (var template in templates)
        {
            template.Validate();
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(maximumShifts, 1);

        var candidates = Candidates(templates);
        var scheduled = new int[PlanningWeek.IntervalsPerWeek];
        var shifts = new List<SuggestedShift>();
        while (shifts.Count < maximumShifts)
        {
            SuggestedShift? best = null;
            var bestGain = 0;
            foreach (var candidate in candidates)
            {
                var gain = 0;
                foreach (var interval in candidate.WorkingIntervals)
                {
                    if (scheduled[interval] < requiredAgents[interval])
                    {
                        gain++;
                    }
                }
                // Strictly greater, so the first candidate in tie-break order keeps a tie.
                if (gain > bestGain)
                {
                    bestGain = gain;
                    best = candidate;
                }
            }
            if (best is null)
            {
                break;
            }
            shifts.Add(best);
            foreach (var interval in best.WorkingIntervals)
            {
                scheduled[interval]++;
            }
        }

        var gaps = new List<CoverageDifference>();
        var overCoverage = new List<CoverageDifference>();
        for (var interval = 0; interval < PlanningWeek.IntervalsPerWeek; interval++)
        {
            var difference = new CoverageDifference(interval, requiredAgents[interval], scheduled[interval]);
            if (scheduled[interval] < requiredAgents[interval])
            {
                gaps.Add(difference);
            }
            else if (scheduled[interval] > requiredAgents[interval])
            {
                overCoverage.Add(difference);
            }
        }
        return new SuggestedSchedule(shifts, scheduled, gaps, overCoverage);
    }

    private static List<SuggestedShift> Candidates(IReadOnlyList<ShiftTemplate> templates)
    {
        var candidates = new List<SuggestedShift>();
        foreach (var template in templates)
        {
            var offsets = template.WorkingOffsets();
            foreach (var day in template.Days.Distinct().OrderBy(PlanningWeek.DayIndex))
            {
                foreach (var start in template.StartTimes())
                {
                    var first = PlanningWeek.IntervalOf(day, start);
                    int[] working = [.. offsets.Select(offset => (first + offset) % PlanningWeek.IntervalsPerWeek)];
                    candidates.Add(new SuggestedShift(template, day, start, working));
                }
            }
        }
        return candidates;
    }
}
