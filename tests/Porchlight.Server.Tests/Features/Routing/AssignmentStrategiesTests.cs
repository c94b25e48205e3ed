using Porchlight.Server.Features.Routing;

namespace Porchlight.Server.Tests.Features.Routing;

public sealed class AssignmentStrategiesTests
{
    private static readonly DateTime Noon = new(2026, 12, 3, 12, 0, 0, DateTimeKind.Utc);
    private static readonly Guid Ann = new("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid Ben = new("00000000-0000-0000-0000-00000000000b");
    private static readonly Guid Cat = new("00000000-0000-0000-0000-00000000000c");

    [Fact]
    public void LeastLoaded_DifferentCaps_PicksTheLowestShareOfCapNotTheFewestConversations()
    {
        // Ann has 2 of 10 (20%), Ben 1 of 2 (50%): Ann has more conversations but more room.
        var choice = AssignmentStrategies.Choose(AssignmentStrategy.LeastLoaded, [
            new(Ann, "Ann", Active: 2, Cap: 10, LastAssignedAt: null),
            new(Ben, "Ben", Active: 1, Cap: 2, LastAssignedAt: null),
        ]);

        Assert.Equal(Ann, choice!.Agent.AgentId);
        Assert.Equal("least loaded", choice.Basis);
    }

    [Fact]
    public void LeastLoaded_EqualShares_GoesToWhoWaitedLongestForAConversation()
    {
        var choice = AssignmentStrategies.Choose(AssignmentStrategy.LeastLoaded, [
            new(Ann, "Ann", 1, 4, Noon.AddMinutes(-1)),
            new(Ben, "Ben", 1, 4, Noon.AddMinutes(-9)),
            new(Cat, "Cat", 2, 4, null),
        ]);

        Assert.Equal(Ben, choice!.Agent.AgentId);
    }

    [Fact]
    public void Choose_EveryoneAtCap_ChoosesNobody()
    {
        AssignmentCandidate[] full = [new(Ann, "Ann", 3, 3, null), new(Ben, "Ben", 0, 0, null)];

        Assert.Null(AssignmentStrategies.Choose(AssignmentStrategy.LeastLoaded, full));
        Assert.Null(AssignmentStrategies.Choose(AssignmentStrategy.RoundRobin, full));
    }

    [Fact]
    public void RoundRobin_SeveralAgents_GoesToWhoHasGoneLongestWithoutOneIgnoringLoad()
    {
        var choice = AssignmentStrategies.Choose(AssignmentStrategy.RoundRobin, [
            new(Ann, "Ann", 0, 5, Noon),
            new(Ben, "Ben", 4, 5, Noon.AddMinutes(-5)),
            new(Cat, "Cat", 5, 5, null), // never had one, but at cap
        ]);

        Assert.Equal(Ben, choice!.Agent.AgentId);
        Assert.Equal("round robin, next in turn", choice.Basis);
    }

    [Fact]
    public void RoundRobin_RepeatedAssignments_TakesTurnsEvenly()
    {
        var team = new List<AssignmentCandidate> { new(Ann, "Ann", 0, 10, null), new(Ben, "Ben", 0, 10, null), new(Cat, "Cat", 0, 10, null) };
        var order = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var chosen = AssignmentStrategies.Choose(AssignmentStrategy.RoundRobin, team)!.Agent;
            order.Add(chosen.Name);
            team[team.IndexOf(chosen)] = chosen with { Active = chosen.Active + 1, LastAssignedAt = Noon.AddSeconds(i) };
        }

        Assert.Equal(["Ann", "Ben", "Cat", "Ann", "Ben", "Cat"], order);
    }

    [Fact]
    public void Skills_ConversationNeedsBilling_GoesToTheBestSkilledEvenWhenBusier()
    {
        var choice = AssignmentStrategies.Choose(AssignmentStrategy.Skills, [
            new(Ann, "Ann", 0, 5, null, new Dictionary<string, int> { ["returns"] = 5 }),
            new(Ben, "Ben", 3, 5, null, new Dictionary<string, int> { ["billing"] = 2 }),
            new(Cat, "Cat", 4, 5, null, new Dictionary<string, int> { ["billing"] = 4, ["german"] = 1 }),
        ], ["billing", "vip"]);

        Assert.Equal(Cat, choice!.Agent.AgentId);
        Assert.Equal("best skilled: billing (level 4)", choice.Basis); // "vip" is nobody's skill, so it is no need
    }

