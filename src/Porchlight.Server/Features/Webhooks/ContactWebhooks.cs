using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Contacts;

namespace Porchlight.Server.Features.Webhooks;

/// <summary>A contact as it stands when the delivery is written, and, for an update, which of its details changed.</summary>
public sealed record ContactWebhookData(ContactView Contact, IReadOnlyList<string>? Changed = null);

/// <summary>
/// Tells subscriptions of contacts added and changed, however that happened (a chat, identify, an email, the API, an
/// import), so a CRM can follow. Ordered per contact (its creation before its changes); one delivery per event.
/// </summary>
public sealed class ContactWebhooks(AppDbContext db, WebhookOutbox outbox, WebhookSender sender, HandledEvent handled)
    : IDomainEventHandler<ContactCreated>, IDomainEventHandler<ContactUpdated>
{
    public Task HandleAsync(ContactCreated created, CancellationToken cancellationToken) =>
        ReportAsync(WebhookEvents.ContactCreated, created.ContactId, null, cancellationToken);

    public Task HandleAsync(ContactUpdated updated, CancellationToken cancellationToken) =>
        ReportAsync(WebhookEvents.ContactUpdated, updated.ContactId, updated.Changes, cancellationToken);

    private async Task ReportAsync(string eventName, Guid contactId, IReadOnlyList<string>? changed, CancellationToken cancellationToken)
    {
        if (!await outbox.IsHeardAsync(eventName, cancellationToken)
            || await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId, cancellationToken) is not { } contact)
        {
            return;
        }

        if (await outbox.AddAsync(eventName, new ContactWebhookData(ContactView.From(contact), changed), handled.KeyFor(eventName), contactId, inboxId: null, subscriptionId: null, cancellationToken) > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
            sender.Notify();
        }
    }
}
