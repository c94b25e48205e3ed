using System.Text.RegularExpressions;

namespace Porchlight.Server.Features.Tracking;

/// <summary>What a user agent string says about the visitor's software: read on the server, never by a third party.</summary>
public sealed record UserAgentFacts(string Browser, string Os, string Device, bool IsBot);

/// <summary>
/// A small reading of user agent strings: the common browsers, systems and device kinds, and crawlers, monitors and
/// scripts, whose hits are not counted. Anything it does not recognise is "Other"; it does not try to be complete.
/// </summary>
public static partial class UserAgents
{
    public static UserAgentFacts Read(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent) || Bot().IsMatch(userAgent))
        {
            return new UserAgentFacts("Other", "Other", "Other", IsBot: true);
        }

        return new UserAgentFacts(BrowserOf(userAgent), OsOf(userAgent), DeviceOf(userAgent), IsBot: false);
    }

    // Order matters: Edge, Opera and Samsung Internet also say "Chrome", and Chrome also says "Safari".
    private static string BrowserOf(string ua) =>
        ua.Contains("Edg", StringComparison.Ordinal) ? "Edge"
        : ua.Contains("OPR/", StringComparison.Ordinal) || ua.Contains("Opera", StringComparison.Ordinal) ? "Opera"
        : ua.Contains("SamsungBrowser", StringComparison.Ordinal) ? "Samsung Internet"
        : ua.Contains("Firefox/", StringComparison.Ordinal) || ua.Contains("FxiOS", StringComparison.Ordinal) ? "Firefox"
        : ua.Contains("Chrome/", StringComparison.Ordinal) || ua.Contains("CriOS", StringComparison.Ordinal) ? "Chrome"
        : ua.Contains("Safari/", StringComparison.Ordinal) && ua.Contains("Version/", StringComparison.Ordinal) ? "Safari"
        : "Other";

    private static string OsOf(string ua) =>
        ua.Contains("Windows", StringComparison.Ordinal) ? "Windows"
        : ua.Contains("Android", StringComparison.Ordinal) ? "Android"
        : ua.Contains("iPhone", StringComparison.Ordinal) || ua.Contains("iPad", StringComparison.Ordinal) || ua.Contains("iPod", StringComparison.Ordinal) ? "iOS"
        : ua.Contains("Mac OS X", StringComparison.Ordinal) ? "macOS"
        : ua.Contains("CrOS", StringComparison.Ordinal) ? "ChromeOS"
        : ua.Contains("Linux", StringComparison.Ordinal) ? "Linux"
        : "Other";

    private static string DeviceOf(string ua) =>
        ua.Contains("iPad", StringComparison.Ordinal) || ua.Contains("Tablet", StringComparison.Ordinal)
            || (ua.Contains("Android", StringComparison.Ordinal) && !ua.Contains("Mobile", StringComparison.Ordinal)) ? "Tablet"
        : ua.Contains("Mobi", StringComparison.Ordinal) || ua.Contains("iPhone", StringComparison.Ordinal) || ua.Contains("iPod", StringComparison.Ordinal) ? "Mobile"
        : "Desktop";

    [GeneratedRegex(@"bot\b|bot/|crawl|spider|slurp|headless|lighthouse|facebookexternalhit|embedly|preview|monitor|pingdom|uptime|curl/|wget/|python-|httpclient|go-http|java/|okhttp|axios|node-fetch",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Bot();
}
