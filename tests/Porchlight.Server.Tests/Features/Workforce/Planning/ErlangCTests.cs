using Porchlight.Server.Features.Workforce.Planning;

namespace Porchlight.Server.Tests.Features.Workforce.Planning;

public sealed class ErlangCTests
{
    [Fact]
    public void BlockingProbability_PublishedErlangBExample_OnePercentAtFifteenLines()
    {
        // Westbay Engineers' Erlang calculator manual, "How much traffic can a trunk group handle?"
        // (https://erlang.com/calculatormanual/howmuchtrafficcanatrunkgrouphandle.htm): 15 lines at 1% blocking
        // carry at most 8.108 Erlangs.
        Assert.Equal(0.01, ErlangC.BlockingProbability(15, 8.108), 4);
    }

    [Fact]
    public void WaitProbability_PublishedErlangCExample_TwentyErlangs()
    {
        // Erlang C calculator by Vicente Ramos (http://personal.telefonica.terra.es/web/vr/erlang/eng/mcerlc.htm):
        // 600 calls an hour of 120 seconds are 20 Erlangs; a delay probability of at most 15% needs 26 circuits,
        // with an average delay of 3 seconds per call; 30 circuits bring the delay probability to 2.5%.
        var handleTime = TimeSpan.FromSeconds(120);
        var traffic = 600 * handleTime.TotalHours;

        Assert.Equal(20, traffic, 9);
        Assert.True(ErlangC.WaitProbability(25, traffic) > 0.15);
        Assert.True(ErlangC.WaitProbability(26, traffic) <= 0.15);
        Assert.Equal(3, ErlangC.AverageSpeedOfAnswer(26, traffic, handleTime).TotalSeconds, 0);
        Assert.Equal(0.025, ErlangC.WaitProbability(30, traffic), 3);
    }

    [Theory]
    [InlineData(1, 0.5)]
    [InlineData(10, 8)]
    [InlineData(25, 21.3)]
    [InlineData(60, 40)]
    public void WaitProbability_SmallQueues_MatchesTheFactorialFormula(int servers, double traffic)
    {
        // The textbook form, summed in logarithms so it stays finite at these sizes: an independent check of the
        // recursion.
        double LogTerm(int k) => k * Math.Log(traffic) - Enumerable.Range(1, k).Sum(i => Math.Log(i));
        var tail = Math.Exp(LogTerm(servers)) * servers / (servers - traffic);
        var head = Enumerable.Range(0, servers).Sum(k => Math.Exp(LogTerm(k)));

        Assert.Equal(tail / (head + tail), ErlangC.WaitProbability(servers, traffic), 12);
    }

    [Fact]
    public void WaitProbability_ThousandsOfServers_AgreesWithTheHeavyTrafficApproximation()
    {
        // Halfin and Whitt's (1981) approximation for many servers, 1 / (1 + β·Φ(β)/φ(β)) with
        // β = (servers − load) / √load, gives 0.257 here (β = 0.921); factorials would overflow long before.
        var waiting = ErlangC.WaitProbability(3000, 2950);

        Assert.InRange(waiting, 0.247, 0.267);
        Assert.True(ErlangC.WaitProbability(3001, 2950) < waiting);
    }

    [Fact]
    public void ServiceLevel_MoreServers_BetterServiceShorterWaitLowerOccupancy()
    {
        var handleTime = TimeSpan.FromMinutes(4);
        var within = TimeSpan.FromSeconds(20);
        for (var servers = 49; servers < 70; servers++)
        {
            Assert.True(ErlangC.ServiceLevel(servers + 1, 48, handleTime, within) > ErlangC.ServiceLevel(servers, 48, handleTime, within));
            Assert.True(ErlangC.AverageSpeedOfAnswer(servers + 1, 48, handleTime) < ErlangC.AverageSpeedOfAnswer(servers, 48, handleTime));
            Assert.True(ErlangC.Occupancy(servers + 1, 48) < ErlangC.Occupancy(servers, 48));
        }
    }

    [Fact]
    public void ServiceLevel_LongerThreshold_HigherShare()
    {
        var handleTime = TimeSpan.FromMinutes(4);

        var at20 = ErlangC.ServiceLevel(55, 48, handleTime, TimeSpan.FromSeconds(20));
        var at60 = ErlangC.ServiceLevel(55, 48, handleTime, TimeSpan.FromSeconds(60));

        Assert.True(at60 > at20);
        // Answered at once is everyone who did not wait.
        Assert.Equal(1 - ErlangC.WaitProbability(55, 48), ErlangC.ServiceLevel(55, 48, handleTime, TimeSpan.Zero), 12);
    }

    [Theory]
    [InlineData(10, 10)]
    [InlineData(10, 12.5)]
    public void WaitProbability_LoadAtOrAboveServers_QueueNeverClears(int servers, double traffic)
    {
        Assert.Equal(1, ErlangC.WaitProbability(servers, traffic));
        Assert.Equal(0, ErlangC.ServiceLevel(servers, traffic, TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(30)));
        Assert.Equal(TimeSpan.MaxValue, ErlangC.AverageSpeedOfAnswer(servers, traffic, TimeSpan.FromMinutes(3)));
    }

    [Fact]
    public void WaitProbability_NegativeLoad_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>("trafficErlangs", () => ErlangC.WaitProbability(5, -1));
        Assert.Throws<ArgumentOutOfRangeException>("servers", () => ErlangC.WaitProbability(-1, 1));
    }
}
