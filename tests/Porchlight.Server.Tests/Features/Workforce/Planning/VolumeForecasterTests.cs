using Porchlight.Server.Features.Workforce.Planning;

namespace Porchlight.Server.Tests.Features.Workforce.Planning;

public sealed class VolumeForecasterTests
{
    private const int Week = PlanningWeek.IntervalsPerWeek;

    [Fact]
    public void Forecast_NoiselessSeasonalHistoryWithTrend_TracksTheNextTwoWeeksClosely()
    {
        var truth = SyntheticVolume.Expected(10 * Week);

        var forecast = VolumeForecaster.Forecast(truth[..(8 * Week)], 2 * Week);

        var wape = Wape(truth[(8 * Week)..], forecast.Intervals.Select(i => i.Expected).ToArray());
        Report($"noiseless, 8 weeks of history, next 2 weeks: WAPE {wape:P2}");
        Assert.True(wape < 0.05, $"WAPE {wape:P2} should be below 5% on a history without noise.");
    }

    [Fact]
    public void Backtest_NoiselessHistory_ModelErrorLow()
    {
        var truth = SyntheticVolume.Expected(10 * Week);

        var backtest = VolumeForecaster.Backtest(truth, heldOutWeeks: 2);

        Report($"noiseless backtest: model WAPE {backtest.Model.Wape:P2} MAPE {backtest.Model.Mape:P2}; seasonal naive WAPE {backtest.SeasonalNaive.Wape:P2}");
        Assert.Equal(2 * Week, backtest.Model.Intervals);
        Assert.True(backtest.Model.Wape < 0.05, $"WAPE {backtest.Model.Wape:P2}");
        Assert.True(backtest.Model.Mape < 0.05, $"MAPE {backtest.Model.Mape:P2}");
    }

    [Fact]
    public void Backtest_PoissonNoise_ErrorCloseToTheNoiseAndNoWorseThanSeasonalNaive()
    {
        const int weeks = 10;
        var counts = SyntheticVolume.Counted(weeks * Week, seed: 11);
        var truth = SyntheticVolume.Expected(weeks * Week);
        // The error a perfect forecast (the true mean) makes on the same held-out weeks: what noise alone implies.
        var noiseFloor = Wape(counts[((weeks - 2) * Week)..], truth[((weeks - 2) * Week)..]);

        var backtest = VolumeForecaster.Backtest(counts, heldOutWeeks: 2);

        Report($"Poisson backtest: model WAPE {backtest.Model.Wape:P2} MAPE {backtest.Model.Mape:P2}; seasonal naive WAPE {backtest.SeasonalNaive.Wape:P2} MAPE {backtest.SeasonalNaive.Mape:P2}; noise floor WAPE {noiseFloor:P2}");
        Assert.True(backtest.Model.Wape <= 1.25 * noiseFloor, $"Model WAPE {backtest.Model.Wape:P2} vs noise floor {noiseFloor:P2}");
        Assert.True(backtest.Model.Wape <= backtest.SeasonalNaive.Wape, $"Model WAPE {backtest.Model.Wape:P2} vs seasonal naive {backtest.SeasonalNaive.Wape:P2}");
        Assert.True(backtest.ModelBeatsSeasonalNaive);
        // MAPE skips intervals with no conversations: nights here.
        Assert.True(backtest.Model.IntervalsWithVolume < backtest.Model.Intervals);
    }

    [Fact]
    public void Forecast_PoissonNoise_PredictionIntervalsCoverAboutEightyPercent()
    {
        var counts = SyntheticVolume.Counted(10 * Week, seed: 5);
        var truth = SyntheticVolume.Expected(10 * Week);

        var forecast = VolumeForecaster.Forecast(counts[..(8 * Week)], 2 * Week);

        int open = 0, openInside = 0, inside = 0;
        for (var h = 0; h < 2 * Week; h++)
        {
            var actual = counts[8 * Week + h];
            var interval = forecast.Intervals[h];
            var covered = actual >= interval.Low && actual <= interval.High;
            inside += covered ? 1 : 0;
            if (truth[8 * Week + h] > 0)
            {
                open++;
                openInside += covered ? 1 : 0;
            }
        }
        var coverage = inside / (double)(2 * Week);
        var openCoverage = openInside / (double)open;
        Report($"80% intervals cover {coverage:P1} of held-out intervals, {openCoverage:P1} of open-hours intervals");
        Assert.InRange(coverage, 0.65, 0.95);
        Assert.InRange(openCoverage, 0.65, 0.95);
    }

