using Porchlight.Server.Features.Workforce.Planning;

namespace Porchlight.Server.Tests.Features.Workforce.Planning;

public sealed class ChatStaffingTests
{
    private static readonly TimeSpan ThirtySeconds = TimeSpan.FromSeconds(30);
    private static readonly StaffingTarget EightyInThirty = StaffingTarget.ServiceLevel(0.8, ThirtySeconds);

    [Fact]
    public void RequiredAgents_DocumentedExample_FewestAgentsMeetingTheTargetThenShrinkage()
    {
        // The worked example in docs/workforce.md: 120 chats in 30 minutes, 8 minutes each, up to 3 at once,
        // 80% answered within 30 seconds, 30% shrinkage.
        var workload = new IntervalWorkload(120, TimeSpan.FromMinutes(8), 3);

        var requirement = ChatStaffing.RequiredAgents(workload, EightyInThirty with { Shrinkage = 0.3 });

        Assert.Equal(32, workload.TrafficErlangs, 9);
        Assert.Equal(13, requirement.AgentsNeeded);
        Assert.Equal(39, requirement.Performance.Slots);
        Assert.True(requirement.Performance.ServiceLevel >= 0.8);
        Assert.True(ChatStaffing.Evaluate(workload, 12, ThirtySeconds).ServiceLevel < 0.8);
        Assert.Equal(19, requirement.AgentsToSchedule); // 13 / 0.7 = 18.6
    }

    [Fact]
    public void Evaluate_ConcurrentChats_IsErlangCOnAgentsTimesChatsSlots()
    {
        var workload = new IntervalWorkload(120, TimeSpan.FromMinutes(8), 3);

        var performance = ChatStaffing.Evaluate(workload, 13, ThirtySeconds);

        Assert.Equal(ErlangC.ServiceLevel(39, 32, TimeSpan.FromMinutes(8), ThirtySeconds), performance.ServiceLevel, 12);
        Assert.Equal(ErlangC.AverageSpeedOfAnswer(39, 32, TimeSpan.FromMinutes(8)), performance.AverageSpeedOfAnswer);
        Assert.Equal(32.0 / 39, performance.Occupancy, 12);
    }

    [Fact]
    public void RequiredAgents_MoreChatsAtOnce_FewerAgents()
    {
        var one = ChatStaffing.RequiredAgents(new IntervalWorkload(120, TimeSpan.FromMinutes(8), 1), EightyInThirty);
        var three = ChatStaffing.RequiredAgents(new IntervalWorkload(120, TimeSpan.FromMinutes(8), 3), EightyInThirty);

        // The same chat handle time needs the same number of slots, and each agent now brings three.
        Assert.Equal((int)Math.Ceiling(one.AgentsNeeded / 3.0), three.AgentsNeeded);
        Assert.True(three.AgentsNeeded < one.AgentsNeeded);
    }

    [Fact]
    public void RequiredAgents_HundredsOfAgents_Found()
    {
        var workload = new IntervalWorkload(5000, TimeSpan.FromMinutes(6), 2);

        var requirement = ChatStaffing.RequiredAgents(workload, EightyInThirty);

        Assert.InRange(requirement.AgentsNeeded, 500, 600);
        Assert.True(requirement.Performance.ServiceLevel >= 0.8);
        Assert.True(ChatStaffing.Evaluate(workload, requirement.AgentsNeeded - 1, ThirtySeconds).ServiceLevel < 0.8);
    }

    [Fact]
    public void RequiredAgents_NoConversations_NoAgents()
    {
        var requirement = ChatStaffing.RequiredAgents(new IntervalWorkload(0, TimeSpan.FromMinutes(8), 3), EightyInThirty with { Shrinkage = 0.3 });

        Assert.Equal(0, requirement.AgentsNeeded);
        Assert.Equal(0, requirement.AgentsToSchedule);
    }

