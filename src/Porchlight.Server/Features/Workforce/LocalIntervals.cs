using Porchlight.Server.Features.Workforce.Planning;

namespace Porchlight.Server.Features.Workforce;

/// <summary>
/// Half hours of a time zone's days, numbered from a first day: day × 48 + the half hour of the local clock. Planning
/// follows the local clock because customers do: a shop that opens at nine opens at nine in summer and winter.
/// On the night the clocks go forward, the skipped half hours have no instant (<see cref="StartOf"/> is null); on the
/// night they go back, the repeated hour's two passes share their local half hours.
/// </summary>
public sealed class LocalIntervals(TimeZoneInfo zone, DateOnly firstDay)
{
    public TimeZoneInfo Zone { get; } = zone;

    public DateOnly FirstDay { get; } = firstDay;

    /// <summary>The number of the local half hour <paramref name="utc"/> falls in (negative before the first day).</summary>
    public int IndexOf(DateTime utc)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(utc, Zone);
        return ((DateOnly.FromDateTime(local).DayNumber - FirstDay.DayNumber) * PlanningWeek.IntervalsPerDay) + (local.Hour * 2) + (local.Minute / 30);
    }

    public DateOnly DayOf(int index) => FirstDay.AddDays(index / PlanningWeek.IntervalsPerDay);

    public static TimeOnly LocalStartOf(int index) => TimeOnly.FromTimeSpan(PlanningWeek.IntervalLength * (index % PlanningWeek.IntervalsPerDay));

    /// <summary>
    /// The instant the local half hour begins; null when the clocks skip it. Of a repeated half hour, its first pass.
    /// </summary>
    public DateTime? StartOf(int index)
    {
        var local = DayOf(index).ToDateTime(LocalStartOf(index), DateTimeKind.Unspecified);
        return Zone.IsInvalidTime(local) ? null : InstantOf(local, Zone);
    }

    /// <summary>
    /// The instant a local clock time of <paramref name="zone"/> shows: of a time the clocks skip, the first moment after
    /// the skip; of a time they show twice, the first pass.
    /// </summary>
    public static DateTime InstantOf(DateTime local, TimeZoneInfo zone)
    {
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }

        // An ambiguous time converts to its standard-time instant, the second pass; the first is at the larger offset.
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
    }

    /// <summary>The instant the local day <paramref name="day"/> begins.</summary>
    public DateTime StartOfDay(DateOnly day) => StartOfDay(day, Zone);

    /// <summary>The instant <paramref name="day"/> begins on the clock of <paramref name="zone"/> (a midnight the clocks skip: when they land).</summary>
    public static DateTime StartOfDay(DateOnly day, TimeZoneInfo zone) => InstantOf(day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified), zone);
}
