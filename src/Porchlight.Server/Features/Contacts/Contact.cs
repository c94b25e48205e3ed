using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Contacts;

/// <summary>
/// A customer. A widget visitor starts as an anonymous contact whose id is the visitor id in the browser's
/// visitor token (the row is created with their first conversation). Identify with the host site's own
/// user id leads to an identified contact; the anonymous history then moves there.
/// </summary>
public sealed class Contact : Entity, IWorkspaceOwned
{
    public const int MaxNameLength = 100;
    public const int MaxEmailLength = 254;
    public const int MaxExternalIdLength = 128;
    public const int MaxTags = 20;
    public const int MaxTagLength = 40;

    private Contact()
    {
    }

    public Guid WorkspaceId { get; private set; }

    /// <summary>The host site's own user id, given with identify.</summary>
    public string? ExternalId { get; private set; }

    public string? Name { get; private set; }

    public string? Email { get; private set; }

    public CustomAttributes Attributes { get; private set; } = new();

    /// <summary>Words agents and integrations group customers by (lower case, sorted, no repeats).</summary>
    public List<string> Tags { get; private set; } = [];

    /// <summary>The company (organisation) the customer belongs to; set by hand or by their email's domain.</summary>
    public Guid? CompanyId { get; private set; }

    public DateTime CreatedAt { get; private set; }

    public DateTime LastSeenAt { get; private set; }

    /// <summary>When the details (name, email, external id, attributes, tags) last changed; being seen is not a change.</summary>
    public DateTime UpdatedAt { get; private set; }

    public bool IsIdentified => ExternalId is not null;

    /// <summary>The name an erased contact is shown by (docs/privacy.md#privacy-requests).</summary>
    public const string ErasedName = "Erased contact";

    /// <summary>When the contact was erased (anonymized) on a privacy request; null for every other contact.</summary>
    public DateTime? ErasedAt { get; private set; }

    /// <summary>What agents call the contact: the name, else the email, else a stable visitor label.</summary>
    public string DisplayName => NameFor(Id, Name, Email);

    public static string NameFor(Guid id, string? name, string? email) => name ?? email ?? $"Visitor {id.ToString("N")[^6..]}";

    public static Contact ForVisitor(Guid workspaceId, Guid visitorId, DateTime now) => Created(new()
    {
        Id = visitorId,
        WorkspaceId = workspaceId,
        CreatedAt = now,
        LastSeenAt = now,
        UpdatedAt = now,
    });

    /// <summary>A contact another system tells of (an integration, an email), with that system's id for them when it has one.</summary>
    public static Contact Create(Guid workspaceId, string? externalId, DateTime now) => Created(new()
    {
        WorkspaceId = workspaceId,
        ExternalId = externalId,
        CreatedAt = now,
        LastSeenAt = now,
        UpdatedAt = now,
    });

    private static Contact Created(Contact contact)
    {
        contact.Raise(new ContactCreated(contact.WorkspaceId, contact.Id));
        return contact;
    }

    /// <summary>
    /// Emails are kept trimmed and in lower case, so that one address is one customer however it was typed and is
    /// found with an index (the domain is case-insensitive by standard, and in practice so is every mailbox).
    /// </summary>
    public static string? NormalizeEmail(string? email) => string.IsNullOrWhiteSpace(email) ? null : email.Trim().ToLowerInvariant();

    /// <summary>Details the visitor typed or the host site sent; a blank value leaves what is known.</summary>
    public void Describe(string? name, string? email, IReadOnlyDictionary<string, string>? attributes, DateTime now)
    {
        Change(
            string.IsNullOrWhiteSpace(name) ? Name : name.Trim(),
            NormalizeEmail(email) ?? Email,
            attributes is { Count: > 0 } ? Attributes.With(attributes) : Attributes,
            now);
        LastSeenAt = now;
    }

    /// <summary>
    /// Sets the details as an agent or integration edited them (null clears a name or email); raises
    /// <see cref="ContactUpdated"/> naming what changed, if anything did.
    /// </summary>
    public void Change(string? name, string? email, CustomAttributes attributes, DateTime now, string? externalId = null, IEnumerable<string>? tags = null)
    {
        var changed = new List<string>();
        if (!string.Equals(name, Name, StringComparison.Ordinal))
        {
            Name = name;
            changed.Add("name");
        }

        if (!string.Equals(email, Email, StringComparison.Ordinal))
        {
            Email = email;
            changed.Add("email");
        }

        if (externalId is not null && !string.Equals(externalId, ExternalId, StringComparison.Ordinal))
        {
            ExternalId = externalId;
            changed.Add("externalId");
        }

        if (attributes.Count != Attributes.Count || attributes.Any(a => !Attributes.TryGetValue(a.Key, out var value) || value != a.Value))
        {
            Attributes = attributes;
            changed.Add("attributes");
        }

        if (tags is not null && NormalizeTags(tags) is var normalized && !normalized.SequenceEqual(Tags, StringComparer.Ordinal))
        {
            Tags = normalized;
            changed.Add("tags");
        }

        Changed(changed, now);
    }

