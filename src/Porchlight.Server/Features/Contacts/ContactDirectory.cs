using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Contacts;

/// <summary>
/// A customer as another system names them: by its own id for them (<c>externalId</c>: a CRM record, an app's user
/// id, a phone number), by email, or both; with details to keep. Blank details leave what is known.
/// </summary>
public sealed record ContactReference(string? ExternalId, string? Email, string? Name, Dictionary<string, string>? Attributes)
{
    /// <summary>
    /// Field errors under <paramref name="field"/> (an external id or an email is needed to find the contact again), and
    /// the reference with its attributes as they are stored (checked against the workspace's definitions).
    /// </summary>
    public static async Task<ContactReference?> CheckAsync(FieldErrors errors, string field, ContactReference? reference, ContactAttributeRules rules, CancellationToken cancellationToken)
    {
        Validate(errors, field, reference);
        if (reference?.Attributes is not { } attributes)
        {
            return reference;
        }

        var checkedValues = await rules.CheckAsync(errors, $"{field}.attributes", attributes.ToDictionary(a => a.Key, a => (string?)a.Value), cancellationToken);
        return reference with { Attributes = checkedValues!.Where(a => a.Value is not null).ToDictionary(a => a.Key, a => a.Value!) };
    }

    private static void Validate(FieldErrors errors, string field, ContactReference? reference)
    {
        if (reference is null || (string.IsNullOrWhiteSpace(reference.ExternalId) && string.IsNullOrWhiteSpace(reference.Email)))
        {
            errors.Add(field, "Name the contact with an externalId, an email, or both.");
            return;
        }

        errors.MaxLength($"{field}.externalId", reference.ExternalId, Contact.MaxExternalIdLength)
            .MaxLength($"{field}.name", reference.Name, Contact.MaxNameLength);
        if (!string.IsNullOrWhiteSpace(reference.Email))
        {
            errors.Email($"{field}.email", reference.Email);
        }

    }
}

/// <summary>Finds the contact another system names, or adds it: the one place that decides when two names are one customer.</summary>
public sealed class ContactDirectory(AppDbContext db)
{
    /// <summary>
    /// The contact with the reference's external id; else, with its email, one that has no external id yet (it takes this
    /// one: a customer who wrote by email and is now known to the CRM); else a new contact. Its details are brought up to
    /// date. Tracked by the context, not saved: the caller saves it with what it is for. Call with a valid reference.
    /// </summary>
    public async Task<Contact> FindOrAddAsync(Guid workspaceId, ContactReference reference, DateTime now, CancellationToken cancellationToken)
    {
        // An external id is stored exactly as sent: it is another system's key, and case may matter there.
        var externalId = string.IsNullOrWhiteSpace(reference.ExternalId) ? null : reference.ExternalId.Trim();
        var email = Contact.NormalizeEmail(reference.Email);
        var contact = externalId is null ? null : await db.Contacts.FirstOrDefaultAsync(c => c.ExternalId == externalId, cancellationToken);
        if (contact is null && email is not null)
        {
            contact = await db.Contacts
                .Where(c => c.Email == email && (externalId == null || c.ExternalId == null))
                .OrderByDescending(c => c.ExternalId != null).ThenByDescending(c => c.LastSeenAt)
                .FirstOrDefaultAsync(cancellationToken);
        }

        if (contact is null)
        {
            contact = db.Contacts.Add(Contact.Create(workspaceId, externalId, now)).Entity;
        }
        else if (contact.ExternalId is null && externalId is not null)
        {
            contact.TakeExternalId(externalId, now);
        }

        contact.Describe(reference.Name, email, reference.Attributes, now);
        return contact;
    }
}
