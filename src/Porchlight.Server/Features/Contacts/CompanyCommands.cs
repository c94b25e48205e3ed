using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Contacts;

/// <summary>A company as sent to add or change one; on change every field is set as sent (a left-out domain or external id is cleared).</summary>
public sealed record CompanyRequest(string? Name, string? Domain, string? ExternalId);

public sealed record CompanyView(Guid Id, string Name, string? Domain, string? ExternalId, int ContactCount, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>The workspace's companies: every agent reads them, those who manage contacts keep them.</summary>
public sealed partial class CompanyCommands(AppDbContext db, ActingAgent actor, TimeProvider clock)
{
    /// <summary>
    /// Domains of free email providers: their addresses are private people, not one organisation, so a company cannot
    /// claim them (every Gmail user would join it).
    /// </summary>
    private static readonly HashSet<string> FreeMailDomains = new(StringComparer.Ordinal)
    {
        "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.de", "yahoo.fr", "hotmail.com", "hotmail.co.uk",
        "hotmail.de", "outlook.com", "outlook.de", "live.com", "msn.com", "icloud.com", "me.com", "mac.com", "aol.com",
        "gmx.de", "gmx.net", "gmx.at", "gmx.ch", "web.de", "t-online.de", "freenet.de", "proton.me", "protonmail.com",
        "mail.com", "mail.ru", "yandex.ru", "yandex.com", "qq.com", "163.com", "126.com", "orange.fr", "free.fr", "laposte.net",
    };

    public async Task<Result<Page<CompanyView>>> ListAsync(string? query, PageRequest page, CancellationToken cancellationToken)
    {
        if (new FieldErrors().MaxLength("q", query, ContactCommands.MaxQueryLength) is { Any: true } errors)
        {
            return errors.ToFailure();
        }

        var companies = db.Companies.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query))
        {
            var term = query.Trim().ToLowerInvariant();
            companies = companies.Where(c => c.Name.ToLower().Contains(term) || (c.Domain ?? "").Contains(term) || (c.ExternalId ?? "").ToLower().Contains(term));
        }

        var found = await companies.ToPageAsync(page, c => c.Id, c => c, cancellationToken, newestFirst: true);
        var counts = await ContactCountsAsync([.. found.Items.Select(c => c.Id)], cancellationToken);
        return new Page<CompanyView>([.. found.Items.Select(c => View(c, counts.GetValueOrDefault(c.Id)))], found.NextCursor);
    }

    public async Task<Result<CompanyView>> GetAsync(Guid companyId, CancellationToken cancellationToken) =>
        await db.Companies.AsNoTracking().FirstOrDefaultAsync(c => c.Id == companyId, cancellationToken) is { } company
            ? View(company, await db.Contacts.CountAsync(c => c.CompanyId == companyId, cancellationToken))
            : Failure.NotFound("The company");

    public async Task<Result<CompanyView>> CreateAsync(CompanyRequest request, CancellationToken cancellationToken)
    {
        if (ContactManagers.Refuse(actor) is { } refused)
        {
            return refused;
        }

        var errors = new FieldErrors();
        var (name, domain, externalId) = Check(errors, request);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        if (await TakenAsync(null, domain, externalId, cancellationToken) is { } taken)
        {
            return taken;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var company = db.Companies.Add(Company.Create(actor.WorkspaceId, name, domain, externalId, now)).Entity;
        var joined = await GatherAsync(company, now, cancellationToken);
        return await SaveAsync(company, joined, cancellationToken);
    }

    /// <summary>Changes the company; a new domain gathers the contacts at it who are in no company (those already in stay).</summary>
    public async Task<Result<CompanyView>> UpdateAsync(Guid companyId, CompanyRequest request, CancellationToken cancellationToken)
    {
        if (ContactManagers.Refuse(actor) is { } refused)
        {
            return refused;
        }

        if (await db.Companies.FirstOrDefaultAsync(c => c.Id == companyId, cancellationToken) is not { } company)
        {
            return Failure.NotFound("The company");
        }

        var errors = new FieldErrors();
        var (name, domain, externalId) = Check(errors, request);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        if (await TakenAsync(companyId, domain, externalId, cancellationToken) is { } taken)
        {
            return taken;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        company.Change(name, domain, externalId, now);
        var contactCount = await db.Contacts.CountAsync(c => c.CompanyId == companyId, cancellationToken) + await GatherAsync(company, now, cancellationToken);
        return await SaveAsync(company, contactCount, cancellationToken);
    }

    /// <summary>Deletes the company; its contacts stay, in no company (each reported as updated).</summary>
    public async Task<Result<bool>> DeleteAsync(Guid companyId, CancellationToken cancellationToken)
    {
        if (ContactManagers.Refuse(actor) is { } refused)
        {
            return refused;
        }

        if (await db.Companies.FirstOrDefaultAsync(c => c.Id == companyId, cancellationToken) is not { } company)
        {
            return Failure.NotFound("The company");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var contact in await db.Contacts.Where(c => c.CompanyId == companyId).ToListAsync(cancellationToken))
        {
            contact.JoinCompany(null, now);
        }

        db.Companies.Remove(company);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>The contacts at the company's domain who are in no company join it; answers how many contacts it has then.</summary>
    private async Task<int> GatherAsync(Company company, DateTime now, CancellationToken cancellationToken)
    {
        if (company.Domain is not { } domain)
        {
            return 0;
        }

        var suffix = "@" + domain;
        var joining = await db.Contacts.Where(c => c.CompanyId == null && c.Email != null && c.Email.EndsWith(suffix)).ToListAsync(cancellationToken);
        foreach (var contact in joining)
        {
            contact.JoinCompany(company.Id, now);
        }

        return joining.Count;
    }

    private static (string Name, string? Domain, string? ExternalId) Check(FieldErrors errors, CompanyRequest request)
    {
        errors.Required("name", request.Name, Company.MaxNameLength).MaxLength("externalId", request.ExternalId?.Trim(), Contact.MaxExternalIdLength);
        var domain = string.IsNullOrWhiteSpace(request.Domain) ? null : request.Domain.Trim().TrimStart('@').ToLowerInvariant();
        if (domain is not null)
        {
            if (domain.Length > Company.MaxDomainLength || !DomainPattern().IsMatch(domain))
            {
                errors.Add("domain", "A domain such as acme.com (without https:// or a path).");
            }
            else if (FreeMailDomains.Contains(domain))
            {
                errors.Add("domain", $"{domain} is a free email provider: its addresses belong to private people, not to one company.");
            }
        }

        return (request.Name?.Trim() ?? "", domain, string.IsNullOrWhiteSpace(request.ExternalId) ? null : request.ExternalId.Trim());
    }

    private async Task<Failure?> TakenAsync(Guid? companyId, string? domain, string? externalId, CancellationToken cancellationToken)
    {
        if (domain is not null && await db.Companies.AnyAsync(c => c.Domain == domain && c.Id != companyId, cancellationToken))
        {
            return DomainTaken;
        }

        return externalId is not null && await db.Companies.AnyAsync(c => c.ExternalId == externalId && c.Id != companyId, cancellationToken)
            ? ExternalIdTaken
            : null;
    }

    private static Failure DomainTaken => Failure.Duplicate("domain", "Another company has this domain.");

    private static Failure ExternalIdTaken => Failure.Duplicate("externalId", "Another company has this external id.");

    /// <summary>Saves; two requests claiming one domain or external id at once both pass the check, and the unique indexes let one win.</summary>
    private async Task<Result<CompanyView>> SaveAsync(Company company, int contactCount, CancellationToken cancellationToken)
    {
        var (domain, externalId) = (company.Domain, company.ExternalId);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (domain is not null || externalId is not null)
        {
            db.ChangeTracker.Clear();
            return await TakenAsync(company.Id, domain, externalId, cancellationToken) ?? throw new InvalidOperationException("The company could not be saved.");
        }

        return View(company, contactCount);
    }

    private async Task<Dictionary<Guid, int>> ContactCountsAsync(List<Guid> companyIds, CancellationToken cancellationToken) =>
        await db.Contacts.Where(c => c.CompanyId != null && companyIds.Contains(c.CompanyId.Value))
            .GroupBy(c => c.CompanyId!.Value).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);

    private static CompanyView View(Company c, int contactCount) => new(c.Id, c.Name, c.Domain, c.ExternalId, contactCount, c.CreatedAt, c.UpdatedAt);

    [GeneratedRegex("^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex DomainPattern();
}

/// <summary>
/// A contact who gets an email (added with one, or given one later) and is in no company joins the company of the
/// email's domain, whichever way the email came (the widget, an email, the API, an import).
/// </summary>
public sealed class CompanyMatching(AppDbContext db, TimeProvider clock) : IDomainEventHandler<ContactCreated>, IDomainEventHandler<ContactUpdated>
{
    public Task HandleAsync(ContactCreated created, CancellationToken cancellationToken) => MatchAsync(created.ContactId, cancellationToken);

    public Task HandleAsync(ContactUpdated updated, CancellationToken cancellationToken) =>
        updated.Changes.Contains("email") ? MatchAsync(updated.ContactId, cancellationToken) : Task.CompletedTask;

    private async Task MatchAsync(Guid contactId, CancellationToken cancellationToken)
    {
        if (await db.Contacts.FirstOrDefaultAsync(c => c.Id == contactId, cancellationToken) is not { CompanyId: null } contact
            || Company.DomainOf(contact.Email) is not { } domain)
        {
            return;
        }

        if (await db.Companies.Where(c => c.Domain == domain).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(cancellationToken) is { } companyId)
        {
            contact.JoinCompany(companyId, clock.GetUtcNow().UtcDateTime);
            await db.SaveChangesAsync(cancellationToken);
        }
    }
}
