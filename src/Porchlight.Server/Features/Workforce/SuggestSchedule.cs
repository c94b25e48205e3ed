using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Workforce.Planning;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Workforce;

/// <summary>
/// A kind of shift the suggestion may use: starts every 30 minutes from <c>earliestStart</c> to <c>latestStart</c>
/// (hh:mm:ss on the half hour), <c>lengthMinutes</c> long with the break, an unpaid break of <c>breakMinutes</c> in
/// the middle (0 unless given), starting on <c>weekdays</c>.
/// </summary>
public sealed record ShiftTemplateRequest(string? Name, TimeOnly? EarliestStart, TimeOnly? LatestStart, int? LengthMinutes, int? BreakMinutes, List<DayOfWeek>? Weekdays);

/// <summary>
/// The plan of one inbox, one team or all, covered with shifts of the templates (the first preferred in a tie) for the
/// week that starts on the first Monday on or after <c>firstDay</c> (today unless given), given to <c>agentIds</c>
/// (empty: the team's active members, or every active agent).
/// </summary>
public sealed record ScheduleSuggestionRequest(Guid? InboxId, Guid? TeamId, DateOnly? FirstDay, List<ShiftTemplateRequest?>? Templates, List<Guid>? AgentIds);

/// <summary>A suggested shift on the workspace's clock; <c>agentId</c> null when no agent could take it.</summary>
public sealed record SuggestedShiftResponse(
    DayOfWeek Weekday, DateOnly Day, TimeOnly StartTime, TimeOnly EndTime, TimeOnly? BreakStart, int BreakMinutes, string Template, Guid? AgentId, string? AgentName);

/// <summary>A half hour of the week with fewer agents on the assigned shifts than the plan wants.</summary>
public sealed record ScheduleGap(DayOfWeek Weekday, DateOnly Day, TimeOnly LocalStart, int Required, int Scheduled);

/// <summary>Agent-intervals are agents × half hours: 3 missing is one agent short for an hour and a half.</summary>
public sealed record ScheduleSuggestionTotals(int Shifts, int Assigned, int Unassigned, int MissingAgentIntervals, int ExcessAgentIntervals);

/// <summary>The suggestion for the week from <c>firstDay</c> (a Monday); without a plan, no shifts and the plan's <c>notice</c>.</summary>
public sealed record ScheduleSuggestionResponse(
    string TimeZone, DateOnly FirstDay, IReadOnlyList<SuggestedShiftResponse> Shifts, ScheduleSuggestionTotals Totals, IReadOnlyList<ScheduleGap> Gaps, string? Notice);

/// <summary>
/// Suggests a week of shifts for the staffing plan (docs/workforce.md, "Schedule suggestion"): the plan's agents on
/// shift for its first seven days, laid on the weekdays of one week, covered greedily with shifts of the templates
/// (<see cref="ScheduleSuggestion"/>), and the shifts given to agents (<see cref="ShiftAssignment"/>). Nothing is saved:
/// the planner reads it, and <see cref="ApplySchedule"/> makes shifts of it.
/// </summary>
public sealed class SuggestSchedule(AppDbContext db, ActingAgent actor, TimeProvider clock, GetStaffingPlan plans)
{
    public const int MaxTemplates = 10;
    public const int MaxAgents = 200;
    public const int MaxTemplateNameLength = 60;

    /// <summary>How far ahead a week may be planned: a year.</summary>
    public const int MaxDaysAhead = 366;

    public async Task<Result<ScheduleSuggestionResponse>> HandleAsync(ScheduleSuggestionRequest request, CancellationToken cancellationToken)
    {
        var timeZone = await db.Workspaces.Where(w => w.Id == actor.WorkspaceId).Select(w => w.TimeZone).FirstAsync(cancellationToken);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(clock.GetUtcNow().UtcDateTime, TimeZoneInfo.FindSystemTimeZoneById(timeZone)));
        var errors = new FieldErrors();
        if (request.FirstDay is { } firstDay && (firstDay < today || firstDay.DayNumber - today.DayNumber > MaxDaysAhead))
        {
            errors.Add("firstDay", $"From today to {MaxDaysAhead} days ahead, or null for the week after today.");
        }

