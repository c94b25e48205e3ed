using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Sla;

namespace Porchlight.Server.Features.Webhooks;

/// <summary>
/// Reports SLA warnings and breaches to the subscriptions that asked for them. The outbox may hand an event over
/// twice; the delivery's source key (the clock and the stage) keeps it to one delivery per subscription.
/// </summary>
public sealed class SlaWebhooks(AppDbContext db, WebhookOutbox outbox, WebhookSender sender)
    : IDomainEventHandler<SlaWarned>, IDomainEventHandler<SlaBreached>
{
    public Task HandleAsync(SlaWarned warned, CancellationToken cancellationToken) =>
        ReportAsync(WebhookEvents.SlaWarning, warned.ConversationId, warned.ClockId, warned.PolicyId, warned.Metric, warned.DueAt, cancellationToken);

    public Task HandleAsync(SlaBreached breached, CancellationToken cancellationToken) =>
        ReportAsync(WebhookEvents.SlaBreached, breached.ConversationId, breached.ClockId, breached.PolicyId, breached.Metric, breached.DueAt, cancellationToken);

    private async Task ReportAsync(
        string eventName, Guid conversationId, Guid clockId, Guid? policyId, SlaMetric metric, DateTime? dueAt, CancellationToken cancellationToken)
    {
        if (!await db.WebhookSubscriptions.AnyAsync(s => s.IsActive, cancellationToken)
            || await db.Conversations.AsNoTracking().FirstOrDefaultAsync(c => c.Id == conversationId, cancellationToken) is not { } conversation)
        {
            return;
        }

        var policyName = await db.SlaPolicies.Where(p => p.Id == policyId).Select(p => p.Name).FirstOrDefaultAsync(cancellationToken);
        var data = new SlaWebhookData(await outbox.DescribeAsync(conversation, cancellationToken), metric, policyId, policyName, dueAt);
        if (await outbox.AddAsync(eventName, data, $"{eventName}:{clockId}", subscriptionId: null, cancellationToken) > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
            sender.Notify();
        }
    }
}
