using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Workforce;

/// <summary>
/// A shift or a weekly run of shifts, all fields (a PUT replaces them whole). <c>weekdays</c> left empty means the
/// weekday of <c>firstDay</c>; <c>lastDay</c> null keeps the run going; <c>timeZone</c> null is the workspace's.
/// </summary>
public sealed record ShiftRequest(
    Guid? AgentId, DateOnly? FirstDay, DateOnly? LastDay, List<DayOfWeek>? Weekdays, TimeOnly? StartTime, TimeOnly? EndTime,
    TimeOnly? BreakStart, int? BreakMinutes, string? TimeZone);

public sealed record ShiftResponse(
    Guid Id, Guid AgentId, DateOnly FirstDay, DateOnly? LastDay, IReadOnlyList<DayOfWeek> Weekdays, TimeOnly StartTime, TimeOnly EndTime,
    TimeOnly? BreakStart, int BreakMinutes, string TimeZone)
{
    public static ShiftResponse From(Shift s) =>
        new(s.Id, s.AgentId, s.FirstDay, s.LastDay, s.Weekdays, s.StartTime, s.EndTime, s.BreakStart, s.BreakMinutes, s.TimeZone);
}

/// <summary>Whole days away: <c>kind</c> Vacation, Sick, Training or Other; days on the clock of the agent's shifts.</summary>
public sealed record TimeOffRequest(Guid? AgentId, DateOnly? FirstDay, DateOnly? LastDay, TimeOffKind? Kind, string? Note);

public sealed record TimeOffResponse(Guid Id, Guid AgentId, DateOnly FirstDay, DateOnly LastDay, TimeOffKind Kind, string Note)
{
    public static TimeOffResponse From(TimeOff t) => new(t.Id, t.AgentId, t.FirstDay, t.LastDay, t.Kind, t.Note);
}

/// <summary>Agents' shifts and time off: listed, kept and deleted; each change is audited.</summary>
public sealed class Shifts(AppDbContext db, ActingAgent actor)
{
    public static readonly TimeSpan ShortestShift = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan LongestShift = TimeSpan.FromHours(16);

    public async Task<List<ShiftResponse>> ListAsync(Guid? agentId, CancellationToken cancellationToken) =>
        (await db.Shifts.AsNoTracking().Where(s => agentId == null || s.AgentId == agentId)
            .OrderBy(s => s.AgentId).ThenBy(s => s.FirstDay).ThenBy(s => s.Id).ToListAsync(cancellationToken))
            .ConvertAll(ShiftResponse.From);

    public Task<Result<ShiftResponse>> CreateAsync(ShiftRequest request, CancellationToken cancellationToken) =>
        SaveAsync(null, request, cancellationToken);

    public async Task<Result<ShiftResponse>> UpdateAsync(Guid shiftId, ShiftRequest request, CancellationToken cancellationToken) =>
        await db.Shifts.FirstOrDefaultAsync(s => s.Id == shiftId, cancellationToken) is { } shift
            ? await SaveAsync(shift, request, cancellationToken)
            : Failure.NotFound("The shift");

