namespace Porchlight.Server.Features.Workforce.Planning;

/// <summary>
/// A kind of shift the schedule suggestion may use: a length, the start times allowed (every
/// <see cref="StartEvery"/> from <paramref name="EarliestStart"/> to <paramref name="LatestStart"/>), the weekdays
/// it may start on and an optional unpaid break placed around the middle. All times fall on 30-minute boundaries.
/// A shift that runs past midnight, or past Sunday into Monday, simply continues there.
/// </summary>
/// <param name="Name">Shown beside the shifts made from it.</param>
/// <param name="EarliestStart">First allowed start time (local).</param>
/// <param name="LatestStart">Last allowed start time (local), at or after <paramref name="EarliestStart"/>.</param>
/// <param name="Length">From start to end, break included; 30 minutes to 16 hours.</param>
/// <param name="Days">Weekdays a shift may start on.</param>
public sealed record ShiftTemplate(string Name, TimeOnly EarliestStart, TimeOnly LatestStart, TimeSpan Length, IReadOnlyCollection<DayOfWeek> Days)
{
    private static readonly TimeSpan LongestShift = TimeSpan.FromHours(16);

    /// <summary>Unpaid break within the shift, none unless set. It starts at the middle of the shift (the
    /// remainder after the break split in two, rounded down to the interval).</summary>
    public TimeSpan UnpaidBreak { get; init; } = TimeSpan.Zero;

    /// <summary>Step between allowed start times; 30 minutes unless set.</summary>
    public TimeSpan StartEvery { get; init; } = PlanningWeek.IntervalLength;

    /// <summary>The allowed start times, earliest first.</summary>
    public IEnumerable<TimeOnly> StartTimes()
    {
        for (var start = EarliestStart.ToTimeSpan(); start <= LatestStart.ToTimeSpan(); start += StartEvery)
        {
            yield return TimeOnly.FromTimeSpan(start);
        }
    }

    /// <summary>How long after the shift's start the break begins: the time outside it split in two, rounded down to the interval.</summary>
    public TimeSpan BreakOffset => PlanningWeek.IntervalLength * ((Intervals(Length) - Intervals(UnpaidBreak)) / 2);

    /// <summary>The time worked, the break left out.</summary>
    public TimeSpan WorkingTime => Length - UnpaidBreak;

    /// <summary>Offsets from the shift's start, in intervals, during which the agent is working (the break left out).</summary>
    internal int[] WorkingOffsets()
    {
        var breakStart = Intervals(BreakOffset);
        var breakLength = Intervals(UnpaidBreak);
        return [.. Enumerable.Range(0, Intervals(Length)).Where(offset => offset < breakStart || offset >= breakStart + breakLength)];
    }

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Name, nameof(Name));
        ArgumentNullException.ThrowIfNull(Days, nameof(Days));
        if (Days.Count == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Days), "A shift template needs at least one weekday.");
        }
        OnBoundary(EarliestStart.ToTimeSpan(), nameof(EarliestStart));
        OnBoundary(LatestStart.ToTimeSpan(), nameof(LatestStart));
        OnBoundary(Length, nameof(Length));
        OnBoundary(UnpaidBreak, nameof(UnpaidBreak));
        OnBoundary(StartEvery, nameof(StartEvery));
        ArgumentOutOfRangeException.ThrowIfLessThan(LatestStart, EarliestStart, nameof(LatestStart));
        ArgumentOutOfRangeException.ThrowIfLessThan(Length, PlanningWeek.IntervalLength, nameof(Length));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Length, LongestShift, nameof(Length));
        ArgumentOutOfRangeException.ThrowIfLessThan(UnpaidBreak, TimeSpan.Zero, nameof(UnpaidBreak));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(UnpaidBreak, Length, nameof(UnpaidBreak));
        ArgumentOutOfRangeException.ThrowIfLessThan(StartEvery, PlanningWeek.IntervalLength, nameof(StartEvery));
    }

    private static int Intervals(TimeSpan span) => (int)(span.Ticks / PlanningWeek.IntervalLength.Ticks);

    private static void OnBoundary(TimeSpan value, string name)
    {
        if (value.Ticks % PlanningWeek.IntervalLength.Ticks != 0)
        {
            throw new ArgumentOutOfRangeException(name, value, "Shift times fall on 30-minute boundaries.");
        }
    }
}

/// <summary>One shift of a suggested schedule.</summary>
/// <param name="Template">The template it was made from.</param>
/// <param name="Day">Weekday it starts on.</param>
/// <param name="Start">Local start time.</param>
/// <param name="WorkingIntervals">Week intervals (0 = Monday 00:00) the agent works, break left out, wrapped past Sunday into Monday.</param>
public sealed record SuggestedShift(ShiftTemplate Template, DayOfWeek Day, TimeOnly Start, IReadOnlyList<int> WorkingIntervals);

/// <summary>An interval where the schedule differs from the requirement.</summary>
/// <param name="Interval">Week interval (0 = Monday 00:00–00:30).</param>
/// <param name="Required">Agents required.</param>
/// <param name="Scheduled">Agents the suggested shifts put there.</param>
public readonly record struct CoverageDifference(int Interval, int Required, int Scheduled)
{
    /// <summary>The weekday of the interval.</summary>
    public DayOfWeek Day => PlanningWeek.DayOf(Interval);

    /// <summary>The local time the interval starts.</summary>
    public TimeOnly Start => PlanningWeek.StartOf(Interval);
}

/// <summary>A suggested week of shifts and how it matches the requirement.</summary>
/// <param name="Shifts">Shifts in the order they were chosen.</param>
/// <param name="Scheduled">Agents working in each of the week's 336 intervals.</param>
/// <param name="Gaps">Intervals with fewer agents scheduled than required.</param>
/// <param name="OverCoverage">Intervals with more agents scheduled than required.</param>
public sealed record SuggestedSchedule(
    IReadOnlyList<SuggestedShift> Shifts, IReadOnlyList<int> Scheduled, IReadOnlyList<CoverageDifference> Gaps, IReadOnlyList<CoverageDifference> OverCoverage)
{
    /// <summary>Agent-intervals still missing (sum of required − scheduled over the gaps).</summary>
    public int MissingAgentIntervals => Gaps.Sum(gap => gap.Required - gap.Scheduled);

    /// <summary>Agent-intervals scheduled beyond the requirement.</summary>
    public int ExcessAgentIntervals => OverCoverage.Sum(over => over.Scheduled - over.Required);
}
