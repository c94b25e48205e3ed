using Porchlight.Server.Features.Workforce.Planning;

namespace Porchlight.Server.Tests.Features.Workforce.Planning;

public sealed class QueueSimulationTests
{
    private static readonly TimeSpan ThirtySeconds = TimeSpan.FromSeconds(30);

    // Long enough that the measured figures settle (about 3,300 simulated hours at 60 chats per half hour), short
    // enough to run in a fraction of a second.
    private const int Arrivals = 400_000;

    [Theory]
    [InlineData(60, 240, 1, 10)] // one chat at a time, 80% occupancy
    [InlineData(100, 480, 3, 10)] // three at a time, 89% occupancy
    [InlineData(120, 480, 3, 13)] // three at a time, the documented example's staffing
    public void Run_LongSteadyInterval_AgreesWithErlangC(double conversations, int handleSeconds, int concurrentChats, int agents)
    {
        var workload = new IntervalWorkload(conversations, TimeSpan.FromSeconds(handleSeconds), concurrentChats);

        var calculated = ChatStaffing.Evaluate(workload, agents, ThirtySeconds);
        var simulated = QueueSimulation.Run(workload, agents, ThirtySeconds, Arrivals, seed: 2026);

        var asaRatio = simulated.AverageSpeedOfAnswer / calculated.AverageSpeedOfAnswer;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"N={concurrentChats}: service level {calculated.ServiceLevel:P2} calculated, {simulated.ServiceLevel:P2} simulated; "
            + $"ASA {calculated.AverageSpeedOfAnswer.TotalSeconds:F1} s vs {simulated.AverageSpeedOfAnswer.TotalSeconds:F1} s ({asaRatio - 1:+0.0%;-0.0%})");
        Assert.InRange(simulated.ServiceLevel, calculated.ServiceLevel - 0.03, calculated.ServiceLevel + 0.03);
        Assert.InRange(simulated.WaitProbability, calculated.WaitProbability - 0.03, calculated.WaitProbability + 0.03);
        Assert.InRange(asaRatio, 0.85, 1.15);
        Assert.InRange(simulated.Occupancy, calculated.Occupancy - 0.02, calculated.Occupancy + 0.02);
    }

    [Fact]
    public void Run_SameSeed_SameFigures()
    {
        var workload = new IntervalWorkload(60, TimeSpan.FromMinutes(4), 2);

        var first = QueueSimulation.Run(workload, 5, ThirtySeconds, 20_000, seed: 7);
        var again = QueueSimulation.Run(workload, 5, ThirtySeconds, 20_000, seed: 7);
        var other = QueueSimulation.Run(workload, 5, ThirtySeconds, 20_000, seed: 8);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Run_MoreAgents_ShorterWaits()
    {
        var workload = new IntervalWorkload(100, TimeSpan.FromMinutes(8), 3);

        var fewer = QueueSimulation.Run(workload, 10, ThirtySeconds, 50_000, seed: 1);
        var more = QueueSimulation.Run(workload, 12, ThirtySeconds, 50_000, seed: 1);

        Assert.True(more.ServiceLevel > fewer.ServiceLevel);
        Assert.True(more.AverageSpeedOfAnswer < fewer.AverageSpeedOfAnswer);
    }

    [Fact]
    public void Run_NoConversations_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>("workload", () => QueueSimulation.Run(new IntervalWorkload(0, TimeSpan.FromMinutes(4), 1), 1, ThirtySeconds, 1000, 1));
    }
}
