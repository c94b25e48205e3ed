using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Workforce;

namespace Porchlight.Server.Tests.Features.Workforce;

/// <summary>Status time against the schedule, on real time: whole days, shifts over midnight and clock changes, two zones.</summary>
public sealed class AdherenceTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    [Theory]
    // Saturday 27 March 2027 22:00 to Sunday 06:00 in Berlin: the clocks skip 02:00, so Sunday's part of the night is 5 hours.
    [InlineData("2027-03-27", 120, 300)]
    // Saturday 24 October 2026: 02:00–03:00 happens twice, so Sunday's part is 7 hours.
    [InlineData("2026-10-24", 120, 420)]
    public void NightShift_OnlineThroughoutAcrossAClockChange_EachLocalDayGetsItsRealMinutesAllInAdherence(string day, double firstDayMinutes, double secondDayMinutes)
    {
        var first = DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture);
        var shift = Shift.Create(Guid.NewGuid(), Guid.NewGuid());
        shift.Change(first, first, [first.DayOfWeek], new TimeOnly(22, 0), new TimeOnly(6, 0), null, 0, "Europe/Berlin");
        var (start, middle, end) = (Midnight(first, Berlin), Midnight(first.AddDays(1), Berlin), Midnight(first.AddDays(2), Berlin));
        var scheduled = ShiftTimes.Spans(shift, [], start, end).ToList();
        // Online from ten to ten until ten past six: twenty minutes more than the shift.
        var shiftStart = scheduled.Min(s => s.From);
        var shiftEnd = scheduled.Max(s => s.To);
        StatusSpan[] online = [new(PresenceStatus.Online, shiftStart.AddMinutes(-10), shiftEnd.AddMinutes(10))];

        var saturday = Adherence.Of(scheduled, online, start, middle);
        var sunday = Adherence.Of(scheduled, online, middle, end);

        Assert.Equal((firstDayMinutes, firstDayMinutes, 10.0, 0.0), (saturday.ScheduledMinutes, saturday.OnlineMinutes, saturday.UnscheduledOnlineMinutes, saturday.LateMinutes));
        Assert.Equal((secondDayMinutes, secondDayMinutes, 10.0, 0.0), (sunday.ScheduledMinutes, sunday.OnlineMinutes, sunday.UnscheduledOnlineMinutes, sunday.OfflineMinutes));
        // Sunday's window opens mid-shift: no start to be late for.
        Assert.Null(sunday.LateMinutes);
        Assert.Equal(1.0, sunday.Adherence);
    }

    [Fact]
    public void WorkingDay_LateAwayOnBreakAndLeftEarly_ScheduledTimeSplitsByWhatTheAgentDid()
    {
        // New York, Monday 7 December 2026, 09:00–17:00 with a 30-minute break at 12:00 (14:00–22:00 UTC).
        var day = new DateOnly(2026, 12, 7);
        var shift = Shift.Create(Guid.NewGuid(), Guid.NewGuid());
        shift.Change(day, day, [day.DayOfWeek], new TimeOnly(9, 0), new TimeOnly(17, 0), new TimeOnly(12, 0), 30, "America/New_York");
        var (from, to) = (Midnight(day, NewYork), Midnight(day.AddDays(1), NewYork));
        var scheduled = ShiftTimes.Spans(shift, [], from, to).ToList();
        var at = (int hour, int minute) => new DateTime(2026, 12, 7, hour, minute, 0, DateTimeKind.Utc);
        StatusSpan[] statuses =
        [
            new(PresenceStatus.Online, at(14, 15), at(16, 0)),  // 15 minutes late
            new(PresenceStatus.Away, at(16, 0), at(17, 0)),     // an hour away
            new(PresenceStatus.Break, at(17, 0), at(17, 45)),   // the 30-minute break, and 15 minutes more of scheduled time
            new(PresenceStatus.Online, at(17, 45), at(21, 30)), // left half an hour early
        ];

        var figures = Adherence.Of(scheduled, statuses, from, to);

        Assert.Equal(450, figures.ScheduledMinutes);
        Assert.Equal(105 + 225, figures.OnlineMinutes);
        Assert.Equal(60, figures.AwayMinutes);
        Assert.Equal(15, figures.BreakMinutes);
        Assert.Equal(15 + 30, figures.OfflineMinutes);
        Assert.Equal(0, figures.UnscheduledOnlineMinutes);
        Assert.Equal(15, figures.LateMinutes);
        Assert.Equal(330.0 / 450, figures.Adherence!.Value, 9);
    }

    [Fact]
    public void StatusPeriods_OverlappingByMistake_CountOnceSoAdherenceNeverPassesAHundredPercent()
    {
        var day = new DateOnly(2026, 12, 8);
        var shift = Shift.Create(Guid.NewGuid(), Guid.NewGuid());
        shift.Change(day, day, [day.DayOfWeek], new TimeOnly(9, 0), new TimeOnly(13, 0), null, 0, "Europe/Berlin");
        var (from, to) = (Midnight(day, Berlin), Midnight(day.AddDays(1), Berlin));
        var scheduled = ShiftTimes.Spans(shift, [], from, to).ToList();
        var nine = scheduled[0].From;
        StatusSpan[] twice = [new(PresenceStatus.Online, nine, nine.AddHours(4)), new(PresenceStatus.Online, nine.AddHours(1), nine.AddHours(3))];

        var figures = Adherence.Of(scheduled, twice, from, to);

        Assert.Equal((240.0, 240.0, 0.0), (figures.ScheduledMinutes, figures.OnlineMinutes, figures.OfflineMinutes));
        Assert.Equal(1.0, figures.Adherence);
    }

    [Fact]
    public void DayWithoutShifts_OnlineAnyway_AllUnscheduledAndNoAdherence()
    {
        var from = Midnight(new DateOnly(2026, 12, 12), Berlin);
        StatusSpan[] online = [new(PresenceStatus.Online, from.AddHours(10), from.AddHours(12)), new(PresenceStatus.Away, from.AddHours(12), from.AddHours(13))];

        var figures = Adherence.Of([], online, from, from.AddDays(1));

        Assert.Equal((0.0, 120.0), (figures.ScheduledMinutes, figures.UnscheduledOnlineMinutes));
        Assert.Null(figures.Adherence);
        Assert.Null(figures.LateMinutes);
    }

    private static DateTime Midnight(DateOnly day, TimeZoneInfo zone) => LocalIntervals.InstantOf(day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified), zone);
}
