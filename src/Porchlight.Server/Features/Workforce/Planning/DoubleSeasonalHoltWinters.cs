namespace Porchlight.Server.Features.Workforce.Planning;

/// <summary>
/// Additive double-seasonal Holt-Winters (Taylor, 2003): a level, an optionally damped trend, a daily and a weekly
/// seasonal component, updated one interval at a time. Additive rather than multiplicative because night intervals
/// hold zero conversations, which a multiplicative season cannot divide by.
/// </summary>
internal sealed class DoubleSeasonalHoltWinters
{
    private const int Day = PlanningWeek.IntervalsPerDay;
    private const int Week = PlanningWeek.IntervalsPerWeek;

    private readonly SmoothingParameters _parameters;
    private readonly double[] _daily;
    private readonly double[] _weekly;
    private double _level;
    private double _trend;

    private DoubleSeasonalHoltWinters(SmoothingParameters parameters, double level, double trend, double[] daily, double[] weekly, int observed)
    {
        _parameters = parameters;
        _level = level;
        _trend = trend;
        _daily = daily;
        _weekly = weekly;
        Observed = observed;
    }

    /// <summary>How many intervals the model has seen; the next one it expects is this index of the history.</summary>
    public int Observed { get; private set; }

    /// <summary>
    /// Starting values from the first two weeks: the level is the first week's mean, the trend the change between
    /// the two weeks' means, and the seasonal components split the detrended two-week average profile into what
    /// repeats every day and what is particular to each weekday.
    /// </summary>
    public static DoubleSeasonalHoltWinters Start(IReadOnlyList<double> history, SmoothingParameters parameters)
    {
        double firstWeek = 0, secondWeek = 0;
        for (var t = 0; t < Week; t++)
        {
            firstWeek += history[t];
            secondWeek += history[t + Week];
        }
        firstWeek /= Week;
        secondWeek /= Week;

        var trend = parameters.Damping > 0 ? (secondWeek - firstWeek) / Week : 0;
        return StartFrom(history, parameters, weeks: 2, firstWeek, trend);
    }

    /// <summary>
    /// Starting values from the first week alone, with no trend: used where later forecasts must not have seen the
    /// second week, such as when measuring how far forecasts of it miss.
    /// </summary>
    public static DoubleSeasonalHoltWinters StartFromFirstWeek(IReadOnlyList<double> history, SmoothingParameters parameters)
    {
        double firstWeek = 0;
        for (var t = 0; t < Week; t++)
        {
            firstWeek += history[t];
        }
        return StartFrom(history, parameters, weeks: 1, firstWeek / Week, trend: 0);
    }

    private static DoubleSeasonalHoltWinters StartFrom(IReadOnlyList<double> history, SmoothingParameters parameters, int weeks, double firstWeekMean, double trend)
    {
        // The first week's mean sits at its middle; the level before interval 0 is that mean walked back half a week.
        var middle = (Week - 1) / 2.0;
        var level = firstWeekMean - middle * trend - trend;

        var profile = new double[Week];
        for (var t = 0; t < weeks * Week; t++)
        {
            profile[t % Week] += (history[t] - (firstWeekMean + (t - middle) * trend)) / weeks;
        }

        var daily = new double[Day];
        for (var k = 0; k < Week; k++)
        {
            daily[k % Day] += profile[k] / 7;
        }
        var weekly = new double[Week];
        for (var k = 0; k < Week; k++)
        {
            weekly[k] = profile[k] - daily[k % Day];
        }

        return new DoubleSeasonalHoltWinters(parameters, level, trend, daily, weekly, 0);
    }

    public DoubleSeasonalHoltWinters Copy() =>
        new(_parameters, _level, _trend, (double[])_daily.Clone(), (double[])_weekly.Clone(), Observed);

    /// <summary>The forecast for the next interval, before seeing it.</summary>
    public double NextForecast =>
        _level + _parameters.Damping * _trend + _daily[Observed % Day] + _weekly[Observed % Week];

    /// <summary>Takes in the next interval's count; returns the one-step-ahead error it made on it.</summary>
    public double Observe(double actual)
    {
        var p = _parameters;
        var daySlot = Observed % Day;
        var weekSlot = Observed % Week;
        var daily = _daily[daySlot];
        var weekly = _weekly[weekSlot];
        var dampedTrend = p.Damping * _trend;
        var error = actual - (_level + dampedTrend + daily + weekly);

        var level = p.Level * (actual - daily - weekly) + (1 - p.Level) * (_level + dampedTrend);
        _trend = p.Trend * (level - _level) + (1 - p.Trend) * dampedTrend;
        _level = level;
        _daily[daySlot] = p.Daily * (actual - level - weekly) + (1 - p.Daily) * daily;
        _weekly[weekSlot] = p.Weekly * (actual - level - daily) + (1 - p.Weekly) * weekly;
        Observed++;
        return error;
    }

    /// <summary>Forecasts for the next <paramref name="horizon"/> intervals (unclamped: may dip below zero).</summary>
    public double[] ForecastAhead(int horizon)
    {
        var forecasts = new double[horizon];
        double trendSum = 0, damping = 1;
        for (var h = 0; h < horizon; h++)
        {
            damping *= _parameters.Damping;
            trendSum += damping;
            var t = Observed + h;
            forecasts[h] = _level + trendSum * _trend + _daily[t % Day] + _weekly[t % Week];
        }
        return forecasts;
    }
}
