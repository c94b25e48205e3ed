namespace Porchlight.Server.Features.Workforce.Planning;

/// <summary>
/// Forecasts incoming conversations per 30-minute interval from a history of counts per interval, with additive
/// double-seasonal Holt-Winters (a level, a damped trend, a daily and a weekly pattern). The history is a plain
/// series in local-time interval order whose index 0 is a Monday 00:00 interval or any other fixed point: the model
/// only assumes that the pattern repeats every 48 and every 336 intervals.
/// </summary>
public static class VolumeForecaster
{
    private const int Week = PlanningWeek.IntervalsPerWeek;

    /// <summary>Shortest history accepted: two weeks, the least that separates the weekly pattern from a trend.</summary>
    public const int MinimumHistory = 2 * Week;

    /// <summary>Longest horizon accepted: four weeks.</summary>
    public const int MaximumHorizon = 4 * Week;

    // Residuals are checked from forecasts made at the start of each day of the history.
    private const int OriginSpacing = PlanningWeek.IntervalsPerDay;

    private const double LowerQuantile = 0.1;
    private const double UpperQuantile = 0.9;

    // The coarse grid the smoothing weights are searched on; the best point is then refined locally.
    private static readonly double[] LevelGrid = [0.005, 0.02, 0.05, 0.1, 0.2];
    private static readonly double[] SeasonalGrid = [0.01, 0.05, 0.1, 0.2, 0.35];
    private static readonly (double Trend, double Damping)[] TrendGrid =
        [(0, 0), (0.0005, 1), (0.005, 1), (0.005, 0.995), (0.02, 0.98)];
    private static readonly double[] RefinementSteps = [0.5, 0.7, 1.4, 2];

    /// <summary>
    /// Forecasts the <paramref name="horizon"/> intervals that follow the history, each with an 80% prediction
    /// interval, then applies the adjustments.
    /// </summary>
    /// <param name="history">Conversation counts per interval, oldest first; at least <see cref="MinimumHistory"/> intervals.</param>
    /// <param name="horizon">Intervals to forecast, 1 to <see cref="MaximumHorizon"/>.</param>
    /// <param name="adjustments">Known events, in forecast interval numbers (0 = first forecast interval).</param>
    /// <exception cref="ArgumentException">The history is shorter than two weeks or holds a negative or non-finite count.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The horizon or an adjustment is out of range.</exception>
    public static VolumeForecast Forecast(IReadOnlyList<double> history, int horizon, IReadOnlyList<VolumeAdjustment>? adjustments = null)
    {
        ValidateHistory(history, MinimumHistory);
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(horizon, MaximumHorizon);
        adjustments ??= [];
        foreach (var adjustment in adjustments)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(adjustment.FirstInterval, nameof(adjustments));
            ArgumentOutOfRangeException.ThrowIfLessThan(adjustment.IntervalCount, 1, nameof(adjustments));
            if (!(adjustment.Multiplier >= 0) || double.IsInfinity(adjustment.Multiplier))
            {
                throw new ArgumentOutOfRangeException(nameof(adjustments), adjustment.Multiplier, "An adjustment's multiplier must be a finite number of 0 or more.");
            }
        }

        var parameters = Fit(history);
        var closed = ClosedIntervals(history);
        var spread = MeasureSpread(history, parameters, horizon, closed);

        var model = DoubleSeasonalHoltWinters.Start(history, parameters);
        foreach (var count in history)
        {
            model.Observe(count);
        }
        var raw = model.ForecastAhead(horizon);

