namespace Porchlight.Server.Features.Conversations;

public sealed record SnoozeOption(string Label, string Detail, DateTime UntilUtc);

/// <summary>The snooze choices the inbox offers, computed in the agent's time zone: "tomorrow 9:00" is their morning.</summary>
public static class SnoozePresets
{
    private static readonly TimeSpan Morning = TimeSpan.FromHours(9);

    public static IReadOnlyList<SnoozeOption> For(DateTime nowUtc, TimeZoneInfo zone)
    {
        var today = InboxTime.Local(nowUtc, zone).Date;
        var inOneHour = nowUtc.AddHours(1);
        var inFourHours = nowUtc.AddHours(4);
        var tomorrow = ToUtc(today.AddDays(1) + Morning, zone);
        var daysToMonday = ((int)DayOfWeek.Monday - (int)today.DayOfWeek + 7) % 7;
        var nextWeek = ToUtc(today.AddDays(daysToMonday == 0 ? 7 : daysToMonday) + Morning, zone);
        return
        [
            new("1 hour", InboxTime.Clock(inOneHour, zone), inOneHour),
            new("4 hours", InboxTime.Clock(inFourHours, zone), inFourHours),
            new("Tomorrow", InboxTime.Until(tomorrow, nowUtc, zone), tomorrow),
            new("Next week", InboxTime.Until(nextWeek, nowUtc, zone), nextWeek),
        ];
    }

    // 9:00 can fall into a daylight-saving gap in a few zones; an hour later then exists.
    private static DateTime ToUtc(DateTime local, TimeZoneInfo zone)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(unspecified))
        {
            unspecified = unspecified.AddHours(1);
        }

        return TimeZoneInfo.ConvertTimeToUtc(unspecified, zone);
    }
}
