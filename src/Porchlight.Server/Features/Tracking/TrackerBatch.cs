using System.Text.RegularExpressions;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Tracking;

/// <summary>One event as the tracker sends it.</summary>
public sealed record TrackerEvent(
    string? Type,
    string? Url,
    string? Title,
    string? Referrer,
    string? Name,
    Dictionary<string, string>? Properties,
    string? Screen,
    string? Language,
    string? TimeZone,
    int? DurationMs)
{
    private static readonly Dictionary<string, TrackedEventType> Types = new(StringComparer.Ordinal)
    {
        ["pageview"] = TrackedEventType.PageView,
        ["leave"] = TrackedEventType.PageLeave,
        ["event"] = TrackedEventType.Custom,
    };

    public static TrackedEventType TypeOf(string type) => Types[type];

    public void Check(FieldErrors errors, string path)
    {
        if (Type is null || !Types.TryGetValue(Type, out var type))
        {
            errors.Add($"{path}.type", "One of pageview, leave, event.");
            return;
        }

        if (type != TrackedEventType.Custom || Url is not null)
        {
            if (Url is null || Url.Length > TrackedEvent.MaxUrlLength || TrackedPage.Read(Url) is null)
            {
                errors.Add($"{path}.url", $"An absolute http or https address of at most {TrackedEvent.MaxUrlLength} characters.");
            }
        }

        if (type == TrackedEventType.Custom)
        {
            errors.Required($"{path}.name", Name, TrackedEvent.MaxNameLength);
        }

        if (Referrer is { Length: > TrackedEvent.MaxUrlLength })
        {
            errors.Add($"{path}.referrer", $"At most {TrackedEvent.MaxUrlLength} characters.");
        }

        errors.MaxLength($"{path}.title", Title, TrackedEvent.MaxTitleLength)
            .MaxLength($"{path}.screen", Screen, 20)
            .MaxLength($"{path}.language", Language, 35)
            .MaxLength($"{path}.timeZone", TimeZone, 64);
        if (DurationMs is < 0 or > 86_400_000)
        {
            errors.Add($"{path}.durationMs", "From 0 to one day, in milliseconds.");
        }

        CustomAttributes.Validate(errors, $"{path}.properties", Properties);
    }
}

/// <summary>
/// What the tracker posts: the site (a web-widget inbox's public token), who and which visit, and up to 50 events.
/// Visitor and visit are left out in cookieless mode, where the server tells visits apart itself. <c>at</c>: when the
/// browser sent the batch by its own clock (milliseconds since 1970), which orders a visit's events as they happened
/// even when a beacon sent as a page unloads arrives after the next page's.
/// </summary>
public sealed partial record TrackerBatch(string? Site, string? Visitor, string? Session, List<TrackerEvent>? Events, long? At = null)
{
    public const int MaxEvents = 50;

    public FieldErrors Check()
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(Site))
        {
            errors.Add("site", "Required: the inbox token from the snippet.");
        }

        if (At is < 0 or > 253_402_300_799_999)
        {
            errors.Add("at", "Milliseconds since 1970.");
        }

        Key(errors, "visitor", Visitor, required: false);
        Key(errors, "session", Session, required: false);
        if (Events is not { Count: > 0 and <= MaxEvents })
        {
            errors.Add("events", $"From 1 to {MaxEvents} events.");
            return errors;
        }

        for (var i = 0; i < Events.Count; i++)
        {
            if (Events[i] is { } reported)
            {
                reported.Check(errors, $"events[{i}]");
            }
            else
            {
                errors.Add($"events[{i}]", "Required: an event.");
            }
        }

        return errors;
    }

    /// <summary>Where the site keeps ids in the visitor's browser, a request must name them.</summary>
    public static FieldErrors MissingKeys(string? visitor, string? session)
    {
        var errors = new FieldErrors();
        Key(errors, "visitor", visitor, required: true);
        Key(errors, "session", session, required: true);
        return errors;
    }

    internal static void Key(FieldErrors errors, string field, string? value, bool required)
    {
        if ((value is null && required) || (value is not null && !KeyPattern().IsMatch(value)))
        {
            errors.Add(field, $"Required: 8 to {TrackedEvent.MaxKeyLength} characters of A–Z, a–z, 0–9, _ and -.");
        }
    }

    public static bool IsKey(string? value) => value is not null && KeyPattern().IsMatch(value);

    [GeneratedRegex("^[A-Za-z0-9_-]{8,64}$")]
    private static partial Regex KeyPattern();
}

/// <summary>
/// What the loader posts while a page stays open (on each page, after each event the site reports, and every 15
/// seconds in view): the page, how long it has been in view, and the event just reported, if any.
/// </summary>
public sealed record TrackerPing(string? Site, string? Visitor, string? Session, string? Url, int? Seconds, string? Event)
{
    public FieldErrors Check()
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(Site))
        {
            errors.Add("site", "Required: the inbox token from the snippet.");
        }

        TrackerBatch.Key(errors, "visitor", Visitor, required: false);
        TrackerBatch.Key(errors, "session", Session, required: false);
        if (Url is null || Url.Length > TrackedEvent.MaxUrlLength || TrackedPage.Read(Url) is null)
        {
            errors.Add("url", $"An absolute http or https address of at most {TrackedEvent.MaxUrlLength} characters.");
        }

        if (Seconds is < 0 or > 86_400)
        {
            errors.Add("seconds", "From 0 to one day.");
        }

        return errors.MaxLength("event", Event, TrackedEvent.MaxNameLength);
    }
}