        var intervals = new IntervalForecast[horizon];
        for (var h = 0; h < horizon; h++)
        {
            if (closed[(history.Count + h) % Week])
            {
                intervals[h] = new IntervalForecast(0, 0, 0);
                continue;
            }
            var expected = Math.Max(raw[h], 0);
            var (low, high) = spread.Around(h / Week, expected);
            var multiplier = MultiplierAt(h, adjustments);
            intervals[h] = new IntervalForecast(expected * multiplier, low * multiplier, high * multiplier);
        }
        return new VolumeForecast(intervals, parameters);
    }

    /// <summary>
    /// Rolling-origin backtest: for each of the last <paramref name="heldOutWeeks"/> weeks, fits the model on all
    /// the history before that week, forecasts the week, and scores it; the seasonal-naive forecast is scored on the
    /// same weeks.
    /// </summary>
    /// <param name="history">Conversation counts per interval, at least two weeks more than <paramref name="heldOutWeeks"/>.</param>
    /// <param name="heldOutWeeks">Weeks to hold out, 1 or more.</param>
    public static ForecastBacktest Backtest(IReadOnlyList<double> history, int heldOutWeeks = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(heldOutWeeks, 1);
        ValidateHistory(history, MinimumHistory + heldOutWeeks * Week);

        var model = new AccuracyTally();
        var seasonalNaive = new AccuracyTally();
        for (var fold = heldOutWeeks; fold >= 1; fold--)
        {
            var origin = history.Count - fold * Week;
            var before = Slice(history, 0, origin);
            var forecast = Forecast(before, Week).Intervals;
            for (var h = 0; h < Week; h++)
            {
                var actual = history[origin + h];
                model.Add(actual, forecast[h].Expected);
                seasonalNaive.Add(actual, history[origin + h - Week]);
            }
        }
        return new ForecastBacktest(heldOutWeeks, model.ToAccuracy(), seasonalNaive.ToAccuracy());
    }

    private static void ValidateHistory(IReadOnlyList<double> history, int minimum)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Count < minimum)
        {
            throw new ArgumentException(
                $"At least {minimum} intervals ({minimum / (double)Week:0.#} weeks) of history are needed; {history.Count} were given. "
                + "With less, the weekly pattern cannot be told apart from a trend.", nameof(history));
        }
        foreach (var count in history)
        {
            if (!(count >= 0) || double.IsInfinity(count))
            {
                throw new ArgumentException("Every interval's count must be a finite number of 0 or more.", nameof(history));
            }
        }
    }

    /// <summary>Grid search on one-step-ahead squared error, then a few rounds of local refinement.</summary>
    private static SmoothingParameters Fit(IReadOnlyList<double> history)
    {
        var best = new SmoothingParameters(LevelGrid[0], 0, 0, SeasonalGrid[0], SeasonalGrid[0]);
        var bestError = double.PositiveInfinity;
        foreach (var level in LevelGrid)
        {
            foreach (var (trend, damping) in TrendGrid)
            {
                foreach (var daily in SeasonalGrid)
                {
                    foreach (var weekly in SeasonalGrid)
                    {
                        Consider(new SmoothingParameters(level, trend, damping, daily, weekly));
                    }
                }
            }
        }

        for (var round = 0; round < 2; round++)
        {
            var start = best;
            foreach (var step in RefinementSteps)
            {
                Consider(best with { Level = Math.Min(best.Level * step, 0.95) });
                Consider(best with { Daily = Math.Min(best.Daily * step, 0.95) });
                Consider(best with { Weekly = Math.Min(best.Weekly * step, 0.95) });
            }
            if (best == start)
            {
                break;
            }
        }
        return best;

        void Consider(SmoothingParameters candidate)
        {
            var error = OneStepSquaredError(history, candidate, bestError);
            if (error < bestError)
            {
                bestError = error;
                best = candidate;
            }
        }
    }

    // Errors count from the second week on: the first week is still settling from the starting values.
    private static double OneStepSquaredError(IReadOnlyList<double> history, SmoothingParameters parameters, double giveUpAbove)
    {
        var model = DoubleSeasonalHoltWinters.Start(history, parameters);
        double sum = 0;
        for (var t = 0; t < history.Count; t++)
        {
            var error = model.Observe(history[t]);
            if (t >= Week)
            {
                sum += error * error;
                if (sum >= giveUpAbove)
                {
                    return double.PositiveInfinity;
                }
            }
        }
        return sum;
    }

    /// <summary>
    /// The 10th and 90th percentiles of scaled forecast errors, per week of horizon and per size of forecast. The
    /// fitted model is run over the history again; at the start of each day it forecasts ahead from what it had
    /// seen so far, and those forecasts are compared with what followed. Only days after the two weeks the starting
    /// values come from serve as origins, so no forecast has seen what it is compared with. A history shorter than
    /// three weeks has too few such days; the model is then started from the first week alone and origins begin
    /// in the second. Errors are divided by the square root of the forecast (at least 1), the way the spread of
    /// random arrivals grows, and grouped by forecast size because near-zero nights miss differently from busy
    /// afternoons. No normal distribution is assumed.
    /// </summary>
    private static ResidualSpread MeasureSpread(IReadOnlyList<double> history, SmoothingParameters parameters, int horizon, bool[] closed)
    {
        var spread = new ResidualSpread((horizon + Week - 1) / Week);
        var shortHistory = history.Count < 3 * Week;
        var model = shortHistory
            ? DoubleSeasonalHoltWinters.StartFromFirstWeek(history, parameters)
            : DoubleSeasonalHoltWinters.Start(history, parameters);
        var firstOrigin = shortHistory ? Week : 2 * Week;
        for (var t = 0; t < history.Count; t++)
        {
            if (t >= firstOrigin && t % OriginSpacing == 0)
            {
                var reach = Math.Min(horizon, history.Count - t);
                var forecasts = model.Copy().ForecastAhead(reach);
                for (var h = 0; h < reach; h++)
                {
                    if (closed[(t + h) % Week])
                    {
                        continue;
                    }
                    spread.Add(h / Week, Math.Max(forecasts[h], 0), history[t + h]);
                }
            }
            model.Observe(history[t]);
        }
        spread.Complete();
        return spread;
    }

    private sealed class ResidualSpread(int horizonWeeks)
    {
        // Forecast sizes (conversations per interval) that start each band of the spread.
        private static readonly double[] BandStarts = [0, 0.5, 3, 10, 30];

        // A cell with fewer residuals borrows from the same band a week earlier in the horizon, or for the first
        // week from all bands together.
        private const int MinimumResiduals = 50;

        private readonly List<double>[,] _residuals = NewCells(horizonWeeks);
        private readonly List<double>[] _pooled = [.. Enumerable.Range(0, horizonWeeks).Select(_ => new List<double>())];
        private readonly (double Lower, double Upper)[,] _quantiles = new (double, double)[horizonWeeks, BandStarts.Length];

        public void Add(int horizonWeek, double expected, double actual)
        {
            var residual = (actual - expected) / Scale(expected);
            _residuals[horizonWeek, Band(expected)].Add(residual);
            _pooled[horizonWeek].Add(residual);
        }

        public void Complete()
        {
            for (var w = 0; w < _quantiles.GetLength(0); w++)
            {
                for (var b = 0; b < BandStarts.Length; b++)
                {
                    var cell = _residuals[w, b];
                    _quantiles[w, b] = cell.Count >= MinimumResiduals ? (Quantile(cell, LowerQuantile), Quantile(cell, UpperQuantile))
                        : w > 0 ? _quantiles[w - 1, b]
                        : (Quantile(_pooled[0], LowerQuantile), Quantile(_pooled[0], UpperQuantile));
                }
            }
        }

        public (double Low, double High) Around(int horizonWeek, double expected)
        {
            var (lower, upper) = _quantiles[horizonWeek, Band(expected)];
            var scale = Scale(expected);
            // The interval is kept around the point forecast even where past errors lean to one side.
            return (Math.Min(Math.Max(expected + lower * scale, 0), expected), Math.Max(expected + upper * scale, expected));
        }

        private static double Scale(double expected) => Math.Sqrt(Math.Max(expected, 1));

        private static int Band(double expected)
        {
            var band = 0;
            while (band + 1 < BandStarts.Length && expected >= BandStarts[band + 1])
            {
                band++;
            }
            return band;
        }

        private static List<double>[,] NewCells(int horizonWeeks)
        {
            var cells = new List<double>[horizonWeeks, BandStarts.Length];
            for (var w = 0; w < horizonWeeks; w++)
            {
                for (var b = 0; b < BandStarts.Length; b++)
                {
                    cells[w, b] = [];
                }
            }
            return cells;
        }

        private static double Quantile(List<double> values, double quantile)
        {
            if (values.Count == 0)
            {
                return 0;
            }
            values.Sort();
            var position = quantile * (values.Count - 1);
            var below = (int)Math.Floor(position);
            var above = Math.Min(below + 1, values.Count - 1);
            return values[below] + (position - below) * (values[above] - values[below]);
        }
    }

    /// <summary>
    /// Intervals of the week (counted from the history's start) with no conversation in any week of the history,
    /// such as nights when the workspace is closed. They are forecast as zero: an additive model would otherwise
    /// lift them along with a growing daytime level and ask for night staff nobody needs.
    /// </summary>
    private static bool[] ClosedIntervals(IReadOnlyList<double> history)
    {
        var closed = new bool[Week];
        Array.Fill(closed, true);
        for (var t = 0; t < history.Count; t++)
        {
            if (history[t] > 0)
            {
                closed[t % Week] = false;
            }
        }
        return closed;
    }

    private static double MultiplierAt(int interval, IReadOnlyList<VolumeAdjustment> adjustments)
    {
        var multiplier = 1.0;
        foreach (var adjustment in adjustments)
        {
            if (interval >= adjustment.FirstInterval && interval - adjustment.FirstInterval < adjustment.IntervalCount)
            {
                multiplier *= adjustment.Multiplier;
            }
        }
        return multiplier;
    }

    private static double[] Slice(IReadOnlyList<double> history, int start, int count)
    {
        var slice = new double[count];
        for (var i = 0; i < count; i++)
        {
            slice[i] = history[start + i];
        }
        return slice;
    }

    private sealed class AccuracyTally
    {
        private double _absoluteError;
        private double _actualTotal;
        private double _percentageErrors;
        private int _intervals;
        private int _intervalsWithVolume;

        public void Add(double actual, double forecast)
        {
            var error = Math.Abs(actual - forecast);
            _absoluteError += error;
            _actualTotal += actual;
            _intervals++;
            if (actual > 0)
            {
                _percentageErrors += error / actual;
                _intervalsWithVolume++;
            }
        }

        public ForecastAccuracy ToAccuracy() => new(
            _intervalsWithVolume == 0 ? 0 : _percentageErrors / _intervalsWithVolume,
            _actualTotal == 0 ? 0 : _absoluteError / _actualTotal,
            _intervals,
            _intervalsWithVolume);
    }
}
