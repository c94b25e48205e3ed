namespace Porchlight.Server.Data;

/// <summary>Marks a row that belongs to one workspace; the tenant query filter scopes it.</summary>
public interface IWorkspaceOwned
{
    Guid WorkspaceId { get; }
}

/// <summary>A fact that happened to an entity, stored in the outbox with the change that caused it.</summary>
public interface IDomainEvent
{
    /// <summary>The workspace the event happened in; handlers run scoped to it.</summary>
    Guid WorkspaceId { get; }
}

public interface IHasDomainEvents
{
    IReadOnlyList<IDomainEvent> DomainEvents { get; }
    void ClearDomainEvents();
}

/// <summary>Base of entities with a time-ordered key and domain events.</summary>
public abstract class Entity : IHasDomainEvents
{
    private readonly List<IDomainEvent> _domainEvents = [];

    // Time-ordered keys: inserts append to indexes, and ordering by Id is ordering by creation (see TimeOrderedIds).
    public Guid Id { get; protected init; } = TimeOrderedIds.Next();

    public IReadOnlyList<IDomainEvent> DomainEvents => _domainEvents;

    protected void Raise(IDomainEvent domainEvent) => _domainEvents.Add(domainEvent);

    /// <summary>Takes back an event not yet saved (one that a later change in the same unit of work supersedes).</summary>
    protected void Withdraw(IDomainEvent domainEvent) => _domainEvents.Remove(domainEvent);

    public void ClearDomainEvents() => _domainEvents.Clear();
}