    [Fact]
    public void Skills_TwoNeedsNobodyHasBoth_PrefersMoreNeedsCoveredAndSaysWhatIsMissing()
    {
        var choice = AssignmentStrategies.Choose(AssignmentStrategy.Skills, [
            new(Ann, "Ann", 0, 5, null, new Dictionary<string, int> { ["billing"] = 5 }),
            new(Ben, "Ben", 0, 5, null, new Dictionary<string, int> { ["billing"] = 1, ["german"] = 1 }),
            new(Cat, "Cat", 0, 5, null, new Dictionary<string, int> { ["german"] = 5 }),
        ], ["german", "billing"]);
        var atCap = AssignmentStrategies.Choose(AssignmentStrategy.Skills, [
            new(Ann, "Ann", 0, 5, null, new Dictionary<string, int> { ["billing"] = 5 }),
            new(Ben, "Ben", 5, 5, null, new Dictionary<string, int> { ["billing"] = 1, ["german"] = 1 }),
            new(Cat, "Cat", 0, 5, null, new Dictionary<string, int> { ["german"] = 2 }),
        ], ["german", "billing"]);

        Assert.Equal(Ben, choice!.Agent.AgentId);
        Assert.Equal("best skilled: billing (level 1), german (level 1)", choice.Basis);
        Assert.Equal(Ann, atCap!.Agent.AgentId);
        Assert.Equal("best skilled available: billing (level 5), without german", atCap.Basis);
    }

    [Fact]
    public void Skills_NoLabelIsASkill_FallsBackToLeastLoaded()
    {
        var choice = AssignmentStrategies.Choose(AssignmentStrategy.Skills, [
            new(Ann, "Ann", 2, 5, null, new Dictionary<string, int> { ["billing"] = 5 }),
            new(Ben, "Ben", 1, 5, null),
        ], ["question"]);

        Assert.Equal(Ben, choice!.Agent.AgentId);
        Assert.Equal("least loaded, no skill needed", choice.Basis);
    }

    [Fact]
    public void Previous_PreviousAgentHasRoom_IsChosenOtherwiseNobody()
    {
        AssignmentCandidate[] team = [new(Ann, "Ann", 4, 5, null), new(Ben, "Ben", 5, 5, null)];

        Assert.Equal(Ann, AssignmentStrategies.Previous(team, Ann)!.Agent.AgentId);
        Assert.Null(AssignmentStrategies.Previous(team, Ben)); // at cap
        Assert.Null(AssignmentStrategies.Previous(team, Cat)); // not in the team, or not online
        Assert.Null(AssignmentStrategies.Previous(team, null));
    }

    [Fact]
    public void Manual_AgentsWithRoom_ChoosesNobody() =>
        Assert.Null(AssignmentStrategies.Choose(AssignmentStrategy.Manual, [new(Ann, "Ann", 0, 5, null)]));

    [Theory]
    [InlineData(RoutingChannel.Chat, 2)]
    [InlineData(RoutingChannel.Email, 12)]
    [InlineData(RoutingChannel.Api, 5)]
    public void EffectiveCap_AgentCapsOneChannel_OthersComeFromTheWorkspaceChannelThenAll(RoutingChannel channel, int expected)
    {
        var workspace = new ConcurrencyCaps(All: 5, Email: 12);
        var agent = new ConcurrencyCaps(Chat: 2);

        Assert.Equal(expected, ConcurrencyCaps.Effective(agent, workspace, channel));
    }

    [Fact]
    public void EffectiveCap_AgentCapForAll_WinsOverTheWorkspaceChannelCap() =>
        Assert.Equal(7, ConcurrencyCaps.Effective(new ConcurrencyCaps(All: 7), new ConcurrencyCaps(All: 5, Email: 12), RoutingChannel.Email));

    [Fact]
    public void EffectiveCap_NothingSetAnywhere_IsTheFallback() =>
        Assert.Equal(ConcurrencyCaps.FallbackCap, ConcurrencyCaps.Effective(ConcurrencyCaps.None, ConcurrencyCaps.None, RoutingChannel.Chat));
}
