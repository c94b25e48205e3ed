using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Contacts;

/// <summary>
/// A contact's details as sent to create, change or upsert one. On change, a field left out keeps its value; an
/// attribute sent as null or "" is removed; <c>tags</c> replaces the whole list; <c>companyId</c> "" takes the contact out of its company.
/// </summary>
public sealed record ContactRequest(
    string? ExternalId, string? Email, string? Name, Dictionary<string, string?>? Attributes = null, List<string>? Tags = null, string? CompanyId = null);

/// <summary>A contact as the contacts API answers it.</summary>
public sealed record ContactView(
    Guid Id,
    string DisplayName,
    string? Name,
    string? Email,
    string? ExternalId,
    bool Identified,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyList<string> Tags,
    Guid? CompanyId,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime LastSeenAt)
{
    public static ContactView From(Contact c) => new(
        c.Id, c.DisplayName, c.Name, c.Email, c.ExternalId, c.IsIdentified, c.Attributes, c.Tags, c.CompanyId, c.CreatedAt, c.UpdatedAt, c.LastSeenAt);
}

/// <summary>What an upsert did: the contact, and whether it was added.</summary>
public sealed record ContactUpserted(ContactView Contact, bool Created);

/// <summary>Which contacts to list or export: every filter given must hold (a segment's rules included).</summary>
public sealed record ContactListFilter(string? Query, string? Tag, Guid? CompanyId = null, Guid? SegmentId = null);

