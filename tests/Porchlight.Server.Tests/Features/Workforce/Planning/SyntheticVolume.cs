using Porchlight.Server.Features.Workforce.Planning;

namespace Porchlight.Server.Tests.Features.Workforce.Planning;

/// <summary>
/// Conversation volume with a known shape: closed 22:00–07:00, a daytime hump peaking mid-afternoon, weekends at
/// 45% of weekdays, and growth of 0.2% a day. The shape is multiplicative, as real volume is, so the additive model
/// has to adapt to it rather than being handed its own assumptions.
/// </summary>
internal static class SyntheticVolume
{
    public static double ExpectedAt(int interval)
    {
        var hour = interval % PlanningWeek.IntervalsPerDay / 2.0;
        var dayOfWeek = interval / PlanningWeek.IntervalsPerDay % 7;
        var timeOfDay = hour is >= 7 and < 22 ? 0.2 + Math.Sin((hour - 7) / 15 * Math.PI) : 0;
        var weekday = dayOfWeek < 5 ? 1.0 : 0.45;
        var growth = 1 + 0.002 * (interval / (double)PlanningWeek.IntervalsPerDay);
        return 40 * timeOfDay * weekday * growth;
    }

    public static double[] Expected(int intervals) => [.. Enumerable.Range(0, intervals).Select(ExpectedAt)];

    /// <summary>Poisson counts around <see cref="Expected"/>: the randomness arrivals have even with a perfect forecast.</summary>
    public static double[] Counted(int intervals, int seed)
    {
        var random = new Random(seed);
        return [.. Expected(intervals).Select(mean => (double)Poisson(random, mean))];
    }

    // Knuth's method: fine for the means used here (at most about 50).
    private static int Poisson(Random random, double mean)
    {
        if (mean <= 0)
        {
            return 0;
        }
        var limit = Math.Exp(-mean);
        var count = -1;
        var product = 1.0;
        do
        {
            count++;
            product *= random.NextDouble();
        }
        while (product > limit);
        return count;
    }
}