        var templates = Templates(request.Templates, errors);
        var agentIds = request.AgentIds?.Distinct().ToList() ?? [];
        if (agentIds.Count > MaxAgents)
        {
            errors.Add("agentIds", $"At most {MaxAgents} agents.");
        }
        else if (agentIds.Count > 0 && await db.Agents.CountAsync(a => agentIds.Contains(a.Id) && a.IsActive, cancellationToken) != agentIds.Count)
        {
            errors.Add("agentIds", "Active agents of this workspace, or empty for the team's members or everyone.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var planned = await plans.HandleAsync(new StaffingPlanQuery(request.InboxId, request.TeamId, Weeks: 1), withAccuracy: false, cancellationToken);
        if (!planned.Succeeded)
        {
            return planned.Failure!;
        }

        var plan = planned.Value!;
        var from = request.FirstDay ?? plan.FirstDay;
        var monday = from.AddDays(((int)DayOfWeek.Monday - (int)from.DayOfWeek + 7) % 7);
        if (plan.Notice is { } notice)
        {
            return new ScheduleSuggestionResponse(plan.TimeZone, monday, [], new ScheduleSuggestionTotals(0, 0, 0, 0, 0), [], notice);
        }

        var required = new int[PlanningWeek.IntervalsPerWeek];
        // The plan's first seven days hold each weekday once; a half hour the clocks skip needs nobody.
        foreach (var interval in plan.Intervals.Where(i => i.Start is not null).Take(PlanningWeek.IntervalsPerWeek))
        {
            required[PlanningWeek.IntervalOf(interval.Day.DayOfWeek, interval.LocalStart)] = interval.AgentsToSchedule;
        }

        var suggestion = ScheduleSuggestion.Suggest(required, templates);
        var agents = await AgentsAsync(agentIds, request.TeamId, monday, cancellationToken);
        var assigned = ShiftAssignment.Assign(suggestion.Shifts, agents, AssignmentRules.Default);

        var scheduled = new int[PlanningWeek.IntervalsPerWeek];
        foreach (var interval in suggestion.Shifts.Where((_, index) => assigned[index] is not null).SelectMany(s => s.WorkingIntervals))
        {
            scheduled[interval]++;
        }

        var names = agents.ToDictionary(a => a.Id, a => a.Name);
        var shifts = suggestion.Shifts.Select((shift, index) => Response(shift, monday, assigned[index], names))
            .Zip(suggestion.Shifts).OrderBy(pair => ShiftAssignment.StartOf(pair.Second)).Select(pair => pair.First).ToList();
        var gaps = Enumerable.Range(0, PlanningWeek.IntervalsPerWeek).Where(i => scheduled[i] < required[i])
            .Select(i => new ScheduleGap(PlanningWeek.DayOf(i), DayOf(monday, PlanningWeek.DayOf(i)), PlanningWeek.StartOf(i), required[i], scheduled[i]))
            .ToList();
        var assignedCount = assigned.Count(a => a is not null);
        var totals = new ScheduleSuggestionTotals(
            shifts.Count, assignedCount, shifts.Count - assignedCount,
            gaps.Sum(g => g.Required - g.Scheduled), Enumerable.Range(0, PlanningWeek.IntervalsPerWeek).Sum(i => Math.Max(0, scheduled[i] - required[i])));
        return new ScheduleSuggestionResponse(plan.TimeZone, monday, shifts, totals, gaps, Notice: null);
    }

    /// <summary>The templates as the suggestion takes them, or field errors for what is wrong with them.</summary>
    private static List<ShiftTemplate> Templates(List<ShiftTemplateRequest?>? requests, FieldErrors errors)
    {
        if (requests is not { Count: > 0 and <= MaxTemplates })
        {
            errors.Add("templates", $"Required: 1 to {MaxTemplates} shift templates.");
            return [];
        }

        var templates = new List<ShiftTemplate>();
        for (var i = 0; i < requests.Count; i++)
        {
            var field = $"templates[{i}]";
            if (requests[i] is not { } template)
            {
                errors.Add(field, "Required: a shift template.");
                continue;
            }

            var before = errors.Count;
            errors.Required($"{field}.name", template.Name, MaxTemplateNameLength);
            if (template.EarliestStart is not { } earliest || !OnTheHalfHour(earliest.ToTimeSpan()))
            {
                errors.Add($"{field}.earliestStart", "Required: the earliest start, on the half hour (hh:mm:ss).");
            }

            if (template.LatestStart is not { } latest || !OnTheHalfHour(latest.ToTimeSpan()) || latest < template.EarliestStart)
            {
                errors.Add($"{field}.latestStart", "Required: the latest start, on the half hour and at or after the earliest.");
            }

            var longest = (int)Shifts.LongestShift.TotalMinutes;
            if (template.LengthMinutes is not { } length || length is < 30 || length > longest || length % 30 != 0)
            {
                errors.Add($"{field}.lengthMinutes", $"Required: from 30 to {longest} minutes, in half hours, the break included.");
            }
            else if (template.BreakMinutes is { } breakMinutes && (breakMinutes < 0 || breakMinutes > Shift.MaxBreakMinutes || breakMinutes >= length || breakMinutes % 30 != 0))
            {
                errors.Add($"{field}.breakMinutes", $"From 0 to {Shift.MaxBreakMinutes} minutes, in half hours, shorter than the shift.");
            }

            if (template.Weekdays is not { Count: > 0 } weekdays || weekdays.Any(d => !Enum.IsDefined(d)))
            {
                errors.Add($"{field}.weekdays", "Required: the weekdays a shift may start on, by name: Monday … Sunday.");
            }

            if (errors.Count == before)
            {
                templates.Add(new ShiftTemplate(
                    template.Name!.Trim(), template.EarliestStart!.Value, template.LatestStart!.Value, TimeSpan.FromMinutes(template.LengthMinutes!.Value), template.Weekdays!)
                {
                    UnpaidBreak = TimeSpan.FromMinutes(template.BreakMinutes ?? 0),
                });
            }
        }

        return templates;
    }

    /// <summary>The agents given, else the team's active members, else every active agent; by name, with their days away that week.</summary>
    private async Task<List<AssignableAgent>> AgentsAsync(List<Guid> agentIds, Guid? teamId, DateOnly monday, CancellationToken cancellationToken)
    {
        var agents = db.Agents.Where(a => a.IsActive);
        if (agentIds.Count > 0)
        {
            agents = agents.Where(a => agentIds.Contains(a.Id));
        }
        else if (teamId is { } team)
        {
            agents = agents.Where(a => db.TeamMembers.Any(m => m.TeamId == team && m.AgentId == a.Id));
        }

        var people = await agents.Select(a => new { a.Id, a.DisplayName }).ToListAsync(cancellationToken);
        var ids = people.ConvertAll(p => p.Id);
        var sunday = monday.AddDays(6);
        var timeOff = await db.TimeOff.AsNoTracking().Where(t => ids.Contains(t.AgentId) && t.FirstDay <= sunday && t.LastDay >= monday).ToListAsync(cancellationToken);
        var week = Enumerable.Range(0, 7).Select(monday.AddDays).ToList();
        // Ordered by name (then id, for namesakes) so the same input always gives the same assignment, on every database.
        return [.. people.OrderBy(p => p.DisplayName, StringComparer.Ordinal).ThenBy(p => p.Id)
            .Select(p => new AssignableAgent(p.Id, p.DisplayName,
                week.Where(day => timeOff.Any(t => t.AgentId == p.Id && t.Covers(day))).Select(day => day.DayOfWeek).ToHashSet()))];
    }

    private static SuggestedShiftResponse Response(SuggestedShift shift, DateOnly monday, Guid? agentId, Dictionary<Guid, string> names)
    {
        var template = shift.Template;
        var hasBreak = template.UnpaidBreak > TimeSpan.Zero;
        return new SuggestedShiftResponse(
            shift.Day, DayOf(monday, shift.Day), shift.Start, shift.Start.Add(template.Length), hasBreak ? shift.Start.Add(template.BreakOffset) : null,
            (int)template.UnpaidBreak.TotalMinutes, template.Name, agentId, agentId is { } id ? names[id] : null);
    }

    private static DateOnly DayOf(DateOnly monday, DayOfWeek day) => monday.AddDays(PlanningWeek.DayIndex(day));

    private static bool OnTheHalfHour(TimeSpan time) => time.Ticks % PlanningWeek.IntervalLength.Ticks == 0;
}
