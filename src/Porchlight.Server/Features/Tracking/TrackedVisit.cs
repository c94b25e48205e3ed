using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Tracking;

/// <summary>
/// One browser the tracker has seen on a site: when first, when its latest visit began, how many visits, where it
/// first came from, and the contact it belongs to once its visitor opened the chat (the widget links the two) or was
/// identified. The row changes when a visit begins, not with every event: the visit's row has the latest activity,
/// and a second random write per event cost the writer about a tenth of its time (docs/benchmarks.md).
/// </summary>
public sealed class TrackedVisitor : IWorkspaceOwned
{
    private TrackedVisitor()
    {
    }

    public Guid Id { get; private set; } = TimeOrderedIds.Next();

    public Guid WorkspaceId { get; private set; }

    public Guid InboxId { get; private set; }

    public string VisitorKey { get; private set; } = "";

    /// <summary>The contact this browser chats as; null until the visitor opens the chat.</summary>
    public Guid? ContactId { get; private set; }

    public DateTime FirstSeenAt { get; private set; }

    /// <summary>When the browser's latest visit began.</summary>
    public DateTime LatestVisitAt { get; private set; }

    public int Visits { get; private set; }

    public string? FirstReferrer { get; private set; }

    public string? FirstUtmSource { get; private set; }

    public string? FirstUtmCampaign { get; private set; }

    public static TrackedVisitor Create(Guid workspaceId, Guid inboxId, string visitorKey, DateTime now) => new()
    {
        WorkspaceId = workspaceId,
        InboxId = inboxId,
        VisitorKey = visitorKey,
        FirstSeenAt = now,
        LatestVisitAt = now,
    };

    /// <summary>Counts a visit whose first event is <paramref name="first"/>; the first visit's source is kept.</summary>
    public void Began(TrackedEvent first)
    {
        if (Visits == 0)
        {
            FirstReferrer = first.Referrer;
            FirstUtmSource = first.UtmSource;
            FirstUtmCampaign = first.UtmCampaign;
        }

        Visits++;
        LatestVisitAt = first.ReceivedAt > LatestVisitAt ? first.ReceivedAt : LatestVisitAt;
    }

    public void BelongsTo(Guid contactId) => ContactId = contactId;
}

/// <summary>
/// One visit: from the first event to the last before 30 minutes of silence. Entry and exit page, page views,
/// source and software, kept up to date by the tracking writer as events arrive, so lists and reports read
/// one row per visit instead of its events.
/// </summary>
public sealed class TrackedSession : IWorkspaceOwned
{
    public const int MaxIpLength = 45;

    private TrackedSession()
    {
    }

    public Guid Id { get; private set; } = TimeOrderedIds.Next();

    public Guid WorkspaceId { get; private set; }

    public Guid InboxId { get; private set; }

    public string VisitorKey { get; private set; } = "";

    public string SessionKey { get; private set; } = "";

    public DateTime StartedAt { get; private set; }

    public DateTime LastSeenAt { get; private set; }

    public string? EntryUrl { get; private set; }

    public string? ExitUrl { get; private set; }

    public int PageViews { get; private set; }

    public int CustomEvents { get; private set; }

    /// <summary>The visitor had visited before this visit began.</summary>
    public bool IsReturning { get; private set; }

    public string? Referrer { get; private set; }

    public string? UtmSource { get; private set; }

    public string? UtmMedium { get; private set; }

    public string? UtmCampaign { get; private set; }

    public string Browser { get; private set; } = "Other";

    public string Os { get; private set; } = "Other";

    public string Device { get; private set; } = "Other";

    /// <summary>ISO 3166 code from the configured GeoIP database; null without one.</summary>
    public string? Country { get; private set; }

    /// <summary>Truncated or a daily hash, per the inbox's settings; never the whole address.</summary>
    public string? IpAddress { get; private set; }

