namespace Porchlight.Server.Features.Workforce.Planning;

/// <summary>A forecast of incoming conversations per planning interval, with the smoothing the model settled on.</summary>
/// <param name="Intervals">One entry per forecast interval; index 0 is the interval right after the history's last.</param>
/// <param name="Parameters">The smoothing parameters fitted on the history.</param>
public sealed record VolumeForecast(IReadOnlyList<IntervalForecast> Intervals, SmoothingParameters Parameters);

/// <summary>The expected conversation count of one interval and its 80% prediction interval, all zero or more.</summary>
/// <param name="Expected">The point forecast.</param>
/// <param name="Low">Lower end of the 80% prediction interval (10th percentile).</param>
/// <param name="High">Upper end of the 80% prediction interval (90th percentile).</param>
public readonly record struct IntervalForecast(double Expected, double Low, double High);

/// <summary>
/// Smoothing weights of the double-seasonal Holt-Winters model, each between 0 (never moves) and 1 (follows the
/// latest interval entirely).
/// </summary>
/// <param name="Level">How fast the underlying volume level follows recent intervals.</param>
/// <param name="Trend">How fast the trend follows changes in the level; 0 with <paramref name="Damping"/> 0 means no trend.</param>
/// <param name="Damping">How much of the trend carries into each further interval (1 = a straight line, 0 = no trend).</param>
/// <param name="Daily">How fast the time-of-day pattern adapts.</param>
/// <param name="Weekly">How fast the day-of-week pattern adapts.</param>
public sealed record SmoothingParameters(double Level, double Trend, double Damping, double Daily, double Weekly);

/// <summary>
/// A known event that scales the forecast over a range of intervals, such as ×1.5 on a launch day or ×0.2 on a
/// holiday. Overlapping adjustments multiply.
/// </summary>
/// <param name="FirstInterval">First forecast interval affected (0 = the first forecast interval).</param>
/// <param name="IntervalCount">How many consecutive intervals are affected.</param>
/// <param name="Multiplier">Factor applied to the expected count and both ends of its prediction interval (0 or more).</param>
public sealed record VolumeAdjustment(int FirstInterval, int IntervalCount, double Multiplier);

/// <summary>
/// Rolling-origin evaluation: each of the last <paramref name="HeldOutWeeks"/> weeks of the history forecast from
/// the history before it, scored against what happened, beside the same figures for the seasonal-naive forecast
/// (each interval repeats the count of the same interval one week earlier).
/// </summary>
public sealed record ForecastBacktest(int HeldOutWeeks, ForecastAccuracy Model, ForecastAccuracy SeasonalNaive)
{
    /// <summary>Whether the model's weighted error is below the seasonal-naive forecast's.</summary>
    public bool ModelBeatsSeasonalNaive => Model.Wape < SeasonalNaive.Wape;
}

/// <summary>Forecast error over the held-out intervals, as fractions (0.08 = 8%).</summary>
/// <param name="Mape">Mean absolute percentage error over the intervals whose actual count was above zero
/// (an interval with no conversations has no percentage error).</param>
/// <param name="Wape">Weighted absolute percentage error: sum of absolute errors divided by the sum of actual counts.
/// Busy intervals weigh more, which matches their weight in staffing.</param>
/// <param name="Intervals">Intervals scored (for WAPE).</param>
/// <param name="IntervalsWithVolume">Intervals with an actual count above zero (for MAPE).</param>
public sealed record ForecastAccuracy(double Mape, double Wape, int Intervals, int IntervalsWithVolume);