    public async Task<Result<bool>> DeleteAsync(Guid shiftId, CancellationToken cancellationToken)
    {
        if (await db.Shifts.FirstOrDefaultAsync(s => s.Id == shiftId, cancellationToken) is not { } shift)
        {
            return Failure.NotFound("The shift");
        }

        db.Remove(shift);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task<List<TimeOffResponse>> ListTimeOffAsync(Guid? agentId, CancellationToken cancellationToken) =>
        (await db.TimeOff.AsNoTracking().Where(t => agentId == null || t.AgentId == agentId)
            .OrderBy(t => t.FirstDay).ThenBy(t => t.Id).ToListAsync(cancellationToken))
            .ConvertAll(TimeOffResponse.From);

    public async Task<Result<TimeOffResponse>> AddTimeOffAsync(TimeOffRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        await CheckAgentAsync(errors, request.AgentId, "", cancellationToken);
        if (request.FirstDay is null)
        {
            errors.Add("firstDay", "Required: the first day away, as yyyy-mm-dd.");
        }

        if (request.LastDay is null)
        {
            errors.Add("lastDay", "Required: the last day away (inclusive), as yyyy-mm-dd.");
        }
        else if (request.FirstDay is { } first && (request.LastDay < first || request.LastDay.Value.DayNumber - first.DayNumber >= TimeOff.MaxDays))
        {
            errors.Add("lastDay", $"On or after the first day, and at most {TimeOff.MaxDays} days in all.");
        }

        if (request.Kind is not { } kind || !Enum.IsDefined(kind))
        {
            errors.Add("kind", "Required: Vacation, Sick, Training or Other.");
        }

        if (request.Note?.Trim().Length > TimeOff.MaxNoteLength)
        {
            errors.Add("note", $"At most {TimeOff.MaxNoteLength} characters.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var timeOff = TimeOff.Create(actor.WorkspaceId, request.AgentId!.Value, request.FirstDay!.Value, request.LastDay!.Value, request.Kind!.Value, request.Note);
        db.Add(timeOff);
        await db.SaveChangesAsync(cancellationToken);
        return TimeOffResponse.From(timeOff);
    }

    public async Task<Result<bool>> DeleteTimeOffAsync(Guid timeOffId, CancellationToken cancellationToken)
    {
        if (await db.TimeOff.FirstOrDefaultAsync(t => t.Id == timeOffId, cancellationToken) is not { } timeOff)
        {
            return Failure.NotFound("The time off");
        }

        db.Remove(timeOff);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Creates runs of shifts together, all or none (one transaction), each already checked by <see cref="CheckAsync"/>:
    /// a schedule applied at once. Past an agent's limit of shifts, nothing is created (409).
    /// </summary>
    public async Task<Result<List<ShiftResponse>>> CreateCheckedAsync(IReadOnlyList<ShiftRequest> requests, CancellationToken cancellationToken)
    {
        foreach (var agent in requests.GroupBy(r => r.AgentId!.Value))
        {
            if (await db.Shifts.CountAsync(s => s.AgentId == agent.Key, cancellationToken) + agent.Count() > Shift.MaxShiftsPerAgent)
            {
                return TooManyShifts();
            }
        }

        var workspaceZone = await WorkspaceTimeZoneAsync(cancellationToken);
        var created = requests.Select(request =>
        {
            var shift = Shift.Create(actor.WorkspaceId, request.AgentId!.Value);
            db.Add(shift);
            Change(shift, request, workspaceZone);
            return shift;
        }).ToList();
        await db.SaveChangesAsync(cancellationToken);
        return created.ConvertAll(ShiftResponse.From);
    }

    /// <summary>
    /// Adds the field errors of a shift, named under <paramref name="prefix"/> (empty for a request's own fields,
    /// <c>shifts[2].</c> for one of a list).
    /// </summary>
    public async Task CheckAsync(FieldErrors errors, ShiftRequest request, string prefix, CancellationToken cancellationToken)
    {
        await CheckAgentAsync(errors, request.AgentId, prefix, cancellationToken);
        if (request.FirstDay is null)
        {
            errors.Add($"{prefix}firstDay", "Required: the day of the (first) shift, as yyyy-mm-dd.");
        }
        else if (request.LastDay < request.FirstDay)
        {
            errors.Add($"{prefix}lastDay", "On or after the first day, or null for a run that goes on.");
        }

        if (request.Weekdays?.Any(d => !Enum.IsDefined(d)) == true)
        {
            errors.Add($"{prefix}weekdays", "Weekdays by name: Monday … Sunday.");
        }

        var length = TimeSpan.Zero;
        if (request.StartTime is null)
        {
            errors.Add($"{prefix}startTime", "Required: the start, as hh:mm on the shift's clock.");
        }

        if (request.EndTime is null)
        {
            errors.Add($"{prefix}endTime", "Required: the end, as hh:mm (at or before the start: the next day).");
        }
        else if (request.StartTime is { } start)
        {
            length = Wrapped(request.EndTime.Value - start);
            if (length < ShortestShift || length > LongestShift)
            {
                errors.Add($"{prefix}endTime", $"A shift lasts from {ShortestShift.TotalMinutes:0} minutes to {LongestShift.TotalHours:0} hours.");
            }
        }

        if (request.BreakMinutes is < 0 or > Shift.MaxBreakMinutes)
        {
            errors.Add($"{prefix}breakMinutes", $"From 0 to {Shift.MaxBreakMinutes}.");
        }
        else if (request.BreakStart is { } breakStart && request.StartTime is { } shiftStart && length > TimeSpan.Zero
                 && Wrapped(breakStart - shiftStart) + TimeSpan.FromMinutes(request.BreakMinutes ?? 0) > length)
        {
            errors.Add($"{prefix}breakStart", "The break lies within the shift.");
        }

        if (request.TimeZone is { } zone && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            errors.Add($"{prefix}timeZone", "A time zone by its IANA name, such as Europe/Berlin, or null for the workspace's.");
        }
    }

    private async Task<Result<ShiftResponse>> SaveAsync(Shift? shift, ShiftRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        await CheckAsync(errors, request, "", cancellationToken);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var agentId = request.AgentId!.Value;
        if (shift is null)
        {
            if (await db.Shifts.CountAsync(s => s.AgentId == agentId, cancellationToken) >= Shift.MaxShiftsPerAgent)
            {
                return TooManyShifts();
            }

            shift = Shift.Create(actor.WorkspaceId, agentId);
            db.Add(shift);
        }
        else if (shift.AgentId != agentId)
        {
            return Failure.Invalid("agentId", "A shift stays with its agent; delete it and add one for the other agent.");
        }

        Change(shift, request, await WorkspaceTimeZoneAsync(cancellationToken));
        await db.SaveChangesAsync(cancellationToken);
        return ShiftResponse.From(shift);
    }

    private static void Change(Shift shift, ShiftRequest request, string workspaceTimeZone)
    {
        var firstDay = request.FirstDay!.Value;
        shift.Change(firstDay, request.LastDay, request.Weekdays is { Count: > 0 } days ? days : [firstDay.DayOfWeek],
            request.StartTime!.Value, request.EndTime!.Value, request.BreakStart, request.BreakMinutes ?? 0, request.TimeZone ?? workspaceTimeZone);
    }

    private Task<string> WorkspaceTimeZoneAsync(CancellationToken cancellationToken) =>
        db.Workspaces.Where(w => w.Id == actor.WorkspaceId).Select(w => w.TimeZone).FirstAsync(cancellationToken);

    private static Failure TooManyShifts() =>
        Failure.Conflict($"An agent has at most {Shift.MaxShiftsPerAgent} shifts and runs of shifts; end or delete old ones first.");

    private async Task CheckAgentAsync(FieldErrors errors, Guid? agentId, string prefix, CancellationToken cancellationToken)
    {
        if (agentId is not { } id || !await db.Agents.AnyAsync(a => a.Id == id && a.IsActive, cancellationToken))
        {
            errors.Add($"{prefix}agentId", "Required: an active agent of this workspace.");
        }
    }

    // A clock difference on a 24-hour dial: an end at or before the start is on the next day.
    private static TimeSpan Wrapped(TimeSpan difference) => difference <= TimeSpan.Zero ? difference + TimeSpan.FromDays(1) : difference;
}
