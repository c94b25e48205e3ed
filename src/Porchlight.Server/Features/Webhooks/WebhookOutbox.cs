using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Features.Webhooks;

/// <summary>
/// Writes deliveries into the caller's unit of work, so they are committed with the change they report and
/// never without it. After that commit the caller wakes the sender (<see cref="WebhookSender.Notify"/>); without
/// the wake-up they still go within the sender's poll interval.
/// </summary>
public sealed class WebhookOutbox(AppDbContext db, TimeProvider clock)
{
    private List<Listener>? _active;
    private Guid? _activeFor;

    /// <summary>
    /// Adds one delivery of <paramref name="eventName"/> for each active subscription that asked for it and hears
    /// <paramref name="inboxId"/> (or only for <paramref name="subscriptionId"/>, whatever its events and inboxes, when
    /// given); answers how many. <paramref name="sourceKey"/> names what is reported when an event may be handled twice:
    /// a second delivery for the same subscription and key is not written. <paramref name="orderingKey"/> (the
    /// conversation or contact it is about) keeps its deliveries in order at each receiver.
    /// </summary>
    public async Task<int> AddAsync(
        string eventName, object data, string? sourceKey, Guid? orderingKey, Guid? inboxId, Guid? subscriptionId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var added = 0;
        foreach (var subscription in await ListenersAsync(eventName, subscriptionId, cancellationToken))
        {
            if (subscriptionId is null && inboxId is { } inbox && subscription.InboxIds.Count > 0 && !subscription.InboxIds.Contains(inbox))
            {
                continue;
            }

            if (sourceKey is not null
                && await db.WebhookDeliveries.AnyAsync(d => d.SubscriptionId == subscription.Id && d.SourceKey == sourceKey, cancellationToken))
            {
                continue;
            }

            var id = TimeOrderedIds.Next();
            var body = JsonSerializer.Serialize(
                new WebhookEnvelope(id, eventName, WebhookEnvelope.CurrentVersion, now, subscription.WorkspaceId, data), WebhookEnvelope.Json);
            db.WebhookDeliveries.Add(WebhookDelivery.Create(subscription.WorkspaceId, subscription.Id, id, eventName, body, sourceKey, orderingKey, now));
            added++;
        }

        return added;
    }

    /// <summary>Whether an active subscription asked for <paramref name="eventName"/>: when none did, there is nothing to describe.</summary>
    public async Task<bool> IsHeardAsync(string eventName, CancellationToken cancellationToken) =>
        (await ListenersAsync(eventName, subscriptionId: null, cancellationToken)).Count > 0;

    // The events are a JSON column, so the choice by event is made here; a workspace has a handful of subscriptions,
    // read once per unit of work (an event handled, a request) and workspace it acts for.
    private async Task<List<Listener>> ListenersAsync(string eventName, Guid? subscriptionId, CancellationToken cancellationToken)
    {
        if (_active is null || _activeFor != db.CurrentWorkspaceId)
        {
            _activeFor = db.CurrentWorkspaceId;
            _active = await db.WebhookSubscriptions.AsNoTracking().Where(s => s.IsActive)
                .Select(s => new Listener(s.Id, s.WorkspaceId, s.Events, s.InboxIds)).ToListAsync(cancellationToken);
        }

        return _active.FindAll(s => subscriptionId is null ? s.Events.Contains(eventName) : s.Id == subscriptionId);
    }

    private sealed record Listener(Guid Id, Guid WorkspaceId, List<string> Events, List<Guid> InboxIds);

    /// <summary>The conversation as payloads describe it, with its contact.</summary>
    public async Task<WebhookConversation> DescribeAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        var contact = await db.Contacts.AsNoTracking().Where(c => c.Id == conversation.ContactId)
            .Select(c => new WebhookContact(c.Id, c.Name, c.Email)).FirstOrDefaultAsync(cancellationToken);
        return WebhookConversation.From(conversation, contact ?? new WebhookContact(conversation.ContactId, null, null));
    }
}
