using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Tracking;

/// <summary>Whether and how a web-widget inbox's loader tracks visitors. Sent and stored by name.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TrackingMode>))]
public enum TrackingMode
{
    /// <summary>Page views and events, with a visitor id and a visit id kept in the site's own storage.</summary>
    On = 0,

    /// <summary>Nothing kept in the visitor's browser: the server tells visits apart by a salted hash that changes every day.</summary>
    Cookieless = 1,

    /// <summary>The loader shows the chat only.</summary>
    Off = 2,
}

/// <summary>What is kept of a visitor's IP address. Never the whole address.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<IpAddressStorage>))]
public enum IpAddressStorage
{
    /// <summary>The network part only: the last byte of an IPv4 address and the last 80 bits of an IPv6 address are zeroed.</summary>
    Truncated = 0,

    /// <summary>A salted hash that changes every day: the same address can be recognised within a day, never read back.</summary>
    Hashed = 1,

    /// <summary>Nothing.</summary>
    None = 2,
}

/// <summary>
/// A web-widget inbox's tracking rules: the mode, whether the site asks visitors for consent first, which query
/// parameters of page addresses may be kept (none by default: a query may carry anything about a person), what is
/// kept of IP addresses, which sites may report events for it (any, when the list is empty), and how many days raw
/// events are kept.
/// </summary>
public sealed partial record TrackingSettings(
    TrackingMode Mode, bool RequireConsent, IReadOnlyList<string> KeptQueryParameters, IpAddressStorage IpAddresses, IReadOnlyList<string> AllowedOrigins,
    int RetentionDays = TrackingSettings.DefaultRetentionDays)
{
    /// <summary>Raw events are kept 13 months by default: a year's comparison and a month to spare. Visits are kept.</summary>
    public const int DefaultRetentionDays = 396;
    public const int MaxRetentionDays = 3650;
    public const int MaxQueryParameters = 20;
    public const int MaxQueryParameterLength = 40;
    public const int MaxOrigins = 20;

    public static TrackingSettings Default { get; } = new(TrackingMode.On, false, [], IpAddressStorage.Truncated, []);

    /// <summary>Whether a report that says it comes from <paramref name="origin"/> (the request's Origin header) is taken.</summary>
    public bool Allows(string? origin) =>
        AllowedOrigins.Count == 0 || (origin is not null && AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase));

    /// <summary>Merges the fields that were sent over <paramref name="current"/>, validating each.</summary>
    public static TrackingSettings Merge(TrackingSettingsDto? dto, TrackingSettings current, FieldErrors errors)
    {
        if (dto is null)
        {
            return current;
        }

        if (dto.Mode is { } mode && !Enum.IsDefined(mode))
        {
            errors.Add("tracking.mode", "One of On, Cookieless, Off.");
        }

        if (dto.IpAddresses is { } ip && !Enum.IsDefined(ip))
        {
            errors.Add("tracking.ipAddresses", "One of Truncated, Hashed, None.");
        }

        if (dto.RetentionDays is < 1 or > MaxRetentionDays)
        {
            errors.Add("tracking.retentionDays", $"From 1 to {MaxRetentionDays} days.");
        }

        var parameters = dto.KeptQueryParameters is null ? current.KeptQueryParameters : QueryParameters(dto.KeptQueryParameters, errors);
        var origins = dto.AllowedOrigins is null ? current.AllowedOrigins : Origins(dto.AllowedOrigins, errors);
        return new TrackingSettings(
            dto.Mode ?? current.Mode, dto.RequireConsent ?? current.RequireConsent, parameters, dto.IpAddresses ?? current.IpAddresses, origins,
            dto.RetentionDays ?? current.RetentionDays);
    }

    private static List<string> QueryParameters(List<string> sent, FieldErrors errors)
    {
        var names = sent.Select(n => n?.Trim() ?? "").Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (names.Count > MaxQueryParameters)
        {
            errors.Add("tracking.keptQueryParameters", $"At most {MaxQueryParameters} names.");
        }
        else if (names.FirstOrDefault(n => !ParameterName().IsMatch(n)) is { } bad)
        {
            errors.Add("tracking.keptQueryParameters", $"'{bad}' is not a parameter name: 1–{MaxQueryParameterLength} characters of letters, digits, _, - and . .");
        }

        return names;
    }

    private static List<string> Origins(List<string> sent, FieldErrors errors)
    {
        var origins = new List<string>();
        foreach (var text in sent.Select(o => o?.Trim() ?? "").Where(o => o.Length > 0))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.PathAndQuery != "/" || uri.Fragment.Length > 0
                || !string.IsNullOrEmpty(uri.UserInfo))
            {
                errors.Add("tracking.allowedOrigins", $"'{text}' is not an origin: a scheme and host like https://shop.example, with a port if it is not the usual one.");
                return origins;
            }

            // As browsers write the Origin header (a name in punycode, the port only when it is not the default).
            var origin = WebOrigin.Of(uri);
            if (!origins.Contains(origin, StringComparer.Ordinal))
            {
                origins.Add(origin);
            }
        }

        if (origins.Count > MaxOrigins)
        {
            errors.Add("tracking.allowedOrigins", $"At most {MaxOrigins} origins.");
        }

        return origins;
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,40}$")]
    private static partial Regex ParameterName();
}

/// <summary>Tracking rules as sent on create and update: a field left out keeps its current value; a list replaces the whole list.</summary>
public sealed record TrackingSettingsDto(
    TrackingMode? Mode = null, bool? RequireConsent = null, List<string>? KeptQueryParameters = null, IpAddressStorage? IpAddresses = null,
    List<string>? AllowedOrigins = null, int? RetentionDays = null);