/// <summary>Lists, adds, changes and upserts contacts (every agent; the API and the app alike), and exports them (those who manage contacts).</summary>
public sealed class ContactCommands(
    AppDbContext db, ActingAgent actor, Audit.AuditActor auditActor, ContactDirectory directory, ContactAttributeRules attributeRules, TimeProvider clock)
{
    public const int MaxQueryLength = 100;

    /// <summary>
    /// Newest first; <c>q</c> finds a part of the name, email or external id, <c>tag</c> one tag, <c>companyId</c> a
    /// company's people, <c>segmentId</c> a segment's.
    /// </summary>
    public async Task<Result<Page<ContactView>>> ListAsync(ContactListFilter filter, PageRequest page, CancellationToken cancellationToken)
    {
        var selected = await SelectAsync(filter, cancellationToken);
        if (!selected.Succeeded)
        {
            return selected.Failure!;
        }

        var (contacts, rules) = selected.Value!;
        return rules is { HasAttributeConditions: true }
            ? await contacts.ToFilteredPageAsync(page, c => c.Id, rules.MatchesAttributes, ContactView.From, cancellationToken, newestFirst: true)
            : await contacts.ToPageAsync(page, c => c.Id, ContactView.From, cancellationToken, newestFirst: true);
    }

    /// <summary>
    /// Every contact the filter finds as CSV, oldest first: the details, then one <c>attributes.key</c> column per
    /// defined attribute and per other key the contacts have. Recorded in the audit trail (who took what out).
    /// </summary>
    public async Task<Result<string>> ExportAsync(ContactListFilter filter, CancellationToken cancellationToken)
    {
        if (ContactManagers.Refuse(actor) is { } notAllowed)
        {
            return notAllowed;
        }

        var selected = await SelectAsync(filter, cancellationToken);
        if (!selected.Succeeded)
        {
            return selected.Failure!;
        }

        var (found, rules) = selected.Value!;
        var contacts = (await found.OrderBy(c => c.Id).ToListAsync(cancellationToken)).FindAll(c => rules?.MatchesAttributes(c) ?? true);
        var defined = await db.ContactAttributeDefinitions.AsNoTracking().OrderBy(d => d.Key).Select(d => d.Key).ToListAsync(cancellationToken);
        var companies = await db.Companies.AsNoTracking().Select(c => new { c.Id, c.Name }).ToDictionaryAsync(c => c.Id, c => c.Name, cancellationToken);
        var keys = defined.Concat(contacts.SelectMany(c => c.Attributes.Keys).Distinct(StringComparer.Ordinal).Except(defined).Order(StringComparer.Ordinal)).ToList();
        var csv = new CsvText().Row([
            "id", "name", "email", "externalId", "tags", "company", "createdAt", "updatedAt", "lastSeenAt", .. keys.Select(k => "attributes." + k)]);
        foreach (var c in contacts)
        {
            csv.Row([
                c.Id, c.Name, c.Email, c.ExternalId, string.Join(' ', c.Tags), c.CompanyId is { } companyId ? companies.GetValueOrDefault(companyId) : null, Timestamp(c.CreatedAt), Timestamp(c.UpdatedAt), Timestamp(c.LastSeenAt),
                .. keys.Select(k => c.Attributes.GetValueOrDefault(k))]);
        }

        db.AuditEntries.Add(Audit.AuditEntry.Create(actor.WorkspaceId, clock.GetUtcNow().UtcDateTime, auditActor, "contacts.exported", "contact", null,
            System.Text.Json.JsonSerializer.Serialize(new { count = contacts.Count, q = filter.Query, tag = filter.Tag, companyId = filter.CompanyId, segmentId = filter.SegmentId })));
        await db.SaveChangesAsync(cancellationToken);
        return csv.ToString();
    }

    private static string Timestamp(DateTime at) => at.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The contacts the database finds for the filter, and the segment's rules when one is named (its attribute
    /// conditions are tested on the contacts read, not in the query).
    /// </summary>
    private async Task<Result<(IQueryable<Contact> Contacts, SegmentRules? Rules)>> SelectAsync(ContactListFilter filter, CancellationToken cancellationToken)
    {
        if (new FieldErrors().MaxLength("q", filter.Query, MaxQueryLength).MaxLength("tag", filter.Tag, Contact.MaxTagLength) is { Any: true } errors)
        {
            return errors.ToFailure();
        }

        var tags = string.IsNullOrWhiteSpace(filter.Tag) ? null : Contact.NormalizeTags([filter.Tag]);
        var contacts = new SegmentRules(filter.Query, tags, filter.CompanyId).Apply(db.Contacts.AsNoTracking());
        if (filter.SegmentId is not { } segmentId)
        {
            return (contacts, null);
        }

        if (await db.Segments.AsNoTracking().Where(s => s.Id == segmentId).Select(s => s.Rules).FirstOrDefaultAsync(cancellationToken) is not { } rules)
        {
            return Failure.NotFound("The segment");
        }

        return (rules.Apply(contacts), rules);
    }

    public async Task<Result<ContactView>> CreateAsync(ContactRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(request.ExternalId) && string.IsNullOrWhiteSpace(request.Email) && string.IsNullOrWhiteSpace(request.Name))
        {
            errors.Add("name", "Give the contact a name, an email or an external id.");
        }

        var (attributes, company) = await CheckAsync(errors, request, cancellationToken);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var externalId = ExternalIdOf(request);
        if (externalId is not null && await db.Contacts.AnyAsync(c => c.ExternalId == externalId, cancellationToken))
        {
            return ExternalIdTaken;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var contact = db.Contacts.Add(Contact.Create(actor.WorkspaceId, externalId, now)).Entity;
        contact.Change(Blank(request.Name), Contact.NormalizeEmail(request.Email), Apply(new CustomAttributes(), attributes), now, tags: request.Tags ?? []);
        company.ApplyTo(contact, now);
        return await SaveAsync(contact, cancellationToken);
    }

    public async Task<Result<ContactView>> UpdateAsync(Guid contactId, ContactRequest request, CancellationToken cancellationToken)
    {
        if (await db.Contacts.FirstOrDefaultAsync(c => c.Id == contactId, cancellationToken) is not { } contact)
        {
            return Failure.NotFound("The contact");
        }

        var errors = new FieldErrors();
        var (attributes, company) = await CheckAsync(errors, request, cancellationToken);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var externalId = ExternalIdOf(request);
        if (externalId is not null && await db.Contacts.AnyAsync(c => c.ExternalId == externalId && c.Id != contactId, cancellationToken))
        {
            return ExternalIdTaken;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        contact.Change(
            request.Name is null ? contact.Name : Blank(request.Name),
            request.Email is null ? contact.Email : Contact.NormalizeEmail(request.Email),
            Apply(contact.Attributes, attributes), now, externalId, request.Tags);
        company.ApplyTo(contact, now);
        return await SaveAsync(contact, cancellationToken);
    }

    /// <summary>
    /// The contact the request names (by external id, else by email; see <see cref="ContactDirectory"/>) brought up to
    /// date, or a new one: what a CRM sync calls for every record, without knowing whether Porchlight has it yet.
    /// </summary>
    public async Task<Result<ContactUpserted>> UpsertAsync(ContactRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(request.ExternalId) && string.IsNullOrWhiteSpace(request.Email))
        {
            errors.Add("externalId", "Name the contact with an externalId, an email, or both.");
        }

        var reference = new ContactReference(request.ExternalId, request.Email, request.Name, null);
        var (attributes, company) = await CheckAsync(errors, request, cancellationToken);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var contact = await directory.FindOrAddAsync(actor.WorkspaceId, reference, now, cancellationToken);
        var created = db.Entry(contact).State == EntityState.Added;
        contact.Change(contact.Name, contact.Email, Apply(contact.Attributes, attributes), now, tags: request.Tags);
        company.ApplyTo(contact, now);
        var saved = await SaveAsync(contact, cancellationToken);
        return saved.Succeeded ? new ContactUpserted(saved.Value!, created) : saved.Failure!;
    }

    private static Failure ExternalIdTaken => Failure.Duplicate("externalId", "Another contact has this external id.");

    /// <summary>The attributes as they are stored, and the company change the request asks for.</summary>
    private async Task<(Dictionary<string, string?>? Attributes, CompanyChoice Company)> CheckAsync(
        FieldErrors errors, ContactRequest request, CancellationToken cancellationToken)
    {
        errors.MaxLength("externalId", request.ExternalId?.Trim(), Contact.MaxExternalIdLength).MaxLength("name", request.Name?.Trim(), Contact.MaxNameLength);
        if (!string.IsNullOrWhiteSpace(request.Email))
        {
            errors.Email("email", request.Email);
        }

        if (request.Tags is { } tags)
        {
            var normalized = Contact.NormalizeTags(tags.Select(t => t ?? ""));
            if (tags.Contains(null!))
            {
                errors.Add("tags", "Tags are text: a list without nulls.");
            }
            else if (normalized.Count > Contact.MaxTags || normalized.Any(t => t.Length > Contact.MaxTagLength))
            {
                errors.Add("tags", $"At most {Contact.MaxTags} tags of at most {Contact.MaxTagLength} characters.");
            }
        }

        var company = await CompanyChoice.CheckAsync(db, errors, "companyId", request.CompanyId, cancellationToken);
        return (await attributeRules.CheckAsync(errors, "attributes", request.Attributes, cancellationToken), company);
    }

    /// <summary><paramref name="current"/> with the checked changes: a null or empty value removes its attribute.</summary>
    private static CustomAttributes Apply(CustomAttributes current, Dictionary<string, string?>? changes)
    {
        if (changes is null)
        {
            return current;
        }

        var result = new CustomAttributes(current);
        foreach (var (key, value) in changes)
        {
            if (string.IsNullOrEmpty(value))
            {
                result.Remove(key);
            }
            else
            {
                result[key] = value;
            }
        }

        return result;
    }

    private static string? ExternalIdOf(ContactRequest request) => string.IsNullOrWhiteSpace(request.ExternalId) ? null : request.ExternalId.Trim();

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>Saves; two requests adding one external id at once both pass the check, and the unique index lets one win.</summary>
    private async Task<Result<ContactView>> SaveAsync(Contact contact, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (contact.ExternalId is not null)
        {
            var externalId = contact.ExternalId;
            db.ChangeTracker.Clear();
            if (await db.Contacts.AsNoTracking().AnyAsync(c => c.ExternalId == externalId && c.Id != contact.Id, cancellationToken))
            {
                return ExternalIdTaken;
            }

            throw;
        }

        return ContactView.From(contact);
    }
}

/// <summary>A company as a request names it: left out (no change), "" (none), or the id of one of the workspace's companies.</summary>
public readonly record struct CompanyChoice(bool Given, Guid? CompanyId)
{
    public static async Task<CompanyChoice> CheckAsync(AppDbContext db, FieldErrors errors, string field, string? value, CancellationToken cancellationToken)
    {
        if (value is null)
        {
            return default;
        }

        if (value.Trim().Length == 0)
        {
            return new(true, null);
        }

        if (Guid.TryParse(value, out var companyId) && await db.Companies.AnyAsync(c => c.Id == companyId, cancellationToken))
        {
            return new(true, companyId);
        }

        errors.Add(field, "No company of this workspace has this id.");
        return default;
    }

    public void ApplyTo(Contact contact, DateTime now)
    {
        if (Given)
        {
            contact.JoinCompany(CompanyId, now);
        }
    }
}
