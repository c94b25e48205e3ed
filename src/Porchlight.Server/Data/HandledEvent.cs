namespace Porchlight.Server.Data;

/// <summary>
/// The outbox message a handler's scope is handling, when it is one. The outbox delivers at least once: a handler
/// whose effect must happen once (a message sent by a rule, an escalation) stores this id with its effect, in the
/// same commit, and does nothing when it finds it already stored. Null outside the outbox (a test calling a
/// handler directly), where nothing is retried.
/// </summary>
public sealed class HandledEvent
{
    public Guid? OutboxMessageId { get; private set; }

    internal void Enter(Guid outboxMessageId) => OutboxMessageId = outboxMessageId;

    /// <summary>
    /// A key naming what <paramref name="name"/> did for this event (a webhook delivery, say): the outbox message is the
    /// event, so handled twice it is still one. Null outside the outbox, where nothing is retried.
    /// </summary>
    public string? KeyFor(string name) => OutboxMessageId is { } id ? $"{name}:{id}" : null;
}
