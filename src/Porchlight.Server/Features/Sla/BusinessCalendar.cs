using Porchlight.Server.Features.Workspaces;

namespace Porchlight.Server.Features.Sla;

/// <summary>
/// Business time in one time zone: open periods per day of the week (several a day allowed, such as a morning and
/// an afternoon), closed all day on holidays. Answers whether it is open at an instant, how much open time lies
/// between two instants, and when a given amount of open time will have passed, which is what an SLA counted in
/// business hours needs. Instants are UTC; periods and holidays are read in the calendar's zone, so a period of
/// 09:00–17:00 is eight hours long on every day except one that moves the clocks inside it.
/// </summary>
public sealed class BusinessCalendar
{
    // An SLA target further away than this in open time is treated as never reached: a calendar open one hour a
    // year would otherwise be searched for centuries.
    private static readonly TimeSpan LongestSearch = TimeSpan.FromDays(400);

    private readonly TimeZoneInfo _zone;
    private readonly ILookup<DayOfWeek, BusinessDay> _periods;
    private readonly HashSet<DateOnly> _holidays;

    public BusinessCalendar(TimeZoneInfo zone, IEnumerable<BusinessDay> periods, IEnumerable<DateOnly> holidays)
    {
        _zone = zone;
        // In opening order once here, not on every day of every search (a lookup keeps its source's order).
        _periods = periods.OrderBy(p => p.Opens).ToLookup(p => p.Day);
        _holidays = [.. holidays];
    }

    /// <summary>Calendar hours: open all the time.</summary>
    public static BusinessCalendar AlwaysOpen { get; } = new(TimeZoneInfo.Utc, BusinessHours.AlwaysOpen.Days, []);

    /// <summary>The date in the calendar's zone at an instant: the day a report counts what happened then in.</summary>
    public DateOnly DayOf(DateTime utc) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(utc, _zone));

    /// <summary>The instant a day of the calendar's zone begins (its first moment, on a day the clocks change too).</summary>
    public DateTime StartOf(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        // Midnight may not exist where the clocks go forward at midnight; the day then begins at the first valid minute.
        while (_zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }

        return TimeZoneInfo.ConvertTimeToUtc(local, _zone);
    }

    public bool IsOpenAt(DateTime utc) => OpenPeriodsFrom(utc).Take(1).Any(period => period.Opens <= utc);

    /// <summary>The open time between two instants (zero when <paramref name="toUtc"/> is not later).</summary>
    public TimeSpan OpenTimeBetween(DateTime fromUtc, DateTime toUtc)
    {
        var open = TimeSpan.Zero;
        if (toUtc <= fromUtc)
        {
            return open;
        }

        foreach (var (opens, closes) in OpenPeriodsFrom(fromUtc))
        {
            if (opens >= toUtc)
            {
                break;
            }

            open += Min(closes, toUtc) - Max(opens, fromUtc);
        }

        return open;
    }

    /// <summary>
    /// The instant at which <paramref name="openTime"/> of open time will have passed since <paramref name="fromUtc"/>,
    /// or null if the calendar is not open that long within about a year.
    /// </summary>
    public DateTime? AfterOpenTime(DateTime fromUtc, TimeSpan openTime)
    {
        var left = openTime;
        foreach (var (opens, closes) in OpenPeriodsFrom(fromUtc))
        {
            var start = Max(opens, fromUtc);
            if (closes - start >= left)
            {
                return start + left;
            }

            left -= closes - start;
        }

        return null;
    }

    /// <summary>
    /// The open periods that end after <paramref name="fromUtc"/>, in order, as UTC instants. Periods that overlap
    /// are cut so no time is counted twice; periods that touch (open until midnight, and from midnight the next day)
    /// stay two. Ends after about a year of search.
    /// </summary>
    private IEnumerable<(DateTime Opens, DateTime Closes)> OpenPeriodsFrom(DateTime fromUtc)
    {
        var covered = DateTime.MinValue;
        // From the day before in local time: a period of that day may still be open at fromUtc.
        var lastDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(fromUtc + LongestSearch, _zone));
        for (var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(fromUtc, _zone)).AddDays(-1); day <= lastDay; day = day.AddDays(1))
        {
            if (_holidays.Contains(day))
            {
                continue;
            }

            foreach (var period in _periods[day.DayOfWeek])
            {
                var opens = Max(ToUtc(day.ToDateTime(period.Opens)), covered);
                // TimeOnly.MaxValue closes at the end of the day, which is the next day's midnight.
                var closes = period.Closes == TimeOnly.MaxValue ? ToUtc(day.AddDays(1).ToDateTime(TimeOnly.MinValue)) : ToUtc(day.ToDateTime(period.Closes));
                if (closes <= fromUtc || closes <= opens)
                {
                    continue;
                }

                covered = closes;
                yield return (opens, closes);
            }
        }
    }

    /// <summary>
    /// A local time of the calendar's zone as UTC. A time the clocks skip (02:30 when they go from 02:00 to 03:00) is
    /// the moment they skip to; a time they pass twice is its first pass.
    /// </summary>
    private DateTime ToUtc(DateTime local)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        while (_zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }

        if (_zone.IsAmbiguousTime(local))
        {
            // The larger offset (summer time) is the first pass.
            var firstPass = _zone.GetAmbiguousTimeOffsets(local).Max();
            return DateTime.SpecifyKind(local - firstPass, DateTimeKind.Utc);
        }

        return TimeZoneInfo.ConvertTimeToUtc(local, _zone);
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;
}
