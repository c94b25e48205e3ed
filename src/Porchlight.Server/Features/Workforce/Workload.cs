using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Routing;

namespace Porchlight.Server.Features.Workforce;

/// <summary>An agent's hold of a conversation, from being given it to letting it go (resolved, snoozed, passed on); an open one runs to now.</summary>
public sealed record HeldConversation(Guid ConversationId, RoutingChannel Channel, DateTime From, DateTime To, bool StillHeld);

/// <summary>One hour of real time: the conversations the agent held in it on average and at most, and the minutes at a cap.</summary>
public sealed record WorkloadHour(DateTime Start, DateOnly Day, TimeOnly LocalStart, double AverageActive, int PeakActive, double MinutesAtCap);

/// <summary>One local day: status hours and the conversations taken.</summary>
public sealed record WorkloadDay(DateOnly Day, double OnlineHours, double AwayHours, double BreakHours, int ConversationsTaken)
{
    public double ConnectedHours => OnlineHours + AwayHours + BreakHours;
}

/// <summary>
/// An agent's workload over a window. <c>ConversationsTaken</c> are the holds begun in it; a hold is "long" when it
/// lasted longer than the threshold given (the workspace's usual slowest); <c>LongestDifficultRun</c> is the most
/// conversations in a row, by when the agent took them, whose customer's tone was negative.
/// </summary>
public sealed record WorkloadFigures(
    IReadOnlyList<WorkloadHour> Hours,
    IReadOnlyList<WorkloadDay> Days,
    int ConversationsTaken,
    double? ConversationsPerOnlineHour,
    double MinutesAtCap,
    double LongestMinutesAtCap,
    int LongHolds,
    int NegativeToneConversations,
    int LongestDifficultRun);

/// <summary>
/// Workload arithmetic on real time: holds are swept as a step function of active conversations per channel, cut at
/// every hour, so each hour's average is exact (time-weighted) and "at cap" means any channel at its cap.
/// </summary>
public static class Workload
{
    public static WorkloadFigures Of(
        IReadOnlyCollection<HeldConversation> holds,
        IReadOnlyDictionary<RoutingChannel, int> caps,
        IReadOnlyCollection<StatusSpan> statuses,
        IReadOnlySet<Guid> negativeTone,
        TimeSpan? longHold,
        TimeZoneInfo zone,
        DateTime from,
        DateTime to)
    {
        var hours = new List<WorkloadHour>();
        var (atCap, longestAtCap, stretch) = (TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
        for (var start = from; start < to; start = start.AddHours(1))
        {
            var end = start.AddHours(1) < to ? start.AddHours(1) : to;
            var (weighted, peak, hourAtCap) = (0.0, 0, TimeSpan.Zero);
            var cuts = holds.SelectMany(h => new[] { h.From, h.To }).Where(t => t > start && t < end).Append(start).Append(end).Distinct().Order().ToList();
            for (var i = 0; i < cuts.Count - 1; i++)
            {
                var (segmentStart, length) = (cuts[i], cuts[i + 1] - cuts[i]);
                var active = holds.Where(h => h.From <= segmentStart && h.To > segmentStart).GroupBy(h => h.Channel).ToDictionary(g => g.Key, g => g.Count());
                var total = active.Values.Sum();
                weighted += total * length.TotalHours / (end - start).TotalHours;
                peak = Math.Max(peak, total);
                if (active.Any(a => caps.GetValueOrDefault(a.Key) is > 0 and var cap && a.Value >= cap))
                {
                    hourAtCap += length;
                    stretch += length;
                    longestAtCap = stretch > longestAtCap ? stretch : longestAtCap;
                }
                else
                {
                    stretch = TimeSpan.Zero;
                }
            }

            atCap += hourAtCap;
            var local = TimeZoneInfo.ConvertTimeFromUtc(start, zone);
            hours.Add(new WorkloadHour(start, DateOnly.FromDateTime(local), TimeOnly.FromDateTime(local), weighted, peak, hourAtCap.TotalMinutes));
        }

        var taken = holds.Where(h => h.From >= from && h.From < to).OrderBy(h => h.From).ToList();
        var online = Hours(statuses, PresenceStatus.Online, from, to);
        var days = hours.GroupBy(h => h.Day).Select(day =>
        {
            var (dayStart, dayEnd) = (day.First().Start, day.Last().Start.AddHours(1) < to ? day.Last().Start.AddHours(1) : to);
            return new WorkloadDay(
                day.Key, Hours(statuses, PresenceStatus.Online, dayStart, dayEnd), Hours(statuses, PresenceStatus.Away, dayStart, dayEnd),
                Hours(statuses, PresenceStatus.Break, dayStart, dayEnd), taken.Count(h => h.From >= dayStart && h.From < dayEnd));
        }).ToList();
        return new WorkloadFigures(
            hours,
            days,
            taken.Count,
            online > 0 ? taken.Count / online : null,
            atCap.TotalMinutes,
            longestAtCap.TotalMinutes,
            longHold is { } threshold ? holds.Count(h => !h.StillHeld && h.To >= from && h.To < to && h.To - h.From > threshold) : 0,
            taken.Select(h => h.ConversationId).Distinct().Count(negativeTone.Contains),
            LongestRun(taken.Select(h => negativeTone.Contains(h.ConversationId))));
    }

    /// <summary>Hours of <paramref name="status"/> within [<paramref name="from"/>, <paramref name="to"/>).</summary>
    private static double Hours(IEnumerable<StatusSpan> statuses, PresenceStatus status, DateTime from, DateTime to) =>
        statuses.Where(s => s.Status == status && s.To > from && s.From < to)
            .Sum(s => ((s.To < to ? s.To : to) - (s.From > from ? s.From : from)).TotalHours);

    private static int LongestRun(IEnumerable<bool> flags)
    {
        var (longest, run) = (0, 0);
        foreach (var flag in flags)
        {
            run = flag ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        return longest;
    }
}