    /// <summary>Puts the customer in a company, or in none.</summary>
    public void JoinCompany(Guid? companyId, DateTime now)
    {
        if (companyId != CompanyId)
        {
            CompanyId = companyId;
            Changed(["company"], now);
        }
    }

    /// <summary>
    /// Records a change of details: one <see cref="ContactUpdated"/> per saved change, however many steps made it
    /// (an edit that also moves the contact to a company is one update to a webhook receiver).
    /// </summary>
    private void Changed(List<string> changes, DateTime now)
    {
        if (changes.Count == 0)
        {
            return;
        }

        UpdatedAt = now;
        // Details given as the contact is added are part of its creation, not an update of it.
        if (DomainEvents.OfType<ContactCreated>().Any())
        {
            return;
        }

        var pending = DomainEvents.OfType<ContactUpdated>().FirstOrDefault();
        if (pending is not null)
        {
            Withdraw(pending);
        }

        Raise(new ContactUpdated(WorkspaceId, Id, [.. (pending?.Changes ?? []).Union(changes, StringComparer.Ordinal)]));
    }

    public static List<string> NormalizeTags(IEnumerable<string> tags) =>
        [.. tags.Select(t => t.Trim().ToLowerInvariant()).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    public void Seen(DateTime now) => LastSeenAt = now;

    /// <summary>
    /// Forgets who the customer is (a privacy request's anonymizing erasure): name, email, external id, attributes, tags and
    /// company go, and the row stays as an anonymous <see cref="ErasedName"/> for the conversations that keep pointing at
    /// it. No event is raised: a webhook about the change would carry nothing but the erasure itself, which the audit trail
    /// records. The first erasure's time is kept when it is run again.
    /// </summary>
    public void Erase(DateTime now)
    {
        (Name, Email, ExternalId, Attributes, Tags, CompanyId) = (ErasedName, null, null, new CustomAttributes(), [], null);
        UpdatedAt = now;
        ErasedAt ??= now;
    }

    /// <summary>Another system now knows this contact (until now known by email only) by its own id.</summary>
    public void TakeExternalId(string externalId, DateTime now)
    {
        if (ExternalId is not null)
        {
            throw new InvalidOperationException("The contact already has an external id.");
        }

        Change(Name, Email, Attributes, now, externalId);
    }

    /// <summary>
    /// Records that <paramref name="duplicate"/> was merged in (after <see cref="Absorb"/> took its details); the caller
    /// removes the duplicate.
    /// </summary>
    public void Merged(Contact duplicate) => Raise(new ContactMerged(WorkspaceId, Id, duplicate.Id, duplicate.ExternalId, duplicate.Email));

    /// <summary>Takes over what an anonymous contact or a duplicate knew; details already known here win.</summary>
    public void Absorb(Contact anonymous, DateTime now)
    {
        Change(Name ?? anonymous.Name, Email ?? anonymous.Email, anonymous.Attributes.With(Attributes), now, tags: Tags.Concat(anonymous.Tags));
        JoinCompany(CompanyId ?? anonymous.CompanyId, now);
        LastSeenAt = anonymous.LastSeenAt > LastSeenAt ? anonymous.LastSeenAt : LastSeenAt;
    }
}

/// <summary>
/// A duplicate was merged into this contact and removed: its conversations, notes and history are this contact's now.
/// The duplicate's external id and email are given so another system can map its record of the duplicate.
/// </summary>
public sealed record ContactMerged(Guid WorkspaceId, Guid ContactId, Guid MergedContactId, string? MergedExternalId, string? MergedEmail) : IDomainEvent;

/// <summary>A contact was added, by whatever way (a widget visitor's first chat, identify, an email, the API, an import).</summary>
public sealed record ContactCreated(Guid WorkspaceId, Guid ContactId) : IDomainEvent;

/// <summary>A contact's details changed; <paramref name="Changes"/> names which (name, email, externalId, attributes, tags, company).</summary>
public sealed record ContactUpdated(Guid WorkspaceId, Guid ContactId, IReadOnlyList<string> Changes) : IDomainEvent;

internal sealed class ContactConfiguration : IEntityTypeConfiguration<Contact>
{
    public void Configure(EntityTypeBuilder<Contact> builder)
    {
        builder.Ignore(c => c.DisplayName);
        builder.Ignore(c => c.IsIdentified);
        builder.Property(c => c.Name).HasMaxLength(Contact.MaxNameLength);
        builder.Property(c => c.Email).HasMaxLength(Contact.MaxEmailLength);
        builder.Property(c => c.ExternalId).HasMaxLength(Contact.MaxExternalIdLength);
        builder.Property(c => c.Attributes).HasConversion(JsonColumn.Converter<CustomAttributes>(), JsonColumn.Comparer<CustomAttributes>());
        builder.HasIndex(c => new { c.WorkspaceId, c.ExternalId }).IsUnique();
        builder.HasIndex(c => new { c.WorkspaceId, c.Email });
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(c => c.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Company>().WithMany().HasForeignKey(c => c.CompanyId).OnDelete(DeleteBehavior.SetNull);
    }
}
