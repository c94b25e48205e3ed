namespace Porchlight.Server.Features.Workforce.Planning;

/// <summary>
/// The Erlang B and Erlang C formulas for a queue of identical servers offered a load in Erlangs (arrival rate
/// times mean handle time). Computed with the Erlang B recursion, which stays accurate for hundreds or thousands
/// of servers where factorials and powers would overflow.
/// </summary>
public static class ErlangC
{
    /// <summary>Erlang B: the probability that an arrival finds every server busy when blocked arrivals are lost.</summary>
    /// <param name="servers">Number of servers, 0 or more.</param>
    /// <param name="trafficErlangs">Offered load in Erlangs, 0 or more.</param>
    public static double BlockingProbability(int servers, double trafficErlangs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(servers);
        ValidateTraffic(trafficErlangs);
        // B(0) = 1; B(k) = A·B(k−1) / (k + A·B(k−1)): each step stays between 0 and 1.
        var blocking = 1.0;
        for (var k = 1; k <= servers; k++)
        {
            blocking = trafficErlangs * blocking / (k + trafficErlangs * blocking);
        }
        return blocking;
    }

    /// <summary>
    /// Erlang C: the probability that an arrival has to wait because every server is busy (arrivals queue and wait
    /// as long as it takes). 0 with no load; 1 when the load is at or above the number of servers, since the
    /// queue then grows without end.
    /// </summary>
    public static double WaitProbability(int servers, double trafficErlangs)
    {
        var blocking = BlockingProbability(servers, trafficErlangs);
        if (trafficErlangs == 0)
        {
            return 0;
        }
        if (trafficErlangs >= servers)
        {
            return 1;
        }
        return servers * blocking / (servers - trafficErlangs * (1 - blocking));
    }

    /// <summary>
    /// The share of arrivals answered within <paramref name="answerWithin"/>:
    /// 1 − C · e^(−(servers − load) · t / handle time). 1 with no load; 0 when the load is at or above the number of servers.
    /// </summary>
    public static double ServiceLevel(int servers, double trafficErlangs, TimeSpan averageHandleTime, TimeSpan answerWithin)
    {
        ValidateHandleTime(averageHandleTime);
        ArgumentOutOfRangeException.ThrowIfLessThan(answerWithin, TimeSpan.Zero);
        var waiting = WaitProbability(servers, trafficErlangs);
        if (trafficErlangs == 0)
        {
            return 1;
        }
        if (trafficErlangs >= servers)
        {
            return 0;
        }
        return 1 - waiting * Math.Exp(-(servers - trafficErlangs) * answerWithin.TotalSeconds / averageHandleTime.TotalSeconds);
    }

    /// <summary>
    /// Average wait before being answered, over all arrivals (those answered at once count as zero):
    /// C · handle time / (servers − load). <see cref="TimeSpan.MaxValue"/> when the load is at or above the number
    /// of servers.
    /// </summary>
    public static TimeSpan AverageSpeedOfAnswer(int servers, double trafficErlangs, TimeSpan averageHandleTime)
    {
        ValidateHandleTime(averageHandleTime);
        var waiting = WaitProbability(servers, trafficErlangs);
        if (trafficErlangs == 0)
        {
            return TimeSpan.Zero;
        }
        if (trafficErlangs >= servers)
        {
            return TimeSpan.MaxValue;
        }
        return TimeSpan.FromSeconds(waiting * averageHandleTime.TotalSeconds / (servers - trafficErlangs));
    }

    /// <summary>The share of server time spent serving: load / servers, at most 1.</summary>
    public static double Occupancy(int servers, double trafficErlangs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(servers);
        ValidateTraffic(trafficErlangs);
        if (servers == 0)
        {
            return trafficErlangs == 0 ? 0 : 1;
        }
        return Math.Min(trafficErlangs / servers, 1);
    }

    private static void ValidateTraffic(double trafficErlangs)
    {
        if (!(trafficErlangs >= 0) || double.IsInfinity(trafficErlangs))
        {
            throw new ArgumentOutOfRangeException(nameof(trafficErlangs), trafficErlangs, "The load must be a finite number of Erlangs, 0 or more.");
        }
    }

    private static void ValidateHandleTime(TimeSpan averageHandleTime) =>
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(averageHandleTime, TimeSpan.Zero);
}
