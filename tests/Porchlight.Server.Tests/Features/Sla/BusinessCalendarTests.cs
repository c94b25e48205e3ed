using Porchlight.Server.Features.Sla;
using Porchlight.Server.Features.Workspaces;

namespace Porchlight.Server.Tests.Features.Sla;

public sealed class BusinessCalendarTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    // 2026-03-02 is a Monday.
    private static DateTime Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, DateTimeKind.Utc);

    private static BusinessCalendar NineToFive(TimeZoneInfo zone, params DateOnly[] holidays) =>
        new(zone, BusinessHours.WeekdaysNineToFive.Days, holidays);

    [Theory]
    [InlineData(8, 59, false)]
    [InlineData(9, 0, true)]
    [InlineData(16, 59, true)]
    [InlineData(17, 0, false)]
    public void IsOpenAt_WeekdayInUtc_OpenFromOpeningUntilClosing(int hour, int minute, bool open)
    {
        Assert.Equal(open, NineToFive(TimeZoneInfo.Utc).IsOpenAt(Utc(3, 2, hour, minute)));
    }

    [Fact]
    public void IsOpenAt_Saturday_Closed()
    {
        Assert.False(NineToFive(TimeZoneInfo.Utc).IsOpenAt(Utc(3, 7, 12)));
    }

    [Fact]
    public void IsOpenAt_BerlinInWinterAndSummer_OpeningFollowsTheLocalClock()
    {
        var calendar = NineToFive(Berlin);

        Assert.True(calendar.IsOpenAt(Utc(3, 2, 8)));   // 09:00 CET
        Assert.False(calendar.IsOpenAt(Utc(3, 2, 7, 59)));
        Assert.True(calendar.IsOpenAt(Utc(6, 1, 7)));   // 09:00 CEST
        Assert.False(calendar.IsOpenAt(Utc(6, 1, 15))); // 17:00 CEST
    }

    [Fact]
    public void OpenTimeBetween_TwoPeriodsADay_CountsBothAndNotTheBreak()
    {
        var calendar = new BusinessCalendar(TimeZoneInfo.Utc,
            [new BusinessDay(DayOfWeek.Monday, new TimeOnly(8, 0), new TimeOnly(12, 0)), new BusinessDay(DayOfWeek.Monday, new TimeOnly(13, 0), new TimeOnly(17, 30))], []);

        Assert.Equal(TimeSpan.FromHours(8.5), calendar.OpenTimeBetween(Utc(3, 2, 0), Utc(3, 3, 0)));
        Assert.Equal(TimeSpan.FromHours(1.5), calendar.OpenTimeBetween(Utc(3, 2, 11), Utc(3, 2, 13, 30)));
        Assert.False(calendar.IsOpenAt(Utc(3, 2, 12, 30)));
    }

    [Fact]
    public void OpenTimeBetween_AWeekWithAHoliday_CountsFourDays()
    {
        var calendar = NineToFive(Berlin, new DateOnly(2026, 3, 4));

        Assert.Equal(TimeSpan.FromHours(32), calendar.OpenTimeBetween(Utc(3, 1, 0), Utc(3, 8, 0)));
        Assert.False(calendar.IsOpenAt(Utc(3, 4, 10)));
    }

    [Fact]
    public void OpenTimeBetween_EndBeforeStart_Zero()
    {
        Assert.Equal(TimeSpan.Zero, NineToFive(TimeZoneInfo.Utc).OpenTimeBetween(Utc(3, 2, 12), Utc(3, 2, 10)));
    }

    [Theory]
    [InlineData(3, 29, 23)] // Berlin moves its clocks forward: the day has 23 hours
    [InlineData(10, 25, 25)] // and back: 25 hours
    [InlineData(3, 2, 24)]
    public void OpenTimeBetween_OpenAllDayOnADaylightSavingChange_CountsTheHoursTheDayHas(int month, int day, int hours)
    {
        var calendar = new BusinessCalendar(Berlin, BusinessHours.AlwaysOpen.Days, []);
        var midnight = TimeZoneInfo.ConvertTimeToUtc(new DateTime(2026, month, day), Berlin);
        var nextMidnight = TimeZoneInfo.ConvertTimeToUtc(new DateTime(2026, month, day).AddDays(1), Berlin);

        Assert.Equal(TimeSpan.FromHours(hours), calendar.OpenTimeBetween(midnight, nextMidnight));
    }

    [Fact]
    public void OpenTimeBetween_PeriodOverTheSkippedHour_IsAnHourShorter()
    {
        // 01:00–05:00 local on the night the clocks go from 02:00 to 03:00.
        var calendar = new BusinessCalendar(Berlin, [new BusinessDay(DayOfWeek.Sunday, new TimeOnly(1, 0), new TimeOnly(5, 0))], []);

        Assert.Equal(TimeSpan.FromHours(3), calendar.OpenTimeBetween(Utc(3, 28, 0), Utc(3, 30, 0)));
    }

    [Fact]
    public void AfterOpenTime_FridayAfternoon_ContinuesOnMonday()
    {
        // Friday 2026-03-06 16:00 UTC plus two business hours: one on Friday, one on Monday.
        Assert.Equal(Utc(3, 9, 10), NineToFive(TimeZoneInfo.Utc).AfterOpenTime(Utc(3, 6, 16), TimeSpan.FromHours(2)));
    }

    [Fact]
    public void AfterOpenTime_StartedWhileClosed_CountsFromOpening()
    {
        Assert.Equal(Utc(3, 2, 9, 30), NineToFive(TimeZoneInfo.Utc).AfterOpenTime(Utc(3, 2, 3), TimeSpan.FromMinutes(30)));
    }

    [Fact]
    public void AfterOpenTime_CalendarHours_IsPlainAddition()
    {
        Assert.Equal(Utc(3, 3, 5), BusinessCalendar.AlwaysOpen.AfterOpenTime(Utc(3, 2, 23), TimeSpan.FromHours(6)));
        Assert.Equal(TimeSpan.FromHours(30), BusinessCalendar.AlwaysOpen.OpenTimeBetween(Utc(3, 2, 0), Utc(3, 3, 6)));
    }

    [Fact]
    public void AfterOpenTime_NeverOpen_Null()
    {
        var closed = new BusinessCalendar(TimeZoneInfo.Utc, [], []);

        Assert.Null(closed.AfterOpenTime(Utc(3, 2, 9), TimeSpan.FromMinutes(1)));
        Assert.False(closed.IsOpenAt(Utc(3, 2, 9)));
    }
}
