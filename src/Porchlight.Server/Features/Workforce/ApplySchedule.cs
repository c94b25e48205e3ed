using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Workforce;

/// <summary>One shift of a schedule: an agent's day and hours on the workspace's clock, as a suggestion gives them.</summary>
public sealed record ScheduledShiftRequest(Guid? AgentId, DateOnly? FirstDay, TimeOnly? StartTime, TimeOnly? EndTime, TimeOnly? BreakStart, int? BreakMinutes);

/// <summary>A week's shifts to keep week after week, until <c>lastDay</c> (null: ongoing).</summary>
public sealed record ApplyScheduleRequest(List<ScheduledShiftRequest?>? Shifts, DateOnly? LastDay);

/// <summary>
/// Makes a week of shifts (a suggestion, as the planner kept it) the agents' weekly runs: one run per agent and hours,
/// on the weekdays of its shifts, from the first of them, on the workspace's clock. Each shift is checked as one added by
/// hand (<see cref="Shifts.CheckAsync"/>), and all runs are created together or none. Taking shifts rather than the
/// suggestion's request keeps what is applied exactly what the planner saw, even if the plan has moved since.
/// </summary>
public sealed class ApplySchedule(Shifts shifts)
{
    /// <summary>A week's shift for each agent a suggestion may use.</summary>
    public const int MaxShifts = 7 * SuggestSchedule.MaxAgents;

    public async Task<Result<List<ShiftResponse>>> HandleAsync(ApplyScheduleRequest request, CancellationToken cancellationToken)
    {
        if (request.Shifts is not { Count: > 0 and <= MaxShifts } items)
        {
            return Failure.Invalid("shifts", $"Required: 1 to {MaxShifts} shifts.");
        }

        var errors = new FieldErrors();
        var days = new HashSet<(Guid, DateOnly)>();
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not { } item)
            {
                errors.Add($"shifts[{i}]", "Required: a shift.");
                continue;
            }

            // The last day is the request's, checked once below against every shift.
            await shifts.CheckAsync(errors, Run(item, lastDay: null, weekdays: null), $"shifts[{i}].", cancellationToken);
            if (item is { AgentId: { } agentId, FirstDay: { } day } && !days.Add((agentId, day)))
            {
                errors.Add($"shifts[{i}].firstDay", "The agent has another shift that day: a schedule gives each agent one a day.");
            }
        }

        var given = items.OfType<ScheduledShiftRequest>().Select(s => s.FirstDay).OfType<DateOnly>().ToList();
        if (given.Count > 0 && given.Max().DayNumber - given.Min().DayNumber >= 7)
        {
            errors.Add("shifts", "One week's shifts: their days within seven days of each other.");
        }

        if (request.LastDay is { } lastDay && given.Count > 0 && lastDay < given.Max())
        {
            errors.Add("lastDay", "On or after every shift's day, or null for runs that go on.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        // A break of no minutes is no break, whatever its start says: such shifts are one run.
        var runs = items.Select(s => s!)
            .GroupBy(s => (s.AgentId, s.StartTime, s.EndTime, BreakStart: s.BreakMinutes > 0 ? s.BreakStart : null, BreakMinutes: s.BreakMinutes ?? 0))
            .Select(run => Run(run.MinBy(s => s.FirstDay)!, request.LastDay, [.. run.Select(s => s.FirstDay!.Value.DayOfWeek)]))
            .ToList();
        return await shifts.CreateCheckedAsync(runs, cancellationToken);
    }

    private static ShiftRequest Run(ScheduledShiftRequest first, DateOnly? lastDay, List<DayOfWeek>? weekdays) =>
        new(first.AgentId, first.FirstDay, lastDay, weekdays, first.StartTime, first.EndTime, first.BreakStart, first.BreakMinutes, TimeZone: null);
}
