using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Routing;
using Porchlight.Server.Features.Workforce;

namespace Porchlight.Server.Tests.Features.Workforce;

/// <summary>Workload arithmetic: active conversations as a step function, time at a cap, long holds, difficult runs, local days.</summary>
public sealed class WorkloadTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly Dictionary<RoutingChannel, int> Caps = new() { [RoutingChannel.Chat] = 2, [RoutingChannel.Email] = 5, [RoutingChannel.Api] = 5 };
    private static readonly DateTime Nine = new(2026, 12, 7, 8, 0, 0, DateTimeKind.Utc); // 09:00 in Berlin

    [Fact]
    public void Holds_TwoChatsOverlapping_AverageAndPeakPerHourAndTimeAtTheCapExact()
    {
        // 09:00–10:30 one chat; 09:30–10:00 a second: at the cap of 2 for 30 minutes. An email 10:00–11:00 is under its cap.
        HeldConversation[] holds =
        [
            Chat(Nine, Nine.AddMinutes(90)),
            Chat(Nine.AddMinutes(30), Nine.AddMinutes(60)),
            new(Guid.NewGuid(), RoutingChannel.Email, Nine.AddMinutes(60), Nine.AddMinutes(120), StillHeld: false),
        ];

        var figures = Workload.Of(holds, Caps, [], new HashSet<Guid>(), null, Berlin, Nine, Nine.AddHours(3));

        Assert.Equal(3, figures.Hours.Count);
        Assert.Equal((1.5, 2, 30.0), (figures.Hours[0].AverageActive, figures.Hours[0].PeakActive, figures.Hours[0].MinutesAtCap));
        Assert.Equal((1.5, 2, 0.0), (figures.Hours[1].AverageActive, figures.Hours[1].PeakActive, figures.Hours[1].MinutesAtCap));
        Assert.Equal((0.0, 0), (figures.Hours[2].AverageActive, figures.Hours[2].PeakActive));
        Assert.Equal(new TimeOnly(9, 0), figures.Hours[0].LocalStart);
        Assert.Equal((30.0, 30.0, 3), (figures.MinutesAtCap, figures.LongestMinutesAtCap, figures.ConversationsTaken));
    }

    [Fact]
    public void AtCap_StretchOverAnHourBoundary_LongestStretchJoinsTheHours()
    {
        HeldConversation[] holds = [Chat(Nine.AddMinutes(40), Nine.AddMinutes(100)), Chat(Nine.AddMinutes(45), Nine.AddMinutes(95)), Chat(Nine.AddMinutes(150), Nine.AddMinutes(160)), Chat(Nine.AddMinutes(150), Nine.AddMinutes(155))];

        var figures = Workload.Of(holds, Caps, [], new HashSet<Guid>(), null, Berlin, Nine, Nine.AddHours(3));

        Assert.Equal((15.0, 35.0), (figures.Hours[0].MinutesAtCap, figures.Hours[1].MinutesAtCap));
        Assert.Equal(55.0, figures.MinutesAtCap);
        Assert.Equal(50.0, figures.LongestMinutesAtCap);
    }

    [Fact]
    public void Conversations_NegativeToneAndLongHolds_CountedWithTheLongestDifficultRun()
    {
        var taken = Enumerable.Range(0, 6).Select(i => Chat(Nine.AddMinutes(20 * i), Nine.AddMinutes((20 * i) + (i == 2 ? 45 : 10)))).ToList();
        // Still held after 50 minutes: not long yet, its length is not known.
        taken.Add(Chat(Nine.AddMinutes(130), Nine.AddMinutes(180)) with { StillHeld = true });
        // Tone: no, yes, yes, yes, no, yes, yes.
        var negative = taken.Where((_, i) => i is 1 or 2 or 3 or 5 or 6).Select(h => h.ConversationId).ToHashSet();
        StatusSpan[] online = [new(PresenceStatus.Online, Nine, Nine.AddHours(2)), new(PresenceStatus.Break, Nine.AddHours(2), Nine.AddHours(2.5)), new(PresenceStatus.Online, Nine.AddHours(2.5), Nine.AddHours(3.5))];

        var figures = Workload.Of(taken, Caps, online, negative, TimeSpan.FromMinutes(30), Berlin, Nine, Nine.AddHours(4));

        Assert.Equal((7, 5, 3, 1), (figures.ConversationsTaken, figures.NegativeToneConversations, figures.LongestDifficultRun, figures.LongHolds));
        Assert.Equal(7 / 3.0, figures.ConversationsPerOnlineHour!.Value, 9);
        var day = Assert.Single(figures.Days);
        Assert.Equal((new DateOnly(2026, 12, 7), 3.0, 0.5, 3.5, 7), (day.Day, day.OnlineHours, day.BreakHours, day.ConnectedHours, day.ConversationsTaken));
    }

    [Fact]
    public void Hours_OnTheNightTheClocksGoForward_TheDayHas23HoursAndNoTwoOClock()
    {
        var midnight = LocalIntervals.InstantOf(new DateTime(2027, 3, 28, 0, 0, 0, DateTimeKind.Unspecified), Berlin);
        var next = LocalIntervals.InstantOf(new DateTime(2027, 3, 29, 0, 0, 0, DateTimeKind.Unspecified), Berlin);

        var figures = Workload.Of([], Caps, [], new HashSet<Guid>(), null, Berlin, midnight, next);

        Assert.Equal(23, figures.Hours.Count);
        Assert.DoesNotContain(figures.Hours, h => h.LocalStart == new TimeOnly(2, 0));
        Assert.All(figures.Hours, h => Assert.Equal(new DateOnly(2027, 3, 28), h.Day));
        Assert.Null(figures.ConversationsPerOnlineHour);
    }

    private static HeldConversation Chat(DateTime from, DateTime to) => new(Guid.NewGuid(), RoutingChannel.Chat, from, to, StillHeld: false);
}
