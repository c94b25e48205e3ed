using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Workforce.Planning;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Workforce;

/// <summary>Coverage from today for 1–28 days: one team's agents (or all) against the plan of one inbox, one team or all.</summary>
public sealed record CoverageQuery(Guid? InboxId, Guid? TeamId, int? Days);

/// <summary>One local half hour: agents the plan wants on shift, and agents scheduled (an agent working part of it counts in part).</summary>
/// <param name="Required">Agents to schedule by the staffing plan; null when there is no plan (too little history).</param>
/// <param name="Gap">Agents missing: required less scheduled, when more are required.</param>
public sealed record CoverageInterval(DateOnly Day, TimeOnly LocalStart, DateTime? Start, int? Required, double Scheduled, double Gap);

/// <summary>An agent's scheduled working hours over the days shown, breaks and time off left out.</summary>
public sealed record CoverageAgent(Guid AgentId, string DisplayName, double Hours);

public sealed record CoverageResponse(
    string TimeZone, DateOnly FirstDay, int Days, string? PlanNotice, IReadOnlyList<CoverageAgent> Agents, IReadOnlyList<CoverageInterval> Intervals);

/// <summary>
/// Scheduled against required agents per local half hour of the workspace. Shifts are clock times of their own zones;
/// each is turned into real time (<see cref="ShiftTimes"/>) and laid on the workspace's half hours, so an agent abroad
/// and the nights the clocks change are counted as the hours really fall.
/// </summary>
public sealed class GetCoverage(AppDbContext db, GetStaffingPlan plans)
{
    public const int MaxDays = 28;

    public async Task<Result<CoverageResponse>> HandleAsync(CoverageQuery query, CancellationToken cancellationToken)
    {
        var days = query.Days ?? 7;
        if (days is < 1 or > MaxDays)
        {
            return Failure.Invalid("days", $"From 1 to {MaxDays}.");
        }

        var planned = await plans.HandleAsync(new StaffingPlanQuery(query.InboxId, query.TeamId, (days + 6) / 7), withAccuracy: false, cancellationToken);
        if (!planned.Succeeded)
        {
            return planned.Failure!;
        }

        var plan = planned.Value!;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(plan.TimeZone);
        var grid = new LocalIntervals(zone, plan.FirstDay);
        var from = grid.StartOfDay(plan.FirstDay);
        var to = grid.StartOfDay(plan.FirstDay.AddDays(days));

        var agents = db.Agents.Where(a => a.IsActive);
        if (query.TeamId is { } teamId)
        {
            agents = agents.Where(a => db.TeamMembers.Any(m => m.TeamId == teamId && m.AgentId == a.Id));
        }

        var people = await agents.Select(a => new { a.Id, a.DisplayName }).ToListAsync(cancellationToken);
        var ids = people.ConvertAll(p => p.Id);
        var shifts = await db.Shifts.AsNoTracking().Where(s => ids.Contains(s.AgentId)).ToListAsync(cancellationToken);
        var firstAway = plan.FirstDay.AddDays(-2);
        var timeOff = await db.TimeOff.AsNoTracking().Where(t => ids.Contains(t.AgentId) && t.LastDay >= firstAway).ToListAsync(cancellationToken);
        var spans = people.ToDictionary(p => p.Id, p => shifts.Where(s => s.AgentId == p.Id)
            .SelectMany(s => ShiftTimes.Spans(s, [.. timeOff.Where(t => t.AgentId == p.Id)], from, to)).ToList());

        var intervals = new List<CoverageInterval>(days * PlanningWeek.IntervalsPerDay);
        for (var index = 0; index < days * PlanningWeek.IntervalsPerDay; index++)
        {
            var start = grid.StartOf(index);
            var scheduled = start is { } s
                ? spans.Values.Sum(agent => ShiftTimes.Covered(agent, s, s + PlanningWeek.IntervalLength) / PlanningWeek.IntervalLength)
                : 0;
            int? required = plan.Intervals.Count > index ? plan.Intervals[index].AgentsToSchedule : null;
            intervals.Add(new CoverageInterval(grid.DayOf(index), LocalIntervals.LocalStartOf(index), start, required, scheduled,
                required is { } r && r > scheduled ? r - scheduled : 0));
        }

        var hours = people.ConvertAll(p => new CoverageAgent(p.Id, p.DisplayName, spans[p.Id].Sum(span => (span.To - span.From).TotalHours)))
            .OrderByDescending(a => a.Hours).ThenBy(a => a.DisplayName, StringComparer.CurrentCulture).ToList();
        return new CoverageResponse(plan.TimeZone, plan.FirstDay, days, plan.Notice, hours, intervals);
    }
}
