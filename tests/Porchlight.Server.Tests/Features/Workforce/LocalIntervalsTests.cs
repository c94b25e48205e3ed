using Porchlight.Server.Features.Workforce;

namespace Porchlight.Server.Tests.Features.Workforce;

/// <summary>Half hours of the local clock across the nights the clocks change, in Berlin (UTC+1, UTC+2 in summer).</summary>
public sealed class LocalIntervalsTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    [Fact]
    public void ClocksGoForward_SkippedHalfHoursHaveNoInstantAndTheDayStillHas48()
    {
        // 28 March 2027: at 02:00 local the clocks jump to 03:00.
        var day = new DateOnly(2027, 3, 28);
        var intervals = new LocalIntervals(Berlin, day);

        Assert.Equal(new DateTime(2027, 3, 28, 0, 30, 0, DateTimeKind.Utc), intervals.StartOf(3)); // 01:30 CET
        Assert.Null(intervals.StartOf(4)); // 02:00 does not happen
        Assert.Null(intervals.StartOf(5)); // nor 02:30
        Assert.Equal(new DateTime(2027, 3, 28, 1, 0, 0, DateTimeKind.Utc), intervals.StartOf(6)); // 03:00 CEST
        Assert.Equal(6, intervals.IndexOf(new DateTime(2027, 3, 28, 1, 0, 0, DateTimeKind.Utc)));
        Assert.Equal(48 + 18, intervals.IndexOf(new DateTime(2027, 3, 29, 7, 10, 0, DateTimeKind.Utc))); // 09:10 CEST the next day
        Assert.Equal(new DateTime(2027, 3, 27, 23, 0, 0, DateTimeKind.Utc), intervals.StartOfDay(day));
    }

    [Fact]
    public void ClocksGoBack_RepeatedHourSharesItsHalfHoursAndStartsAtItsFirstPass()
    {
        // 25 October 2026: at 03:00 local (CEST) the clocks go back to 02:00 (CET); 02:00–03:00 happens twice.
        var day = new DateOnly(2026, 10, 25);
        var intervals = new LocalIntervals(Berlin, day);

        Assert.Equal(4, intervals.IndexOf(new DateTime(2026, 10, 25, 0, 10, 0, DateTimeKind.Utc))); // 02:10 CEST
        Assert.Equal(4, intervals.IndexOf(new DateTime(2026, 10, 25, 1, 10, 0, DateTimeKind.Utc))); // 02:10 CET, an hour later
        Assert.Equal(new DateTime(2026, 10, 25, 0, 0, 0, DateTimeKind.Utc), intervals.StartOf(4));
        Assert.Equal(new DateTime(2026, 10, 25, 2, 0, 0, DateTimeKind.Utc), intervals.StartOf(6)); // 03:00 CET
        Assert.Equal(new DateTime(2026, 10, 26, 8, 0, 0, DateTimeKind.Utc), intervals.StartOf(48 + 18)); // 09:00 CET the next day
        Assert.Equal(new DateOnly(2026, 10, 26), intervals.DayOf(48 + 18));
        Assert.Equal(new TimeOnly(9, 0), LocalIntervals.LocalStartOf(48 + 18));
    }
}