    public static TrackedSession Begin(TrackedEvent first, bool isReturning, string? ipAddress, string? country) => new()
    {
        WorkspaceId = first.WorkspaceId,
        InboxId = first.InboxId,
        VisitorKey = first.VisitorKey,
        SessionKey = first.SessionKey,
        StartedAt = first.ReceivedAt,
        LastSeenAt = first.ReceivedAt,
        IsReturning = isReturning,
        Referrer = first.Referrer,
        UtmSource = first.UtmSource,
        UtmMedium = first.UtmMedium,
        UtmCampaign = first.UtmCampaign,
        Browser = first.Browser,
        Os = first.Os,
        Device = first.Device,
        Country = country,
        IpAddress = ipAddress,
    };

    public void Saw(TrackedEvent done)
    {
        LastSeenAt = done.ReceivedAt > LastSeenAt ? done.ReceivedAt : LastSeenAt;
        switch (done.Type)
        {
            case TrackedEventType.PageView:
                PageViews++;
                EntryUrl ??= done.Url;
                ExitUrl = done.Url;
                break;
            case TrackedEventType.Custom:
                CustomEvents++;
                break;
        }
    }
}

internal sealed class TrackedVisitorConfiguration : IEntityTypeConfiguration<TrackedVisitor>
{
    public void Configure(EntityTypeBuilder<TrackedVisitor> builder)
    {
        builder.Property(v => v.VisitorKey).HasMaxLength(TrackedEvent.MaxKeyLength);
        builder.Property(v => v.FirstReferrer).HasMaxLength(TrackedEvent.MaxUrlLength);
        builder.Property(v => v.FirstUtmSource).HasMaxLength(TrackedEvent.MaxUtmLength);
        builder.Property(v => v.FirstUtmCampaign).HasMaxLength(TrackedEvent.MaxUtmLength);
        builder.HasIndex(v => new { v.InboxId, v.VisitorKey }).IsUnique();
        builder.HasIndex(v => v.ContactId);
        builder.HasOne<Inboxes.Inbox>().WithMany().HasForeignKey(v => v.InboxId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TrackedSessionConfiguration : IEntityTypeConfiguration<TrackedSession>
{
    public void Configure(EntityTypeBuilder<TrackedSession> builder)
    {
        builder.Property(s => s.VisitorKey).HasMaxLength(TrackedEvent.MaxKeyLength);
        builder.Property(s => s.SessionKey).HasMaxLength(TrackedEvent.MaxKeyLength);
        builder.Property(s => s.EntryUrl).HasMaxLength(TrackedEvent.MaxUrlLength);
        builder.Property(s => s.ExitUrl).HasMaxLength(TrackedEvent.MaxUrlLength);
        builder.Property(s => s.Referrer).HasMaxLength(TrackedEvent.MaxUrlLength);
        builder.Property(s => s.UtmSource).HasMaxLength(TrackedEvent.MaxUtmLength);
        builder.Property(s => s.UtmMedium).HasMaxLength(TrackedEvent.MaxUtmLength);
        builder.Property(s => s.UtmCampaign).HasMaxLength(TrackedEvent.MaxUtmLength);
        builder.Property(s => s.Browser).HasMaxLength(32);
        builder.Property(s => s.Os).HasMaxLength(32);
        builder.Property(s => s.Device).HasMaxLength(16);
        builder.Property(s => s.Country).HasMaxLength(2);
        builder.Property(s => s.IpAddress).HasMaxLength(TrackedSession.MaxIpLength);
        builder.HasIndex(s => new { s.InboxId, s.SessionKey }).IsUnique();
        builder.HasIndex(s => new { s.InboxId, s.StartedAt });
        builder.HasIndex(s => new { s.InboxId, s.VisitorKey, s.StartedAt });
        builder.HasOne<Inboxes.Inbox>().WithMany().HasForeignKey(s => s.InboxId).OnDelete(DeleteBehavior.Cascade);
    }
}
