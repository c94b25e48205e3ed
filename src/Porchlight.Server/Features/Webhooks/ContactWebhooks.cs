using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Contacts;

namespace Porchlight.Server.Features.Webhooks;

/// <summary>The contact that was merged into another and removed: the ids another system may know it by.</summary>
public sealed record MergedContact(Guid Id, string? ExternalId, string? Email);

/// <summary>
/// A contact as it stands when the delivery is written; for an update, which of its details changed; for a merge, the
/// duplicate it took in.
/// </summary>
public sealed record ContactWebhookData(ContactView Contact, IReadOnlyList<string>? Changed = null, MergedContact? Merged = null);

/// <summary>
/// Tells subscriptions of contacts added and changed, however that happened (a chat, identify, an email, the API, an
/// import), so a CRM can follow. Ordered per contact (its creation before its changes); one delivery per event.
/// </summary>
public sealed class ContactWebhooks(AppDbContext db, WebhookOutbox outbox, WebhookSender sender, HandledEvent handled)
    : IDomainEventHandler<ContactCreated>, IDomainEventHandler<ContactUpdated>, IDomainEventHandler<ContactMerged>
{
    public Task HandleAsync(ContactCreated created, CancellationToken cancellationToken) =>
        ReportAsync(WebhookEvents.ContactCreated, created.ContactId, null, null, cancellationToken);

    public Task HandleAsync(ContactUpdated updated, CancellationToken cancellationToken) =>
        ReportAsync(WebhookEvents.ContactUpdated, updated.ContactId, updated.Changes, null, cancellationToken);

    public Task HandleAsync(ContactMerged merged, CancellationToken cancellationToken) =>
        ReportAsync(WebhookEvents.ContactMerged, merged.ContactId, null, new MergedContact(merged.MergedContactId, merged.MergedExternalId, merged.MergedEmail), cancellationToken);

    private async Task ReportAsync(string eventName, Guid contactId, IReadOnlyList<string>? changed, MergedContact? merged, CancellationToken cancellationToken)
    {
        if (!await outbox.IsHeardAsync(eventName, cancellationToken)
            || await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId, cancellationToken) is not { } contact)
        {
            return;
        }

        if (await outbox.AddAsync(eventName, new ContactWebhookData(ContactView.From(contact), changed, merged), handled.KeyFor(eventName), contactId, inboxId: null, subscriptionId: null, cancellationToken) > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
            sender.Notify();
        }
    }
}
