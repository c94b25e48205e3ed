using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Tests.Features.Conversations;

/// <summary>Times in the inbox are the agent's own: relative in the list, days in the thread, snoozes in their morning.</summary>
public sealed class InboxPageTimeTests
{
    private static readonly TimeZoneInfo Berlin = InboxTime.Zone("Europe/Berlin");

    // Wednesday 25 November 2026, 10:30 in Berlin (UTC+1).
    private static readonly DateTime Now = new(2026, 11, 25, 9, 30, 0, DateTimeKind.Utc);

    [Fact]
    public void Zone_UnknownOrMissing_IsUtc()
    {
        Assert.Equal(TimeZoneInfo.Utc, InboxTime.Zone("Mars/Olympus_Mons"));
        Assert.Equal(TimeZoneInfo.Utc, InboxTime.Zone(null));
        Assert.NotEqual(TimeZoneInfo.Utc, Berlin);
    }

    [Theory]
    [InlineData(0, "now")]
    [InlineData(59, "now")]
    [InlineData(60 * 5, "5m")]
    [InlineData(60 * 60 * 3, "3h")]
    [InlineData(60 * 60 * 11, "Yesterday")] // 23:30 the evening before, in Berlin
    [InlineData(60 * 60 * 24 * 3, "Sun")]
    [InlineData(60 * 60 * 24 * 30, "26 Oct")]
    [InlineData(60 * 60 * 24 * 400, "21 Oct 2025")]
    public void Relative_AgesFromNowToLastYear_ReadShort(int secondsAgo, string expected) =>
        Assert.Equal(expected, InboxTime.Relative(Now.AddSeconds(-secondsAgo), Now, Berlin));

    [Fact]
    public void Day_MessagesAroundMidnight_FallOnTheAgentsLocalDay()
    {
        // 23:30 UTC on the 24th is already the 25th in Berlin.
        Assert.Equal("Today", InboxTime.Day(new DateTime(2026, 11, 24, 23, 30, 0, DateTimeKind.Utc), Now, Berlin));
        Assert.Equal("Yesterday", InboxTime.Day(new DateTime(2026, 11, 24, 22, 30, 0, DateTimeKind.Utc), Now, Berlin));
        Assert.Equal("Yesterday", InboxTime.Day(new DateTime(2026, 11, 24, 23, 30, 0, DateTimeKind.Utc), Now, TimeZoneInfo.Utc));
        Assert.Equal("Friday 2 October", InboxTime.Day(new DateTime(2026, 10, 2, 12, 0, 0, DateTimeKind.Utc), Now, Berlin));
        Assert.Equal("Thursday 2 October 2025", InboxTime.Day(new DateTime(2025, 10, 2, 12, 0, 0, DateTimeKind.Utc), Now, Berlin));
    }

    [Fact]
    public void Snooze_Presets_AreAnHourLaterTomorrowMorningAndNextMondayInTheAgentsZone()
    {
        var options = SnoozePresets.For(Now, Berlin);

        Assert.Equal(["1 hour", "4 hours", "Tomorrow", "Next week"], options.Select(o => o.Label));
        Assert.Equal(Now.AddHours(1), options[0].UntilUtc);
        // 09:00 in Berlin in winter is 08:00 UTC.
        Assert.Equal(new DateTime(2026, 11, 26, 8, 0, 0, DateTimeKind.Utc), options[2].UntilUtc);
        Assert.Equal("tomorrow 09:00", options[2].Detail);
        Assert.Equal(new DateTime(2026, 11, 30, 8, 0, 0, DateTimeKind.Utc), options[3].UntilUtc);
        Assert.Equal("Mon 30 Nov 09:00", options[3].Detail);
        Assert.All(options, o => Assert.Equal(DateTimeKind.Utc, o.UntilUtc.Kind));
    }

    [Fact]
    public void Snooze_NextWeekOnAMonday_IsTheFollowingMonday()
    {
        var monday = new DateTime(2026, 11, 30, 7, 0, 0, DateTimeKind.Utc);

        Assert.Equal(new DateTime(2026, 12, 7, 8, 0, 0, DateTimeKind.Utc), SnoozePresets.For(monday, Berlin)[3].UntilUtc);
    }

    [Fact]
    public void Snooze_TomorrowAcrossTheSummerTimeChange_IsStillNineInTheMorning()
    {
        // Saturday 28 March 2026; the clocks go forward that night, so Sunday 09:00 in Berlin is 07:00 UTC.
        var saturday = new DateTime(2026, 3, 28, 12, 0, 0, DateTimeKind.Utc);

        Assert.Equal(new DateTime(2026, 3, 29, 7, 0, 0, DateTimeKind.Utc), SnoozePresets.For(saturday, Berlin)[2].UntilUtc);
    }
}
