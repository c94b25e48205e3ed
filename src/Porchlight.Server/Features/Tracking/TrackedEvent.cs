using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Tracking;

public enum TrackedEventType
{
    /// <summary>A page was shown (a load, or a single-page app's navigation).</summary>
    PageView = 0,

    /// <summary>The visitor left a page; carries the time spent on it.</summary>
    PageLeave = 1,

    /// <summary>Something the site reported with <c>Porchlight.track(name, properties)</c>.</summary>
    Custom = 2,
}

/// <summary>
/// One thing a visitor did on the site, as the tracker reported it. The address is kept without its query
/// string (only the UTM parameters are read from it), so what a query may carry about a person is never stored.
/// </summary>
public sealed class TrackedEvent : IWorkspaceOwned
{
    public const int MaxUrlLength = 2048;
    public const int MaxTitleLength = 300;
    public const int MaxNameLength = 100;
    public const int MaxKeyLength = 64;
    public const int MaxUtmLength = 200;

    private TrackedEvent()
    {
    }

    public Guid Id { get; private set; } = TimeOrderedIds.Next();

    public Guid WorkspaceId { get; private set; }

    public Guid InboxId { get; private set; }

    /// <summary>The tracker's id for this browser (the widget's visitor id once chat has started).</summary>
    public string VisitorKey { get; private set; } = "";

    /// <summary>The tracker's id for the visit; a new one after 30 minutes without activity.</summary>
    public string SessionKey { get; private set; } = "";

    public TrackedEventType Type { get; private set; }

    public string? Name { get; private set; }

    /// <summary>Scheme, host and path: no query, no fragment.</summary>
    public string? Url { get; private set; }

    public string? Title { get; private set; }

    public string? Referrer { get; private set; }

    public string? UtmSource { get; private set; }

    public string? UtmMedium { get; private set; }

    public string? UtmCampaign { get; private set; }

    public string? UtmTerm { get; private set; }

    public string? UtmContent { get; private set; }

    public string? Screen { get; private set; }

    public string? Language { get; private set; }

    public string? TimeZone { get; private set; }

    /// <summary>Browser, operating system and device kind, read from the request's user agent (see UserAgents).</summary>
    public string Browser { get; private set; } = "Other";

    public string Os { get; private set; } = "Other";

    public string Device { get; private set; } = "Other";

    /// <summary>For a page leave: how long the page was shown.</summary>
    public int? DurationMs { get; private set; }

    public CustomAttributes Properties { get; private set; } = new();

    public DateTime ReceivedAt { get; private set; }

    /// <summary>When the browser sent it, by the browser's clock: orders one browser's events, whatever its clock's error.</summary>
    public DateTime? SentAt { get; private set; }

    public static TrackedEvent From(
        TrackingSite site, string visitorKey, string sessionKey, UserAgentFacts software, TrackerEvent reported, DateTime receivedAt, DateTime? sentAt = null)
    {
        var page = TrackedPage.Read(reported.Url, site.Settings.KeptQueryParameters);
        return new TrackedEvent
        {
            WorkspaceId = site.WorkspaceId,
            InboxId = site.InboxId,
            VisitorKey = visitorKey,
            SessionKey = sessionKey,
            Type = TrackerEvent.TypeOf(reported.Type!),
            Name = reported.Name,
            Url = page?.Address,
            Title = reported.Title,
            Referrer = TrackedPage.Read(reported.Referrer)?.Address,
            UtmSource = page?.Utm("utm_source"),
            UtmMedium = page?.Utm("utm_medium"),
            UtmCampaign = page?.Utm("utm_campaign"),
            UtmTerm = page?.Utm("utm_term"),
            UtmContent = page?.Utm("utm_content"),
            Screen = reported.Screen,
            Language = reported.Language,
            TimeZone = reported.TimeZone,
            Browser = software.Browser,
            Os = software.Os,
            Device = software.Device,
            DurationMs = reported.DurationMs,
            Properties = new CustomAttributes(reported.Properties ?? []),
            ReceivedAt = receivedAt,
            SentAt = sentAt,
        };
    }
}

internal sealed class TrackedEventConfiguration : IEntityTypeConfiguration<TrackedEvent>
{
    public void Configure(EntityTypeBuilder<TrackedEvent> builder)
    {
        builder.Property(e => e.VisitorKey).HasMaxLength(TrackedEvent.MaxKeyLength);
        builder.Property(e => e.SessionKey).HasMaxLength(TrackedEvent.MaxKeyLength);
        builder.Property(e => e.Type).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.Name).HasMaxLength(TrackedEvent.MaxNameLength);
        builder.Property(e => e.Url).HasMaxLength(TrackedEvent.MaxUrlLength);
        builder.Property(e => e.Title).HasMaxLength(TrackedEvent.MaxTitleLength);
        builder.Property(e => e.Referrer).HasMaxLength(TrackedEvent.MaxUrlLength);
        foreach (var utm in new[] { nameof(TrackedEvent.UtmSource), nameof(TrackedEvent.UtmMedium), nameof(TrackedEvent.UtmCampaign), nameof(TrackedEvent.UtmTerm), nameof(TrackedEvent.UtmContent) })
        {
            builder.Property(utm).HasMaxLength(TrackedEvent.MaxUtmLength);
        }

        builder.Property(e => e.Screen).HasMaxLength(20);
        builder.Property(e => e.Language).HasMaxLength(35);
        builder.Property(e => e.TimeZone).HasMaxLength(64);
        builder.Property(e => e.Browser).HasMaxLength(32);
        builder.Property(e => e.Os).HasMaxLength(32);
        builder.Property(e => e.Device).HasMaxLength(16);
        builder.Property(e => e.Properties).HasConversion(JsonColumn.Converter<CustomAttributes>(), JsonColumn.Comparer<CustomAttributes>());
        builder.HasIndex(e => new { e.InboxId, e.ReceivedAt });
        builder.HasIndex(e => new { e.InboxId, e.VisitorKey, e.ReceivedAt });
        builder.HasOne<Inboxes.Inbox>().WithMany().HasForeignKey(e => e.InboxId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>
/// A reported page address reduced to what is stored: scheme, host and path, the query parameters the inbox
/// keeps (none unless configured), and its UTM parameters, which are always read into fields of their own.
/// </summary>
public sealed class TrackedPage
{
    private readonly Dictionary<string, string> _utm;

    private TrackedPage(string address, Dictionary<string, string> utm) => (Address, _utm) = (address, utm);

    public string Address { get; }

    public static TrackedPage? Read(string? url, IReadOnlyList<string>? keptParameters = null)
    {
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return null;
        }

        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(uri.Query);
        var utm = query
            .Where(p => p.Key.StartsWith("utm_", StringComparison.OrdinalIgnoreCase) && p.Value.Count > 0)
            .ToDictionary(p => p.Key.ToLowerInvariant(), p => p.Value[0]!, StringComparer.Ordinal);
        var address = uri.GetLeftPart(UriPartial.Path);
        if (keptParameters is { Count: > 0 })
        {
            var kept = keptParameters.Where(query.ContainsKey).SelectMany(name => query[name].Select(value => KeyValuePair.Create(name, value)));
            address = Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(address, kept);
        }

        return new TrackedPage(address.Length > TrackedEvent.MaxUrlLength ? uri.GetLeftPart(UriPartial.Path) : address, utm);
    }

    public string? Utm(string key) => _utm.TryGetValue(key, out var value) && value.Length > 0
        ? value[..Math.Min(value.Length, TrackedEvent.MaxUtmLength)]
        : null;
}
