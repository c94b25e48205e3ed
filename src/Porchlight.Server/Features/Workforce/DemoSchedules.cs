using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;

namespace Porchlight.Server.Features.Workforce;

/// <summary>
/// The demo's shifts and four weeks of status time to go with them, so the Staffing page has a schedule to lay on the
/// plan and each agent's workload has hours and adherence to show. People are a little late some days, step away now
/// and then and take their breaks a few minutes long; the same every time (a fixed seed).
/// </summary>
public static class DemoSchedules
{
    public const int Days = 28;

    // Per agent in order: weekdays, start, end, break start; every break 30 minutes.
    private static readonly (DayOfWeek[] Days, TimeOnly Start, TimeOnly End, TimeOnly Break)[] Patterns =
    [
        ([DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday], new(9, 0), new(17, 30), new(13, 0)),
        ([DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday], new(8, 0), new(16, 30), new(12, 0)),
        ([DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday], new(10, 0), new(18, 30), new(14, 0)),
        ([DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Sunday], new(12, 0), new(20, 30), new(16, 0)),
    ];

    /// <summary>Adds a weekly run of shifts for each of <paramref name="agents"/> (up to four), and their status periods of the last <see cref="Days"/> days before today.</summary>
    public static void AddTo(AppDbContext db, Guid workspaceId, string timeZone, IReadOnlyList<Guid> agents, DateOnly today)
    {
        var random = new Random(20261207);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        var from = LocalIntervals.StartOfDay(today.AddDays(-Days), zone);
        var to = LocalIntervals.StartOfDay(today, zone);
        foreach (var (agentId, pattern) in agents.Zip(Patterns))
        {
            var shift = Shift.Create(workspaceId, agentId);
            shift.Change(today.AddDays(-Days), null, pattern.Days, pattern.Start, pattern.End, pattern.Break, 30, timeZone);
            db.Add(shift);
            // Each day's shift comes as two stretches, before and after the break.
            var spans = ShiftTimes.Spans(shift, [], from, to).ToList();
            for (var i = 0; i + 1 < spans.Count; i += 2)
            {
                AddDay(db, workspaceId, agentId, spans[i], spans[i + 1], random);
            }
        }
    }

    private static void AddDay(AppDbContext db, Guid workspaceId, Guid agentId, WorkingSpan morning, WorkingSpan afternoon, Random random)
    {
        var start = morning.From.AddMinutes(random.Next(-10, 4) + (random.NextDouble() < 0.15 ? random.Next(10, 25) : 0));
        var breakStart = morning.To.AddMinutes(random.Next(-3, 3));
        var breakEnd = afternoon.From.AddMinutes(random.Next(0, 9));
        var end = afternoon.To.AddMinutes(random.Next(-15, 12));
        Add(db, workspaceId, agentId, PresenceStatus.Online, start, breakStart);
        Add(db, workspaceId, agentId, PresenceStatus.Break, breakStart, breakEnd);
        if (random.NextDouble() < 0.3)
        {
            // Away for a while in the afternoon: a meeting, a word with a colleague.
            var away = breakEnd.AddMinutes(random.Next(60, 150));
            var back = away.AddMinutes(random.Next(10, 30));
            Add(db, workspaceId, agentId, PresenceStatus.Online, breakEnd, away);
            Add(db, workspaceId, agentId, PresenceStatus.Away, away, back);
            breakEnd = back;
        }

        Add(db, workspaceId, agentId, PresenceStatus.Online, breakEnd, end);
    }

    private static void Add(AppDbContext db, Guid workspaceId, Guid agentId, PresenceStatus status, DateTime from, DateTime to)
    {
        var period = AgentStatusPeriod.Begin(workspaceId, agentId, status, from);
        period.End(to);
        db.AgentStatusPeriods.Add(period);
    }
}
