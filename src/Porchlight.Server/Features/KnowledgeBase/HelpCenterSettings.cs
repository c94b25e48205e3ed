using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.KnowledgeBase;

/// <summary>The help center's settings; left-out fields take their defaults (not published, the default colour, no logo).</summary>
public sealed record HelpCenterRequest(string? Slug, string? Name, string? AccentColour, string? LogoUrl, string? DefaultLocale, bool? IsPublished);

/// <summary>The help center's settings and its public address (where it is, once published).</summary>
public sealed record HelpCenterResponse(
    string Slug, string Name, string AccentColour, string LogoUrl, string DefaultLocale, bool IsPublished, string Url, bool IsSaved);

/// <summary>How the workspace's public help center looks and where it lives. Until first saved, sensible defaults that are not published.</summary>
public sealed partial class HelpCenterSettings(AppDbContext db, ActingAgent actor, TimeProvider clock, PublicUrls urls)
{
    public async Task<HelpCenterResponse> GetAsync(CancellationToken cancellationToken)
    {
        if (await db.HelpCenters.AsNoTracking().FirstOrDefaultAsync(cancellationToken) is { } saved)
        {
            return Describe(saved, isSaved: true);
        }

        var workspace = await db.Workspaces.AsNoTracking().Where(w => w.Id == actor.WorkspaceId).Select(w => w.Name).FirstAsync(cancellationToken);
        var proposal = HelpCenter.Create(actor.WorkspaceId);
        var slug = Articles.SlugFrom(workspace);
        var name = $"{workspace} Help Center";
        proposal.Change(slug.Length > HelpCenter.MaxSlugLength ? slug[..HelpCenter.MaxSlugLength].TrimEnd('-') : slug,
            name.Length > HelpCenter.MaxNameLength ? name[..HelpCenter.MaxNameLength] : name, HelpCenter.DefaultAccentColour, "",
            Articles.DefaultLocale, isPublished: false, clock.GetUtcNow().UtcDateTime);
        return Describe(proposal, isSaved: false);
    }

    public async Task<Result<HelpCenterResponse>> SaveAsync(HelpCenterRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().Required("name", request.Name, HelpCenter.MaxNameLength);
        var slug = request.Slug?.Trim() ?? "";
        if (slug.Length < HelpCenter.MinSlugLength || slug.Length > HelpCenter.MaxSlugLength || !Articles.IsSlug(slug))
        {
            errors.Add("slug", $"{HelpCenter.MinSlugLength} to {HelpCenter.MaxSlugLength} lower-case letters and digits joined by single dashes.");
        }

        var colour = string.IsNullOrWhiteSpace(request.AccentColour) ? HelpCenter.DefaultAccentColour : request.AccentColour.Trim().ToLowerInvariant();
        if (!Colour().IsMatch(colour))
        {
            errors.Add("accentColour", "A colour as #rrggbb, for example #1f6feb.");
        }

        var logo = request.LogoUrl?.Trim() ?? "";
        if (logo.Length > 0 && (logo.Length > HelpCenter.MaxLogoUrlLength || !Uri.TryCreate(logo, UriKind.Absolute, out var logoUri)
            || (logoUri.Scheme != Uri.UriSchemeHttps && logoUri.Scheme != Uri.UriSchemeHttp)))
        {
            errors.Add("logoUrl", $"An http or https address of at most {HelpCenter.MaxLogoUrlLength} characters, or empty for no logo.");
        }

        var locale = string.IsNullOrWhiteSpace(request.DefaultLocale) ? Articles.DefaultLocale : request.DefaultLocale.Trim().ToLowerInvariant();
        if (!Articles.IsLocale(locale))
        {
            errors.Add("defaultLocale", "A language tag such as en, de or pt-br.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        // The slug is the public address: unique across every workspace, so this look-up leaves the tenant filter.
        if (await db.HelpCenters.IgnoreQueryFilters().AnyAsync(h => h.Slug == slug && h.WorkspaceId != actor.WorkspaceId, cancellationToken))
        {
            return Failure.Duplicate("slug", $"The address “{slug}” is taken; choose another.");
        }

        var center = await db.HelpCenters.FirstOrDefaultAsync(cancellationToken);
        if (center is null)
        {
            center = HelpCenter.Create(actor.WorkspaceId);
            db.HelpCenters.Add(center);
        }

        center.Change(slug, request.Name!.Trim(), colour, logo, locale, request.IsPublished ?? false, clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        return Describe(center, isSaved: true);
    }

    /// <summary>
    /// Where readers find the workspace's articles: a maker of an article's absolute help-center address (from its
    /// language and slug) when the help center is published, else null. One small query for any number of links.
    /// </summary>
    public async Task<Func<string, string, string>?> PublicArticleLinksAsync(CancellationToken cancellationToken)
    {
        var site = await db.HelpCenters.AsNoTracking().Where(h => h.IsPublished).Select(h => h.Slug).FirstOrDefaultAsync(cancellationToken);
        return site is null ? null : (locale, slug) => urls.To(HelpCenterPaths.Article(site, locale, slug));
    }

    private HelpCenterResponse Describe(HelpCenter h, bool isSaved) =>
        new(h.Slug, h.Name, h.AccentColour, h.LogoUrl, h.DefaultLocale, h.IsPublished, urls.To($"/help/{h.Slug}"), isSaved);

    [GeneratedRegex("^#[0-9a-f]{6}$")]
    private static partial Regex Colour();
}
