using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Workforce;

/// <summary>Days from <c>from</c> to <c>to</c> (inclusive, at most 31; the last 7 days to today by default) of one agent, one team's agents, or all.</summary>
public sealed record AdherenceQuery(Guid? AgentId, Guid? TeamId, DateOnly? From, DateOnly? To);

/// <summary>One day of an agent, on the clock of their shifts.</summary>
public sealed record AdherenceDay(DateOnly Day, AdherenceFigures Figures);

public sealed record AgentAdherence(Guid AgentId, string DisplayName, string TimeZone, AdherenceFigures Total, IReadOnlyList<AdherenceDay> Days);

public sealed record AdherenceResponse(DateOnly From, DateOnly To, DateTime AsOf, IReadOnlyList<AgentAdherence> Agents);

/// <summary>
/// Each agent's status time against their schedule, per day. An agent's days are those of their shifts' time zone
/// (the latest shift's, else the workspace's), so a remote agent's day is their own; a day is the real time between two
/// local midnights, 23 or 25 hours on the nights the clocks change. Time after now is not yet due, so today counts up to now.
/// </summary>
public sealed class GetAdherence(AppDbContext db, TimeProvider clock)
{
    public const int MaxDays = 31;

    public async Task<Result<AdherenceResponse>> HandleAsync(AdherenceQuery query, CancellationToken cancellationToken)
    {
        var workspaceZone = await db.Workspaces.AsNoTracking().Select(w => w.TimeZone).FirstAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(now, TimeZoneInfo.FindSystemTimeZoneById(workspaceZone)));
        var errors = new FieldErrors();
        // Days from the last two years to a year ahead: history is kept no longer, and later days have nothing to show.
        var (earliestDay, latestDay) = (today.AddYears(-2), today.AddYears(1));
        if (query.From is { } askedFrom && (askedFrom < earliestDay || askedFrom > latestDay))
        {
            errors.Add("from", $"A day from {earliestDay:yyyy-MM-dd} to {latestDay:yyyy-MM-dd}.");
        }

        if (query.To is { } askedTo && (askedTo < earliestDay || askedTo > latestDay))
        {
            errors.Add("to", $"A day from {earliestDay:yyyy-MM-dd} to {latestDay:yyyy-MM-dd}.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var to = query.To ?? today;
        var from = query.From ?? to.AddDays(-6);
        if (from > to)
        {
            errors.Add("from", "On or before to.");
        }
        else if (to.DayNumber - from.DayNumber >= MaxDays)
        {
            errors.Add("to", $"At most {MaxDays} days from the first.");
        }

        if (query.AgentId is { } agentId && !await db.Agents.AnyAsync(a => a.Id == agentId, cancellationToken))
        {
            errors.Add("agentId", "No such agent in this workspace.");
        }

        if (query.TeamId is { } teamId && !await db.Teams.AnyAsync(t => t.Id == teamId, cancellationToken))
        {
            errors.Add("teamId", "No such team in this workspace.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var agents = db.Agents.AsNoTracking().Where(a => query.AgentId == null ? a.IsActive : a.Id == query.AgentId);
        if (query.TeamId is { } team)
        {
            agents = agents.Where(a => db.TeamMembers.Any(m => m.TeamId == team && m.AgentId == a.Id));
        }

        var people = await agents.OrderBy(a => a.DisplayName).Select(a => new { a.Id, a.DisplayName }).ToListAsync(cancellationToken);
        var ids = people.ConvertAll(p => p.Id);
        var shifts = await db.Shifts.AsNoTracking().Where(s => ids.Contains(s.AgentId)).ToListAsync(cancellationToken);
        // A day away may be on the clock of a zone a day ahead or behind the workspace's.
        var timeOff = await db.TimeOff.AsNoTracking()
            .Where(t => ids.Contains(t.AgentId) && t.LastDay >= from.AddDays(-2) && t.FirstDay <= to.AddDays(1)).ToListAsync(cancellationToken);
        // Zones are at most 26 hours apart: a day's margin each side catches every period of the agents' days.
        var earliest = from.AddDays(-2).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var latest = to.AddDays(2).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var periods = await db.AgentStatusPeriods.AsNoTracking()
            .Where(p => ids.Contains(p.AgentId) && p.StartedAt < latest && (p.EndedAt == null || p.EndedAt > earliest))
            .Select(p => new { p.AgentId, p.Status, p.StartedAt, p.EndedAt }).ToListAsync(cancellationToken);

        var result = people.ConvertAll(person =>
        {
            var own = shifts.Where(s => s.AgentId == person.Id).ToList();
            var zoneId = own.OrderByDescending(s => s.FirstDay).ThenByDescending(s => s.Id).Select(s => s.TimeZone).FirstOrDefault() ?? workspaceZone;
            var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
            var away = timeOff.Where(t => t.AgentId == person.Id).ToList();
            var statuses = periods.Where(p => p.AgentId == person.Id)
                .Select(p => new StatusSpan(p.Status, p.StartedAt, p.EndedAt ?? now)).ToList();
            var days = new List<AdherenceDay>();
            for (var day = from; day <= to; day = day.AddDays(1))
            {
                var start = LocalIntervals.StartOfDay(day, zone);
                var end = LocalIntervals.StartOfDay(day.AddDays(1), zone);
                end = end < now ? end : now;
                // From the day before: a shift running over midnight is seen whole, so the day knows it opens mid-shift.
                var scheduled = start < end ? own.SelectMany(s => ShiftTimes.Spans(s, away, start.AddDays(-1), end)).ToList() : [];
                days.Add(new AdherenceDay(day, start < end ? Adherence.Of(scheduled, statuses, start, end) : Adherence.Of([], [], start, start)));
            }

            return new AgentAdherence(person.Id, person.DisplayName, zoneId, AdherenceFigures.Sum([.. days.Select(d => d.Figures)]), days);
        });
        return new AdherenceResponse(from, to, now, result);
    }
}
