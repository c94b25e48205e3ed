using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Porchlight.Server.Data;

/// <summary>
/// A domain event waiting to be dispatched. Written in the same transaction as the change that
/// raised it, claimed by one node at a time through a lease, and retried with back-off on failure.
/// </summary>
public sealed class OutboxMessage
{
    private OutboxMessage()
    {
    }

    public Guid Id { get; private set; } = TimeOrderedIds.Next();

    public Guid WorkspaceId { get; private set; }

    /// <summary>The event's type name as registered with <see cref="DomainEventRegistry"/>.</summary>
    public string Type { get; private set; } = "";

    public string Payload { get; private set; } = "";

    public DateTime OccurredAt { get; private set; }

    public DateTime NextAttemptAt { get; private set; }

    public int Attempts { get; private set; }

    public DateTime? LockedUntil { get; private set; }

    public string? LockedBy { get; private set; }

    public DateTime? ProcessedAt { get; private set; }

    /// <summary>Set when the message gave up after the last allowed attempt (a dead letter).</summary>
    public DateTime? FailedAt { get; private set; }

    public string? LastError { get; private set; }

    /// <summary>The row that stores <paramref name="domainEvent"/> for dispatch.</summary>
    public static OutboxMessage For(IDomainEvent domainEvent, DateTime now)
    {
        var type = domainEvent.GetType();
        return Create(domainEvent.WorkspaceId, DomainEventRegistry.NameOf(type), JsonSerializer.Serialize(domainEvent, type, DomainEventRegistry.Json), now);
    }

    /// <summary>
    /// The rows a domain event is stored as, in the commit of its change: its outbox row and, for what the metrics read,
    /// its entry in the conversation event log (docs/metrics.md). Every place that stores events stores these.
    /// </summary>
    public static IEnumerable<object> RowsFor(IDomainEvent domainEvent, DateTime now)
    {
        yield return For(domainEvent, now);
        if (Features.Reports.ConversationEvent.For(domainEvent, now) is { } logged)
        {
            yield return logged;
        }
    }

    public static OutboxMessage Create(Guid workspaceId, string type, string payload, DateTime now) => new()
    {
        WorkspaceId = workspaceId,
        Type = type,
        Payload = payload,
        OccurredAt = now,
        NextAttemptAt = now,
    };
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.ToTable("OutboxMessages");
        builder.Property(m => m.Type).HasMaxLength(128);
        builder.Property(m => m.LockedBy).HasMaxLength(128);
        builder.Property(m => m.LastError).HasMaxLength(2000);
        builder.HasIndex(m => new { m.ProcessedAt, m.NextAttemptAt });
        builder.HasIndex(m => new { m.ProcessedAt, m.Type, m.NextAttemptAt }); // the urgent events' look-up
    }
}
