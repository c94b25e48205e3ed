namespace Porchlight.Server.Features.Workforce.Planning;

/// <summary>What a simulated run measured.</summary>
/// <param name="Conversations">Conversations measured (after the warm-up).</param>
/// <param name="ServiceLevel">Share answered within the threshold.</param>
/// <param name="AverageSpeedOfAnswer">Average wait over all measured conversations.</param>
/// <param name="WaitProbability">Share that waited at all.</param>
/// <param name="Occupancy">Share of slot time spent on conversations over the measured span.</param>
public sealed record SimulatedPerformance(int Conversations, double ServiceLevel, TimeSpan AverageSpeedOfAnswer, double WaitProbability, double Occupancy);

/// <summary>
/// A discrete-event simulation of the queue <see cref="ChatStaffing"/> models, to check the formula or to explore
/// where it is unsure: random (Poisson) arrivals at the interval's rate, exponential handle times with the
/// workload's mean, agents × concurrent chats slots, first come first served, nobody gives up. The interval's
/// rate is held steady for as many arrivals as asked, so the figures are the long-run ones Erlang C describes.
/// The same seed gives the same figures.
/// </summary>
public static class QueueSimulation
{
    // The queue starts empty, which is kinder than its long run; the first arrivals are left out of the figures.
    private const double WarmUpShare = 0.02;

    /// <summary>Runs <paramref name="arrivals"/> conversations through the queue.</summary>
    /// <param name="answerWithin">The wait the service level is measured against.</param>
    /// <param name="arrivals">Conversations to simulate, 1 to 10 million.</param>
    /// <param name="seed">Seed of the random numbers.</param>
    public static SimulatedPerformance Run(IntervalWorkload workload, int agents, TimeSpan answerWithin, int arrivals, int seed)
    {
        ArgumentNullException.ThrowIfNull(workload);
        workload.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(agents, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(answerWithin, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(arrivals, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(arrivals, 10_000_000);
        if (workload.Conversations <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(workload), workload.Conversations, "The simulation needs conversations to arrive.");
        }

        var random = new Random(seed);
        var slots = checked(agents * workload.ConcurrentChatsPerAgent);
        var meanGap = workload.IntervalLength.TotalSeconds / workload.Conversations;
        var meanHandle = workload.AverageHandleTime.TotalSeconds;
        var threshold = answerWithin.TotalSeconds;
        var warmUp = (int)(arrivals * WarmUpShare);

        // With identical slots and first come first served, each conversation takes whichever slot frees first:
        // its wait is how long that is after it arrives.
        var freeAt = new PriorityQueue<int, double>(slots);
        for (var slot = 0; slot < slots; slot++)
        {
            freeAt.Enqueue(slot, 0);
        }

        double clock = 0, totalWait = 0, busyTime = 0, measuredFrom = 0;
        int measured = 0, answeredInTime = 0, waited = 0;
        for (var i = 0; i < arrivals; i++)
        {
            clock += Exponential(random, meanGap);
            freeAt.TryDequeue(out var freeSlot, out var free);
            var start = Math.Max(clock, free);
            var handle = Exponential(random, meanHandle);
            freeAt.Enqueue(freeSlot, start + handle);
            if (i < warmUp)
            {
                measuredFrom = clock;
                continue;
            }
            var wait = start - clock;
            measured++;
            totalWait += wait;
            busyTime += handle;
            if (wait <= threshold)
            {
                answeredInTime++;
            }
            if (wait > 0)
            {
                waited++;
            }
        }

        var span = clock - measuredFrom;
        return new SimulatedPerformance(
            measured,
            answeredInTime / (double)measured,
            TimeSpan.FromSeconds(totalWait / measured),
            waited / (double)measured,
            span > 0 ? Math.Min(busyTime / (span * slots), 1) : 0);
    }

    private static double Exponential(Random random, double mean) => -mean * Math.Log(1 - random.NextDouble());
}
