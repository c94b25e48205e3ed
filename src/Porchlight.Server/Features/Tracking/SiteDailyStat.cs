using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Tracking;

/// <summary>What a row of <see cref="SiteDailyStat"/> counts by.</summary>
public enum SiteDimension
{
    /// <summary>The whole site (one row a day, <c>Key</c> empty).</summary>
    Site = 0,

    /// <summary>A page (address) viewed.</summary>
    Page = 1,

    /// <summary>The first page of a visit.</summary>
    EntryPage = 2,

    /// <summary>The host a visit came from, or "(direct)".</summary>
    Referrer = 3,

    UtmSource = 4,
    UtmCampaign = 5,
    Device = 6,
    Browser = 7,
    Os = 8,

    /// <summary>ISO code, or "" when unknown.</summary>
    Country = 9,
}

/// <summary>
/// One day's figures of a site (an inbox) by one dimension value, rolled up from the raw events and visits by
/// <see cref="TrackingRollups"/> so a period's statistics read a few rows a day instead of millions of events. A day
/// is always rolled up whole, from scratch, so a late event makes it exactly what it would have been.
/// Visits count on the day they began; page views on the day they happened.
/// </summary>
public sealed class SiteDailyStat : IWorkspaceOwned
{
    public const int MaxKeyLength = 400;

    private SiteDailyStat()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public Guid InboxId { get; private set; }

    public SiteDimension Dimension { get; private set; }

    /// <summary>UTC day.</summary>
    public DateOnly Day { get; private set; }

    public string Key { get; private set; } = "";

    /// <summary>Distinct visitors of the day (the site row only).</summary>
    public int Visitors { get; private set; }

    /// <summary>Visits begun (for pages: visits that viewed the page).</summary>
    public int Visits { get; private set; }

    public int PageViews { get; private set; }

    /// <summary>Visits of one page view or none.</summary>
    public int Bounces { get; private set; }

    /// <summary>Seconds from the first to the last event of the visits, summed.</summary>
    public long VisitSeconds { get; private set; }

    /// <summary>Chat conversations begun (on a page: while it was the page in view).</summary>
    public int Conversations { get; private set; }

    /// <summary>The day's visitors as a <see cref="VisitorSketch"/> (the site row only).</summary>
    public byte[]? VisitorSketch { get; private set; }

    public static SiteDailyStat For(Guid workspaceId, Guid inboxId, DateOnly day, SiteDimension dimension, string key) => new()
    {
        WorkspaceId = workspaceId,
        InboxId = inboxId,
        Day = day,
        Dimension = dimension,
        Key = key.Length > MaxKeyLength ? key[..MaxKeyLength] : key,
    };

    public void CountVisit(int pageViews, long seconds)
    {
        Visits++;
        Bounces += pageViews <= 1 ? 1 : 0;
        VisitSeconds += seconds;
        PageViews += pageViews;
    }

    public void CountPage(int pageViews, int visits) => (PageViews, Visits) = (PageViews + pageViews, Visits + visits);

    public void CountConversation() => Conversations++;

    public void CountVisitors(VisitorSketch sketch, int visitors) => (VisitorSketch, Visitors) = (sketch.ToArray(), visitors);
}

/// <summary>
/// A day of a site whose figures changed since they were rolled up: marked by the tracking writer in the same
/// transaction as the events (so no stored event is ever left out of its day), cleared by the rollup job once it has
/// rolled the day up again. <c>Version</c> grows with every mark, so a mark made while the job worked is not cleared.
/// </summary>
public sealed class StaleSiteDay
{
    private StaleSiteDay()
    {
    }

    public Guid InboxId { get; private set; }

    public DateOnly Day { get; private set; }

    public long Version { get; private set; }

    private static readonly string[] Keys = [nameof(InboxId), nameof(Day)];

    /// <summary>The statement that marks a day, for both providers (see <see cref="StaleMarks"/>).</summary>
    public static string MarkStatement(DbContext db) => StaleMarks.Statement<StaleSiteDay>(db, Keys);

    /// <summary>Marks each day with <paramref name="command"/> (of <see cref="MarkStatement"/>), in its transaction.</summary>
    public static Task MarkAsync(DbContext db, DbCommand command, IEnumerable<(Guid InboxId, DateOnly Day)> days, CancellationToken cancellationToken) =>
        StaleMarks.MarkAsync<StaleSiteDay>(db, command, Keys, days.Select(d => new object[] { d.InboxId, d.Day }), cancellationToken);
}

internal sealed class SiteDailyStatConfiguration : IEntityTypeConfiguration<SiteDailyStat>
{
    public void Configure(EntityTypeBuilder<SiteDailyStat> builder)
    {
        // Dimension before day: a period's statistics read one dimension's range of days at a time.
        builder.HasKey(s => new { s.InboxId, s.Dimension, s.Day, s.Key });
        builder.Property(s => s.Dimension).HasConversion<int>();
        builder.Property(s => s.Key).HasMaxLength(SiteDailyStat.MaxKeyLength);
        builder.HasOne<Inboxes.Inbox>().WithMany().HasForeignKey(s => s.InboxId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class StaleSiteDayConfiguration : IEntityTypeConfiguration<StaleSiteDay>
{
    public void Configure(EntityTypeBuilder<StaleSiteDay> builder)
    {
        builder.HasKey(s => new { s.InboxId, s.Day });
        builder.HasOne<Inboxes.Inbox>().WithMany().HasForeignKey(s => s.InboxId).OnDelete(DeleteBehavior.Cascade);
    }
}
