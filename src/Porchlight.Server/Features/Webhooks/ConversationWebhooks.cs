using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Sla;
using Porchlight.Server.Features.Surveys;

namespace Porchlight.Server.Features.Webhooks;

/// <summary>
/// Reports what happens to conversations to the subscriptions that asked for it. Runs from the outbox after the
/// change's commit; the outbox may hand an event over twice, so each delivery's source key names the event it
/// reports (the outbox message, the message, or the SLA clock and stage) and a second one is not written. The
/// conversation in a payload is described as it stands when the delivery is written, moments after the event;
/// what the event itself changed (from, to) is exact.
/// </summary>
public sealed class ConversationWebhooks(AppDbContext db, WebhookOutbox outbox, WebhookSender sender, MessageViews messages, HandledEvent handled)
    : IDomainEventHandler<ConversationStarted>,
        IDomainEventHandler<ConversationStatusChanged>,
        IDomainEventHandler<ConversationAssigned>,
        IDomainEventHandler<ConversationPriorityChanged>,
        IDomainEventHandler<ConversationLabelsChanged>,
        IDomainEventHandler<ContactMessageReceived>,
        IDomainEventHandler<MessagePosted>,
        IDomainEventHandler<SurveyAnswered>,
        IDomainEventHandler<SlaWarned>,
        IDomainEventHandler<SlaBreached>
{
    public Task HandleAsync(ConversationStarted started, CancellationToken cancellationToken) =>
        ReportAsync(WebhookEvents.ConversationCreated, started.ConversationId, handled.KeyFor(WebhookEvents.ConversationCreated),
            (_, described, _) => Done(new ConversationWebhookData(described)), cancellationToken);

    public Task HandleAsync(ConversationStatusChanged changed, CancellationToken cancellationToken) =>
        ReportAsync(WebhookEvents.ConversationStatusChanged, changed.ConversationId, handled.KeyFor(WebhookEvents.ConversationStatusChanged),
            (_, described, _) => Done(new StatusChangedWebhookData(described, changed.From, changed.To, changed.At)), cancellationToken);

    public Task HandleAsync(ConversationAssigned assigned, CancellationToken cancellationToken) =>
        ReportAsync(WebhookEvents.ConversationAssigned, assigned.ConversationId, handled.KeyFor(WebhookEvents.ConversationAssigned),
            (_, described, _) => Done(new AssignedWebhookData(
                described, new WebhookAssignment(assigned.FromAgentId, assigned.FromTeamId), new WebhookAssignment(assigned.ToAgentId, assigned.ToTeamId))),
            cancellationToken);

    public Task HandleAsync(ConversationPriorityChanged changed, CancellationToken cancellationToken) =>
        ReportAsync(WebhookEvents.ConversationUpdated, changed.ConversationId, handled.KeyFor(WebhookEvents.ConversationUpdated),
            (_, described, _) => Done(new UpdatedWebhookData(described, ["priority"])), cancellationToken);

    public Task HandleAsync(ConversationLabelsChanged changed, CancellationToken cancellationToken) =>
        ReportAsync(WebhookEvents.ConversationUpdated, changed.ConversationId, handled.KeyFor(WebhookEvents.ConversationUpdated),
            (_, described, _) => Done(new UpdatedWebhookData(described, ["labels"])), cancellationToken);

    public Task HandleAsync(ContactMessageReceived received, CancellationToken cancellationToken) =>
        ReportMessageAsync(received.ConversationId, received.MessageId, cancellationToken);

    public Task HandleAsync(MessagePosted posted, CancellationToken cancellationToken) =>
        ReportMessageAsync(posted.ConversationId, posted.MessageId, cancellationToken);

    public Task HandleAsync(SurveyAnswered answered, CancellationToken cancellationToken) =>
        ReportAsync(WebhookEvents.SurveyAnswered, answered.ConversationId, handled.KeyFor(WebhookEvents.SurveyAnswered), async (_, described, ct) =>
            await db.SurveyResponses.AsNoTracking().Where(r => r.ConversationId == answered.ConversationId)
                .Select(r => new SurveyWebhookData(described, r.Channel, r.Rating, r.Effort, r.Recommend, r.Comment, r.AnsweredAt, r.ChangedAt))
                .FirstOrDefaultAsync(ct), cancellationToken);

    public Task HandleAsync(SlaWarned warned, CancellationToken cancellationToken) =>
        ReportSlaAsync(WebhookEvents.SlaWarning, warned.ConversationId, warned.ClockId, warned.PolicyId, warned.Metric, warned.DueAt, cancellationToken);

    public Task HandleAsync(SlaBreached breached, CancellationToken cancellationToken) =>
        ReportSlaAsync(WebhookEvents.SlaBreached, breached.ConversationId, breached.ClockId, breached.PolicyId, breached.Metric, breached.DueAt, cancellationToken);

    private static Task<object?> Done(object data) => Task.FromResult<object?>(data);

    // Keyed by the message: whichever event reported it, a message is one delivery.
    private Task ReportMessageAsync(Guid conversationId, Guid messageId, CancellationToken cancellationToken) =>
        ReportAsync(WebhookEvents.MessageCreated, conversationId, $"{WebhookEvents.MessageCreated}:{messageId}", async (conversation, described, ct) =>
            await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == messageId, ct) is { } message
                ? new MessageWebhookData(described, (await messages.DescribeAsync(conversation, [message], ct))[0])
                : null, cancellationToken);

    // Keyed by the clock: a clock warns once and breaches once, whichever pass noticed it.
    private Task ReportSlaAsync(
        string eventName, Guid conversationId, Guid clockId, Guid? policyId, SlaMetric metric, DateTime? dueAt, CancellationToken cancellationToken) =>
        ReportAsync(eventName, conversationId, $"{eventName}:{clockId}", async (_, described, ct) =>
        {
            var policyName = await db.SlaPolicies.Where(p => p.Id == policyId).Select(p => p.Name).FirstOrDefaultAsync(ct);
            return new SlaWebhookData(described, metric, policyId, policyName, dueAt);
        }, cancellationToken);


    private async Task ReportAsync(
        string eventName, Guid conversationId, string? sourceKey, Func<Conversation, WebhookConversation, CancellationToken, Task<object?>> dataFor,
        CancellationToken cancellationToken)
    {
        if (!await outbox.IsHeardAsync(eventName, cancellationToken)
            || await db.Conversations.AsNoTracking().FirstOrDefaultAsync(c => c.Id == conversationId, cancellationToken) is not { } conversation
            || await dataFor(conversation, await outbox.DescribeAsync(conversation, cancellationToken), cancellationToken) is not { } data)
        {
            return;
        }

        if (await outbox.AddAsync(eventName, data, sourceKey, conversationId, conversation.InboxId, subscriptionId: null, cancellationToken) > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
            sender.Notify();
        }
    }
}