    [Fact]
    public void RequiredAgents_AverageWaitTarget_FewestAgentsWithinIt()
    {
        var workload = new IntervalWorkload(120, TimeSpan.FromMinutes(8), 3);
        var target = StaffingTarget.AverageWait(TimeSpan.FromSeconds(5));

        var requirement = ChatStaffing.RequiredAgents(workload, target);

        Assert.True(requirement.Performance.AverageSpeedOfAnswer <= TimeSpan.FromSeconds(5));
        Assert.True(ChatStaffing.Evaluate(workload, requirement.AgentsNeeded - 1, ThirtySeconds).AverageSpeedOfAnswer > TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void RequiredAgents_OccupancyCeiling_AddsAgentsUntilBelowIt()
    {
        var workload = new IntervalWorkload(120, TimeSpan.FromMinutes(8), 3);

        var plain = ChatStaffing.RequiredAgents(workload, EightyInThirty);
        var capped = ChatStaffing.RequiredAgents(workload, EightyInThirty with { MaximumOccupancy = 0.7 });

        Assert.True(plain.Performance.Occupancy > 0.7);
        Assert.True(capped.Performance.Occupancy <= 0.7);
        Assert.True(ChatStaffing.Evaluate(workload, capped.AgentsNeeded - 1, ThirtySeconds).Occupancy > 0.7);
    }

    [Theory]
    [InlineData(0.0, 13)]
    [InlineData(0.3, 19)]
    [InlineData(0.5, 26)]
    [InlineData(0.9, 130)]
    public void RequiredAgents_Shrinkage_DividesAndRoundsUp(double shrinkage, int toSchedule)
    {
        var workload = new IntervalWorkload(120, TimeSpan.FromMinutes(8), 3);

        var requirement = ChatStaffing.RequiredAgents(workload, EightyInThirty with { Shrinkage = shrinkage });

        Assert.Equal(13, requirement.AgentsNeeded);
        Assert.Equal(toSchedule, requirement.AgentsToSchedule);
    }

    [Fact]
    public void RequiredAgents_NonsenseInput_ThrowsNamingTheParameter()
    {
        var handle = TimeSpan.FromMinutes(8);
        Assert.Throws<ArgumentOutOfRangeException>("Conversations", () => ChatStaffing.RequiredAgents(new IntervalWorkload(-1, handle, 3), EightyInThirty));
        Assert.Throws<ArgumentOutOfRangeException>("Conversations", () => ChatStaffing.RequiredAgents(new IntervalWorkload(double.NaN, handle, 3), EightyInThirty));
        Assert.Throws<ArgumentOutOfRangeException>("AverageHandleTime", () => ChatStaffing.RequiredAgents(new IntervalWorkload(10, TimeSpan.Zero, 3), EightyInThirty));
        Assert.Throws<ArgumentOutOfRangeException>("ConcurrentChatsPerAgent", () => ChatStaffing.RequiredAgents(new IntervalWorkload(10, handle, 0), EightyInThirty));
        Assert.Throws<ArgumentOutOfRangeException>("Shrinkage", () => ChatStaffing.RequiredAgents(new IntervalWorkload(10, handle, 3), EightyInThirty with { Shrinkage = 0.95 }));
        Assert.Throws<ArgumentOutOfRangeException>("Shrinkage", () => ChatStaffing.RequiredAgents(new IntervalWorkload(10, handle, 3), EightyInThirty with { Shrinkage = -0.1 }));
        Assert.Throws<ArgumentOutOfRangeException>("MaximumOccupancy", () => ChatStaffing.RequiredAgents(new IntervalWorkload(10, handle, 3), EightyInThirty with { MaximumOccupancy = 1.2 }));
        Assert.Throws<ArgumentOutOfRangeException>("share", () => StaffingTarget.ServiceLevel(1, ThirtySeconds));
        Assert.Throws<ArgumentOutOfRangeException>("answerWithin", () => StaffingTarget.ServiceLevel(0.8, TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>("maximum", () => StaffingTarget.AverageWait(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>("agents", () => ChatStaffing.Evaluate(new IntervalWorkload(10, handle, 3), -1, ThirtySeconds));
    }
}
