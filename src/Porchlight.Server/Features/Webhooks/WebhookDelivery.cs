using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Webhooks;

public enum WebhookDeliveryState
{
    /// <summary>Not yet accepted by the receiver; tried again at <see cref="WebhookDelivery.NextAttemptAt"/>.</summary>
    Pending = 0,

    /// <summary>The receiver answered 2xx.</summary>
    Delivered = 1,

    /// <summary>Every attempt failed: kept for the log and a manual replay, not tried again on its own.</summary>
    Dead = 2,
}

/// <summary>
/// One event for one subscription, written in the commit of the change it reports (an outbox of its own), then
/// sent by <see cref="WebhookSender"/> until the receiver accepts it. Its id is the delivery id the receiver
/// deduplicates by: retries and replays send the same id and the same body.
/// </summary>
public sealed class WebhookDelivery : IWorkspaceOwned
{
    public const int MaxErrorLength = 500;

    private WebhookDelivery()
    {
    }

    public Guid Id { get; private init; } = TimeOrderedIds.Next();

    public Guid WorkspaceId { get; private set; }

    public Guid SubscriptionId { get; private set; }

    public string Event { get; private set; } = "";

    /// <summary>The body as sent, fixed when the event happened.</summary>
    public string Payload { get; private set; } = "";

    /// <summary>What the delivery reports, so an event delivered twice by the outbox is written once; null when the writer's own commit already ensures that.</summary>
    public string? SourceKey { get; private set; }

    /// <summary>
    /// What the delivery is about (its conversation or contact): a receiver gets the deliveries of one key in the
    /// order they were written, one at a time; <see cref="Guid.Empty"/> for events that need no order (a weekly
    /// digest). Not nullable, so the sender's "an earlier one of the same key is pending" is a plain equality the
    /// database can seek (a nullable one would add "or both null" and scan).
    /// </summary>
    public Guid OrderingKey { get; private set; }

    public DateTime CreatedAt { get; private set; }

    public WebhookDeliveryState State { get; private set; }

    public int Attempts { get; private set; }

    public DateTime NextAttemptAt { get; private set; }

    public DateTime? LastAttemptAt { get; private set; }

    /// <summary>The receiver's status code at the last attempt; null when no answer came (refused, timed out, unreachable).</summary>
    public int? LastStatusCode { get; private set; }

    public string? LastError { get; private set; }

    public int? LastDurationMs { get; private set; }

    public DateTime? DeliveredAt { get; private set; }

    public string? LockedBy { get; private set; }

    public DateTime? LockedUntil { get; private set; }

    public static WebhookDelivery Create(
        Guid workspaceId, Guid subscriptionId, Guid id, string eventName, string payload, string? sourceKey, Guid? orderingKey, DateTime now) => new()
    {
        Id = id,
        WorkspaceId = workspaceId,
        SubscriptionId = subscriptionId,
        Event = eventName,
        Payload = payload,
        SourceKey = sourceKey,
        OrderingKey = orderingKey ?? Guid.Empty,
        CreatedAt = now,
        NextAttemptAt = now,
    };
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.Property(d => d.Event).HasMaxLength(64);
        builder.Property(d => d.SourceKey).HasMaxLength(100);
        builder.Property(d => d.LastError).HasMaxLength(WebhookDelivery.MaxErrorLength);
        builder.Property(d => d.LockedBy).HasMaxLength(100);
        builder.HasOne<WebhookSubscription>().WithMany().HasForeignKey(d => d.SubscriptionId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(d => new { d.SubscriptionId, d.SourceKey }).IsUnique();
        builder.HasIndex(d => new { d.State, d.NextAttemptAt });
        builder.HasIndex(d => new { d.SubscriptionId, d.Id });
        builder.HasIndex(d => new { d.SubscriptionId, d.OrderingKey, d.State, d.Id });
        builder.HasIndex(d => new { d.SubscriptionId, d.State, d.Id }); // a webhook's oldest waiting delivery, its waiting ones

    }
}
