using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;

namespace Porchlight.Server.Features.Campaigns;

/// <summary>
/// A proactive message a site shows by rule: to a visitor on a page matching <see cref="UrlPattern"/>, after
/// <see cref="MinSecondsOnPage"/> seconds on it, from their <see cref="MinVisits"/>th visit on, and, when
/// <see cref="EventName"/> is set, just after the site reports that event. Each visitor sees it at most once.
/// </summary>
public sealed class Campaign : Entity, IWorkspaceOwned, IAudited
{
    public const int MaxNameLength = 80;
    public const int MaxTextLength = 500;
    public const int MaxPatternLength = 300;

    private Campaign()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public Guid InboxId { get; private set; }

    public string Name { get; private set; } = "";

    public bool IsActive { get; private set; }

    /// <summary>"" for every page; a path (<c>/pricing*</c>) or whole address (<c>https://shop.example/*</c>); <c>*</c> is any text.</summary>
    public string UrlPattern { get; private set; } = "";

    public int MinSecondsOnPage { get; private set; }

    public int MinVisits { get; private set; }

    public string? EventName { get; private set; }

    public string Text { get; private set; } = "";

    /// <summary>The agent the message is from, as the visitor sees it.</summary>
    public Guid SenderId { get; private set; }

    public DateTime CreatedAt { get; private set; }

    public DateTime UpdatedAt { get; private set; }

    public static Campaign Create(Guid workspaceId, Guid inboxId, CampaignFields fields, DateTime now)
    {
        var campaign = new Campaign { WorkspaceId = workspaceId, InboxId = inboxId, CreatedAt = now };
        campaign.Change(fields, now);
        return campaign;
    }

    public void Change(CampaignFields fields, DateTime now) =>
        (Name, IsActive, UrlPattern, MinSecondsOnPage, MinVisits, EventName, Text, SenderId, UpdatedAt) =
        (fields.Name, fields.IsActive, fields.UrlPattern, fields.MinSecondsOnPage, fields.MinVisits, fields.EventName, fields.Text, fields.SenderId, now);

    /// <summary>The pattern as a regular expression over a page address (scheme, host, path; no query).</summary>
    public static Regex PatternFor(string urlPattern)
    {
        var whole = Regex.Escape(urlPattern).Replace(@"\*", ".*", StringComparison.Ordinal);
        // A path matches the path of any address of the site.
        var expression = urlPattern.StartsWith('/') ? $"^https?://[^/]+{whole}$" : $"^{whole}$";
        return new Regex(expression, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
    }
}

/// <summary>A campaign's settings, checked (see CampaignRules).</summary>
public sealed record CampaignFields(
    string Name, bool IsActive, string UrlPattern, int MinSecondsOnPage, int MinVisits, string? EventName, string Text, Guid SenderId);

/// <summary>
/// A proactive message to one visitor: sent by an agent from the Visitors page (no campaign), or a campaign's
/// message the moment it is offered to them. Its times measure the campaign: shown, opened, replied to.
/// </summary>
public sealed class ProactiveMessage : IWorkspaceOwned
{
    private ProactiveMessage()
    {
    }

    public Guid Id { get; private set; } = TimeOrderedIds.Next();

    public Guid WorkspaceId { get; private set; }

    public Guid InboxId { get; private set; }

    /// <summary>The tracker's id of the browser it is for.</summary>
    public string VisitorKey { get; private set; } = "";

    public Guid? CampaignId { get; private set; }

    public Guid SenderId { get; private set; }

    public string Text { get; private set; } = "";

    public DateTime CreatedAt { get; private set; }

    /// <summary>When the visitor's page showed it; null while it waits for them.</summary>
    public DateTime? ShownAt { get; private set; }

    /// <summary>When the visitor opened the chat from it.</summary>
    public DateTime? OpenedAt { get; private set; }

    /// <summary>When the visitor answered it, starting <see cref="ConversationId"/>.</summary>
    public DateTime? RepliedAt { get; private set; }

    public Guid? ConversationId { get; private set; }

    public static ProactiveMessage ToVisitor(Guid workspaceId, Guid inboxId, string visitorKey, Guid senderId, string text, DateTime now) => new()
    {
        WorkspaceId = workspaceId,
        InboxId = inboxId,
        VisitorKey = visitorKey,
        SenderId = senderId,
        Text = text,
        CreatedAt = now,
    };

    public static ProactiveMessage Of(Campaign campaign, string visitorKey, DateTime now) => new()
    {
        WorkspaceId = campaign.WorkspaceId,
        InboxId = campaign.InboxId,
        VisitorKey = visitorKey,
        CampaignId = campaign.Id,
        SenderId = campaign.SenderId,
        Text = campaign.Text,
        CreatedAt = now,
        ShownAt = now,
    };

    public void Shown(DateTime now) => ShownAt ??= now;

    public void Opened(DateTime now) => OpenedAt ??= now;

    public void RepliedWith(Guid conversationId, DateTime now)
    {
        OpenedAt ??= now;
        RepliedAt ??= now;
        ConversationId ??= conversationId;
    }
}

internal sealed class CampaignConfiguration : IEntityTypeConfiguration<Campaign>
{
    public void Configure(EntityTypeBuilder<Campaign> builder)
    {
        builder.Property(c => c.Name).HasMaxLength(Campaign.MaxNameLength);
        builder.Property(c => c.UrlPattern).HasMaxLength(Campaign.MaxPatternLength);
        builder.Property(c => c.EventName).HasMaxLength(Tracking.TrackedEvent.MaxNameLength);
        builder.Property(c => c.Text).HasMaxLength(Campaign.MaxTextLength);
        builder.HasIndex(c => c.InboxId);
        builder.HasOne<Inboxes.Inbox>().WithMany().HasForeignKey(c => c.InboxId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ProactiveMessageConfiguration : IEntityTypeConfiguration<ProactiveMessage>
{
    public void Configure(EntityTypeBuilder<ProactiveMessage> builder)
    {
        builder.Property(m => m.VisitorKey).HasMaxLength(Tracking.TrackedEvent.MaxKeyLength);
        builder.Property(m => m.Text).HasMaxLength(Campaign.MaxTextLength);
        builder.HasIndex(m => new { m.InboxId, m.VisitorKey, m.ShownAt });
        // Once per visitor per campaign, however many nodes offer it at the same moment.
        builder.HasIndex(m => new { m.CampaignId, m.VisitorKey }).IsUnique();
        builder.HasOne<Inboxes.Inbox>().WithMany().HasForeignKey(m => m.InboxId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Campaign>().WithMany().HasForeignKey(m => m.CampaignId).OnDelete(DeleteBehavior.Cascade);
    }
}
