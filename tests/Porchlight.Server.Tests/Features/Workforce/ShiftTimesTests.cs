using Porchlight.Server.Features.Workforce;

namespace Porchlight.Server.Tests.Features.Workforce;

/// <summary>Shifts are clock times of a zone: the real time they cover, over midnight, breaks, time off and clock changes.</summary>
public sealed class ShiftTimesTests
{
    private static readonly DateTime Far = new(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Past = new(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Theory]
    // 27 March 2027 (Saturday) 22:00 to Sunday 06:00 in Berlin: the clocks skip 02:00–03:00, so the night lasts 7 hours.
    [InlineData("2027-03-27", 7)]
    // 24 October 2026 (Saturday) 22:00 to Sunday 06:00: 02:00–03:00 happens twice, so the night lasts 9 hours.
    [InlineData("2026-10-24", 9)]
    // An ordinary night: 8 hours.
    [InlineData("2026-12-05", 8)]
    public void NightShift_AcrossAClockChange_LastsTheClockHoursAsTheyReallyPass(string day, double hours)
    {
        var first = DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture);
        var shift = Night("Europe/Berlin", first);

        var span = Assert.Single(ShiftTimes.Spans(shift, [], Past, Far));

        Assert.Equal(hours, (span.To - span.From).TotalHours);
        Assert.Equal(new TimeOnly(22, 0), TimeOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(span.From, Berlin)));
        Assert.Equal(new TimeOnly(6, 0), TimeOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(span.To, Berlin)));
    }

    [Fact]
    public void WeekdayRun_WithBreakAndTimeOff_WorksItsDaysLessTheBreakAndTheDaysAway()
    {
        // Weekdays 09:00–17:30 in New York with a 30-minute break at 12:30, for two weeks; the Wednesday of the second week away.
        var shift = Shift.Create(Guid.NewGuid(), Guid.NewGuid());
        shift.Change(new DateOnly(2026, 12, 7), new DateOnly(2026, 12, 18),
            [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday],
            new TimeOnly(9, 0), new TimeOnly(17, 30), new TimeOnly(12, 30), 30, "America/New_York");
        var away = TimeOff.Create(shift.WorkspaceId, shift.AgentId, new DateOnly(2026, 12, 16), new DateOnly(2026, 12, 16), TimeOffKind.Sick, null);

        var spans = ShiftTimes.Spans(shift, [away], Past, Far).ToList();

        Assert.Equal(9 * 2, spans.Count);
        Assert.Equal(9 * 8, spans.Sum(s => (s.To - s.From).TotalHours));
        // 09:00 in New York in December is 14:00 UTC, 15:00 in Berlin.
        Assert.Equal(new DateTime(2026, 12, 7, 14, 0, 0, DateTimeKind.Utc), spans[0].From);
        Assert.Equal(new DateTime(2026, 12, 7, 17, 30, 0, DateTimeKind.Utc), spans[0].To);
        Assert.Equal(new DateTime(2026, 12, 7, 18, 0, 0, DateTimeKind.Utc), spans[1].From);
        Assert.DoesNotContain(spans, s => s.From.Date == new DateTime(2026, 12, 16));
        Assert.DoesNotContain(spans, s => s.From.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday);
    }

    [Fact]
    public void Covered_OverlappingShiftsOfOneAgentAndAWindow_CountsEachMinuteOnceAndOnlyInside()
    {
        var at = new DateTime(2026, 12, 7, 9, 0, 0, DateTimeKind.Utc);
        WorkingSpan[] spans = [new(at, at.AddHours(2)), new(at.AddHours(1), at.AddHours(3)), new(at.AddHours(5), at.AddHours(6))];

        Assert.Equal(TimeSpan.FromMinutes(30), ShiftTimes.Covered(spans, at.AddHours(1), at.AddHours(1.5)));
        Assert.Equal(TimeSpan.FromHours(3.5), ShiftTimes.Covered(spans, at.AddHours(-1), at.AddHours(5.5)));
        Assert.Equal(TimeSpan.Zero, ShiftTimes.Covered(spans, at.AddHours(3), at.AddHours(5)));
    }

    [Fact]
    public void Spans_Window_ClipsAShiftThatStartedTheDayBefore()
    {
        var shift = Night("Europe/Berlin", new DateOnly(2026, 12, 5));
        // Sunday 6 December from 00:00 Berlin (23:00 UTC on Saturday): the Saturday night shift's last six hours.
        var from = new DateTime(2026, 12, 5, 23, 0, 0, DateTimeKind.Utc);

        var span = Assert.Single(ShiftTimes.Spans(shift, [], from, from.AddDays(1)));

        Assert.Equal((from, from.AddHours(6)), (span.From, span.To));
    }

    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static Shift Night(string zone, DateOnly day)
    {
        var shift = Shift.Create(Guid.NewGuid(), Guid.NewGuid());
        shift.Change(day, day, [day.DayOfWeek], new TimeOnly(22, 0), new TimeOnly(6, 0), null, 0, zone);
        return shift;
    }
}