    [Fact]
    public void Forecast_EveryInterval_IntervalContainsForecastAndNothingIsNegative()
    {
        // Volume falling fast: a trend carried forward would cross zero.
        var counts = SyntheticVolume.Counted(3 * Week, seed: 3);
        for (var t = 0; t < counts.Length; t++)
        {
            counts[t] = Math.Round(counts[t] * Math.Max(0, 1 - t / (2.5 * Week)));
        }

        var forecast = VolumeForecaster.Forecast(counts, VolumeForecaster.MaximumHorizon);

        Assert.Equal(VolumeForecaster.MaximumHorizon, forecast.Intervals.Count);
        Assert.All(forecast.Intervals, interval =>
        {
            Assert.True(interval.Low >= 0);
            Assert.True(interval.Low <= interval.Expected && interval.Expected <= interval.High);
        });
    }

    [Fact]
    public void Forecast_IntervalWithNoConversationsInAnyWeek_ForecastZero()
    {
        var counts = SyntheticVolume.Counted(4 * Week, seed: 8);

        var forecast = VolumeForecaster.Forecast(counts, Week);

        // 03:00 on the first forecast day: the synthetic workspace is closed then.
        var night = forecast.Intervals[6];
        Assert.Equal(new IntervalForecast(0, 0, 0), night);
        Assert.True(forecast.Intervals[30].Expected > 10);
    }

    [Fact]
    public void Forecast_Adjustments_MultiplyTheForecastAndItsInterval()
    {
        var counts = SyntheticVolume.Counted(4 * Week, seed: 9);
        var launchDay = new VolumeAdjustment(FirstInterval: 48, IntervalCount: 48, Multiplier: 1.5);
        var holiday = new VolumeAdjustment(FirstInterval: 96, IntervalCount: 48, Multiplier: 0.2);
        var overlap = new VolumeAdjustment(FirstInterval: 60, IntervalCount: 4, Multiplier: 2);

        var plain = VolumeForecaster.Forecast(counts, Week).Intervals;
        var adjusted = VolumeForecaster.Forecast(counts, Week, [launchDay, holiday, overlap]).Intervals;

        for (var h = 0; h < Week; h++)
        {
            var multiplier = h switch
            {
                >= 60 and < 64 => 3.0,
                >= 48 and < 96 => 1.5,
                >= 96 and < 144 => 0.2,
                _ => 1.0,
            };
            Assert.Equal(plain[h].Expected * multiplier, adjusted[h].Expected, 9);
            Assert.Equal(plain[h].Low * multiplier, adjusted[h].Low, 9);
            Assert.Equal(plain[h].High * multiplier, adjusted[h].High, 9);
        }
    }

    [Fact]
    public void Forecast_HistoryShorterThanTwoWeeks_RefusedWithTheReason()
    {
        var counts = SyntheticVolume.Counted(2 * Week - 1, seed: 1);

        var error = Assert.Throws<ArgumentException>(() => VolumeForecaster.Forecast(counts, Week));

        Assert.Equal("history", error.ParamName);
        Assert.Contains("672", error.Message);
    }

    [Fact]
    public void Forecast_ExactlyTwoWeeks_Forecasts()
    {
        var counts = SyntheticVolume.Counted(2 * Week, seed: 2);

        var forecast = VolumeForecaster.Forecast(counts, Week);

        var truth = SyntheticVolume.Expected(3 * Week)[(2 * Week)..];
        Assert.True(Wape(truth, forecast.Intervals.Select(i => i.Expected).ToArray()) < 0.2);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4 * Week + 1)]
    public void Forecast_HorizonOutOfRange_Throws(int horizon)
    {
        var counts = SyntheticVolume.Counted(2 * Week, seed: 1);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => VolumeForecaster.Forecast(counts, horizon));

        Assert.Equal("horizon", error.ParamName);
    }

    [Fact]
    public void Forecast_NegativeCount_Throws()
    {
        var counts = SyntheticVolume.Counted(2 * Week, seed: 1);
        counts[100] = -1;

        Assert.Throws<ArgumentException>("history", () => VolumeForecaster.Forecast(counts, Week));
    }

    [Fact]
    public void Backtest_HistoryTooShortForTheHeldOutWeeks_Throws()
    {
        var counts = SyntheticVolume.Counted(3 * Week, seed: 1);

        Assert.Throws<ArgumentException>("history", () => VolumeForecaster.Backtest(counts, heldOutWeeks: 2));
    }

    private static double Wape(double[] actual, double[] forecast)
    {
        double error = 0, total = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            error += Math.Abs(actual[i] - forecast[i]);
            total += actual[i];
        }
        return error / total;
    }

    private static void Report(string figures) => TestContext.Current.TestOutputHelper?.WriteLine(figures);
}
