using Porchlight.Server.Features.Agents;

namespace Porchlight.Server.Features.Workforce;

/// <summary>A stretch of real time an agent spent connected with one status.</summary>
public readonly record struct StatusSpan(PresenceStatus Status, DateTime From, DateTime To);

/// <summary>
/// How an agent's time in a window matched their schedule, in minutes. Scheduled time is split by what the agent was
/// doing then: Online (in adherence), Away, on Break, or not connected; Online time outside the schedule is shown apart.
/// </summary>
/// <param name="LateMinutes">How long after the first scheduled start the agent first went Online in a scheduled stretch; 0 when on time, null when nothing was scheduled or they never did.</param>
public sealed record AdherenceFigures(
    double ScheduledMinutes,
    double OnlineMinutes,
    double AwayMinutes,
    double BreakMinutes,
    double OfflineMinutes,
    double UnscheduledOnlineMinutes,
    double? LateMinutes)
{
    /// <summary>Scheduled time spent Online, as a share of scheduled time; null when nothing was scheduled.</summary>
    public double? Adherence => ScheduledMinutes > 0 ? OnlineMinutes / ScheduledMinutes : null;

    public static AdherenceFigures Sum(IReadOnlyCollection<AdherenceFigures> days) => new(
        days.Sum(d => d.ScheduledMinutes), days.Sum(d => d.OnlineMinutes), days.Sum(d => d.AwayMinutes), days.Sum(d => d.BreakMinutes),
        days.Sum(d => d.OfflineMinutes), days.Sum(d => d.UnscheduledOnlineMinutes), LateMinutes: null);
}

/// <summary>
/// Adherence arithmetic on real time (UTC instants), so time zones and clock changes are settled before: the schedule
/// comes from <see cref="ShiftTimes"/>, the status time from the agent's status periods.
/// </summary>
public static class Adherence
{
    /// <summary>The figures for [<paramref name="from"/>, <paramref name="to"/>); overlapping scheduled spans count once.</summary>
    public static AdherenceFigures Of(IReadOnlyCollection<WorkingSpan> scheduled, IReadOnlyCollection<StatusSpan> statuses, DateTime from, DateTime to)
    {
        var scheduledTime = ShiftTimes.Covered(scheduled, from, to);
        var inSchedule = new Dictionary<PresenceStatus, TimeSpan>();
        var unscheduledOnline = TimeSpan.Zero;
        foreach (var status in Clipped(statuses, from, to))
        {
            var covered = ShiftTimes.Covered(scheduled, status.From, status.To);
            inSchedule[status.Status] = inSchedule.GetValueOrDefault(status.Status) + covered;
            if (status.Status == PresenceStatus.Online)
            {
                unscheduledOnline += status.To - status.From - covered;
            }
        }

        var online = inSchedule.GetValueOrDefault(PresenceStatus.Online);
        var away = inSchedule.GetValueOrDefault(PresenceStatus.Away);
        var onBreak = inSchedule.GetValueOrDefault(PresenceStatus.Break);
        return new AdherenceFigures(
            scheduledTime.TotalMinutes, online.TotalMinutes, away.TotalMinutes, onBreak.TotalMinutes,
            (scheduledTime - online - away - onBreak).TotalMinutes, unscheduledOnline.TotalMinutes, Lateness(scheduled, statuses, from, to));
    }

    /// <summary>
    /// The statuses cut to the window and to each other: two periods of one agent should never overlap, but if a node
    /// lost its way they might, and time counted twice would make adherence exceed 100%.
    /// </summary>
    private static IEnumerable<StatusSpan> Clipped(IEnumerable<StatusSpan> statuses, DateTime from, DateTime to)
    {
        var reached = from;
        foreach (var status in statuses.Where(s => s.To > from && s.From < to).OrderBy(s => s.From))
        {
            var start = status.From > reached ? status.From : reached;
            var end = status.To < to ? status.To : to;
            if (end > start)
            {
                yield return status with { From = start, To = end };
                reached = end;
            }
        }
    }

    private static double? Lateness(IReadOnlyCollection<WorkingSpan> scheduled, IReadOnlyCollection<StatusSpan> statuses, DateTime from, DateTime to)
    {
        var inWindow = scheduled.Where(s => s.To > from && s.From < to).OrderBy(s => s.From).ToList();
        if (inWindow is not [var first, ..] || first.From < from)
        {
            // Nothing scheduled, or the window opens in the middle of a shift: there is no start to be late for.
            return null;
        }

        var online = Clipped(statuses, from, to).Where(s => s.Status == PresenceStatus.Online && s.To > first.From)
            .Select(s => s.From > first.From ? s.From : first.From)
            .Where(start => ShiftTimes.Covered(scheduled, start, start.AddMinutes(1)) > TimeSpan.Zero || start == first.From)
            .Order().FirstOrDefault();
        return online == default ? null : (online - first.From).TotalMinutes;
    }
}
