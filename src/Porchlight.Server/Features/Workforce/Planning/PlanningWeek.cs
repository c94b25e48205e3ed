namespace Porchlight.Server.Features.Workforce.Planning;

/// <summary>
/// The grid every planning calculation works on: 30-minute intervals, 48 a day, 336 a week. A week of intervals
/// starts on Monday 00:00 in the workspace's local time, so interval 0 is Monday 00:00–00:30 and interval 335 is
/// Sunday 23:30–24:00. Turning instants and time zones into interval numbers is the caller's job.
/// </summary>
public static class PlanningWeek
{
    /// <summary>Length of one planning interval.</summary>
    public static readonly TimeSpan IntervalLength = TimeSpan.FromMinutes(30);

    /// <summary>Intervals in one day (48).</summary>
    public const int IntervalsPerDay = 48;

    /// <summary>Intervals in one week (336).</summary>
    public const int IntervalsPerWeek = 7 * IntervalsPerDay;

    /// <summary>The week interval that starts at <paramref name="time"/> (rounded down to the interval) on <paramref name="day"/>.</summary>
    public static int IntervalOf(DayOfWeek day, TimeOnly time) =>
        DayIndex(day) * IntervalsPerDay + (int)(time.ToTimeSpan().Ticks / IntervalLength.Ticks);

    /// <summary>The day a week interval falls on.</summary>
    public static DayOfWeek DayOf(int interval) => (DayOfWeek)((Wrap(interval) / IntervalsPerDay + 1) % 7);

    /// <summary>The local time a week interval starts at.</summary>
    public static TimeOnly StartOf(int interval) =>
        TimeOnly.FromTimeSpan(IntervalLength * (Wrap(interval) % IntervalsPerDay));

    /// <summary>Monday is 0 and Sunday 6, whereas <see cref="DayOfWeek"/> counts from Sunday.</summary>
    internal static int DayIndex(DayOfWeek day) => ((int)day + 6) % 7;

    internal static int Wrap(int interval) => ((interval % IntervalsPerWeek) + IntervalsPerWeek) % IntervalsPerWeek;
}
