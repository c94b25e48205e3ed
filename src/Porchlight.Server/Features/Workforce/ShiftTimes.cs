namespace Porchlight.Server.Features.Workforce;

/// <summary>A stretch of real time an agent works (breaks left out).</summary>
public readonly record struct WorkingSpan(DateTime From, DateTime To);

/// <summary>Turns shifts, which are clock times of a zone, into the real time they cover.</summary>
public static class ShiftTimes
{
    /// <summary>
    /// The working time of <paramref name="shift"/>'s shifts that overlap [<paramref name="fromUtc"/>, <paramref name="toUtc"/>),
    /// without its breaks and without the shifts that start on a day of <paramref name="timeOff"/>. A shift that starts at
    /// a time the clocks skip starts when they land; a time they show twice is its first pass.
    /// </summary>
    public static IEnumerable<WorkingSpan> Spans(Shift shift, IReadOnlyCollection<TimeOff> timeOff, DateTime fromUtc, DateTime toUtc)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(shift.TimeZone);
        // A shift that started the day before may still be running when the window opens.
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(fromUtc, zone)).AddDays(-1);
        var lastDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(toUtc, zone));
        for (; day <= lastDay; day = day.AddDays(1))
        {
            if (!shift.StartsOn(day) || timeOff.Any(t => t.Covers(day)))
            {
                continue;
            }

            var start = At(day, shift.StartTime, zone);
            var end = At(shift.EndTime <= shift.StartTime ? day.AddDays(1) : day, shift.EndTime, zone);
            var pieces = shift.BreakStart is { } breakStart
                ? Split(start, end, At(breakStart >= shift.StartTime ? day : day.AddDays(1), breakStart, zone), TimeSpan.FromMinutes(shift.BreakMinutes))
                : [new WorkingSpan(start, end)];
            foreach (var piece in pieces)
            {
                var from = piece.From < fromUtc ? fromUtc : piece.From;
                var to = piece.To > toUtc ? toUtc : piece.To;
                if (from < to)
                {
                    yield return new WorkingSpan(from, to);
                }
            }
        }
    }

    /// <summary>How much of [<paramref name="from"/>, <paramref name="to"/>) the spans cover, counting overlaps once.</summary>
    public static TimeSpan Covered(IEnumerable<WorkingSpan> spans, DateTime from, DateTime to)
    {
        var covered = TimeSpan.Zero;
        var reached = from;
        foreach (var span in spans.Where(s => s.To > from && s.From < to).OrderBy(s => s.From))
        {
            var start = span.From > reached ? span.From : reached;
            var end = span.To < to ? span.To : to;
            if (end > start)
            {
                covered += end - start;
                reached = end;
            }
        }

        return covered;
    }

    private static DateTime At(DateOnly day, TimeOnly time, TimeZoneInfo zone) =>
        LocalIntervals.InstantOf(day.ToDateTime(time, DateTimeKind.Unspecified), zone);

    private static WorkingSpan[] Split(DateTime start, DateTime end, DateTime breakStart, TimeSpan breakLength) =>
        [new(start, breakStart < start ? start : breakStart), new(breakStart + breakLength > end ? end : breakStart + breakLength, end)];
}
