using System.Globalization;

namespace Porchlight.Server.Features.Conversations;

/// <summary>
/// How the inbox shows stored UTC times in the agent's own time zone (the browser tells it; UTC until then):
/// short relative times in the list, clock times and day separators in the thread.
/// </summary>
public static class InboxTime
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>The browser's IANA zone, or UTC when it is unknown to this server.</summary>
    public static TimeZoneInfo Zone(string? id) =>
        !string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;

    public static DateTime Local(DateTime utc, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone);

    /// <summary>"now", "4m", "3h", "Yesterday", "Tue", "12 Mar", "12 Mar 2024".</summary>
    public static string Relative(DateTime utc, DateTime nowUtc, TimeZoneInfo zone)
    {
        var age = nowUtc - utc;
        if (age < TimeSpan.FromMinutes(1))
        {
            return "now";
        }

        if (age < TimeSpan.FromHours(1))
        {
            return $"{(int)age.TotalMinutes}m";
        }

        var local = Local(utc, zone);
        var today = Local(nowUtc, zone).Date;
        if (local.Date == today)
        {
            return $"{(int)age.TotalHours}h";
        }

        if (local.Date == today.AddDays(-1))
        {
            return "Yesterday";
        }

        if (local.Date > today.AddDays(-7))
        {
            return local.ToString("ddd", English);
        }

        return local.ToString(local.Year == today.Year ? "d MMM" : "d MMM yyyy", English);
    }

    /// <summary>The day separator of a thread: "Today", "Yesterday", "Monday 3 March", "Monday 3 March 2025".</summary>
    public static string Day(DateTime utc, DateTime nowUtc, TimeZoneInfo zone)
    {
        var day = Local(utc, zone).Date;
        var today = Local(nowUtc, zone).Date;
        if (day == today)
        {
            return "Today";
        }

        if (day == today.AddDays(-1))
        {
            return "Yesterday";
        }

        return day.ToString(day.Year == today.Year ? "dddd d MMMM" : "dddd d MMMM yyyy", English);
    }

    public static string Clock(DateTime utc, TimeZoneInfo zone) => Local(utc, zone).ToString("HH:mm", English);

    /// <summary>The full time, for tooltips: "Tue 3 Mar 2026, 14:05 (Europe/Berlin)".</summary>
    public static string Full(DateTime utc, TimeZoneInfo zone) =>
        $"{Local(utc, zone).ToString("ddd d MMM yyyy, HH:mm", English)} ({(zone == TimeZoneInfo.Utc ? "UTC" : zone.Id)})";

    /// <summary>A snooze end as agents read it: "today 17:00", "tomorrow 09:00", "Mon 9 Mar 09:00".</summary>
    public static string Until(DateTime utc, DateTime nowUtc, TimeZoneInfo zone)
    {
        var local = Local(utc, zone);
        var today = Local(nowUtc, zone).Date;
        var clock = local.ToString("HH:mm", English);
        return local.Date == today ? $"today {clock}"
            : local.Date == today.AddDays(1) ? $"tomorrow {clock}"
            : $"{local.ToString("ddd d MMM", English)} {clock}";
    }
}

/// <summary>The one or two letters that stand for a person in avatars.</summary>
public static class Initials
{
    public static string Of(string? name)
    {
        var source = name ?? "";
        // An email address stands for its local part: "ada.lovelace@example.com" is AL.
        if (source.IndexOf('@', StringComparison.Ordinal) is > 0 and var at)
        {
            source = source[..at];
        }

        // Only letters and digits stand for someone: "(Ada)" is A, and punctuation never shows in an avatar.
        var letters = source.Split([' ', '.', '-', '_'], StringSplitOptions.RemoveEmptyEntries)
            .Select(word => word.FirstOrDefault(char.IsLetterOrDigit))
            .Where(letter => letter != default)
            .Select(char.ToUpperInvariant)
            .ToList();
        return letters.Count switch
        {
            0 => "?",
            1 => letters[0].ToString(),
            _ => string.Concat(letters[0], letters[^1]),
        };
    }
}
