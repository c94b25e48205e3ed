using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;

namespace Porchlight.Server.Features.KnowledgeBase;

/// <summary>
/// The workspace's public help center: published articles served at <c>/help/{slug}</c>, for anyone, in the
/// workspace's colour and logo. The slug is unique across the installation because it is the public address.
/// </summary>
public sealed class HelpCenter : Entity, IWorkspaceOwned, IAudited
{
    public const int MinSlugLength = 3;
    public const int MaxSlugLength = 40;
    public const int MaxNameLength = 80;
    public const int MaxLogoUrlLength = 500;
    public const string DefaultAccentColour = "#1f6feb";

    private HelpCenter()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public string Slug { get; private set; } = "";

    /// <summary>The site's title: the heading of every page and the end of every page title.</summary>
    public string Name { get; private set; } = "";

    /// <summary>A <c>#rrggbb</c> colour for the header and links.</summary>
    public string AccentColour { get; private set; } = DefaultAccentColour;

    /// <summary>An http(s) address of the logo shown in the header; empty shows the name alone.</summary>
    public string LogoUrl { get; private set; } = "";

    /// <summary>The language <c>/help/{slug}</c> opens in.</summary>
    public string DefaultLocale { get; private set; } = Articles.DefaultLocale;

    /// <summary>Off: the site answers 404 to everyone, as if it did not exist.</summary>
    public bool IsPublished { get; private set; }

    public DateTime UpdatedAt { get; private set; }

    public static HelpCenter Create(Guid workspaceId) => new() { WorkspaceId = workspaceId };

    public void Change(string slug, string name, string accentColour, string logoUrl, string defaultLocale, bool isPublished, DateTime now)
    {
        Slug = slug;
        Name = name;
        AccentColour = accentColour;
        LogoUrl = logoUrl;
        DefaultLocale = defaultLocale;
        IsPublished = isPublished;
        UpdatedAt = now;
    }
}

internal sealed class HelpCenterConfiguration : IEntityTypeConfiguration<HelpCenter>
{
    public void Configure(EntityTypeBuilder<HelpCenter> builder)
    {
        builder.Property(h => h.Slug).HasMaxLength(HelpCenter.MaxSlugLength);
        builder.Property(h => h.Name).HasMaxLength(HelpCenter.MaxNameLength);
        builder.Property(h => h.AccentColour).HasMaxLength(7);
        builder.Property(h => h.LogoUrl).HasMaxLength(HelpCenter.MaxLogoUrlLength);
        builder.Property(h => h.DefaultLocale).HasMaxLength(Article.MaxLocaleLength);
        builder.HasIndex(h => h.WorkspaceId).IsUnique();
        builder.HasIndex(h => h.Slug).IsUnique();
    }
}
