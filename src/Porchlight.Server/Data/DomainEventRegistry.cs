using System.Collections.Frozen;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Porchlight.Server.Data;

/// <summary>Reacts to one kind of domain event after the change that raised it was committed.</summary>
public interface IDomainEventHandler<in TEvent> where TEvent : IDomainEvent
{
    Task HandleAsync(TEvent domainEvent, CancellationToken cancellationToken);
}

/// <summary>
/// An event someone is waiting on: a new conversation waits for routing to give it to an agent. The outbox
/// dispatches these before every other pending event, so a backlog of bookkeeping (SLA clocks, rules) never
/// delays the answer to a customer. An event raised in the same commit as others of its conversation may so run
/// before them; its handlers must read the state they need, as all handlers do.
/// </summary>
public interface IUrgentDomainEvent : IDomainEvent;

/// <summary>A registered event type and how to hand a stored payload of it to its handlers.</summary>
public sealed record DomainEventRegistration(Type EventType, Func<IServiceProvider, string, CancellationToken, Task> Dispatch);

/// <summary>
/// The event types the outbox knows, by name. Features register handlers explicitly with
/// <see cref="DomainEventServiceCollection.AddDomainEventHandler{TEvent, THandler}"/>; events without a
/// handler are still stored (so later handlers and webhooks can replay them) and are marked processed.
/// </summary>
public sealed class DomainEventRegistry
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly FrozenDictionary<string, DomainEventRegistration> _byName;

    public DomainEventRegistry(IEnumerable<DomainEventRegistration> registrations)
    {
        _byName = registrations.DistinctBy(r => r.EventType).ToFrozenDictionary(r => NameOf(r.EventType));
        Urgent = [.. _byName.Where(r => typeof(IUrgentDomainEvent).IsAssignableFrom(r.Value.EventType)).Select(r => r.Key).Order(StringComparer.Ordinal)];
    }

    /// <summary>The names of the event types the outbox dispatches before all others (<see cref="IUrgentDomainEvent"/>).</summary>
    public IReadOnlyList<string> Urgent { get; }

    public static string NameOf(Type eventType) => eventType.Name;

    public DomainEventRegistration? Find(string name) => _byName.GetValueOrDefault(name);
}

public static class DomainEventServiceCollection
{
    public static IServiceCollection AddDomainEventHandler<TEvent, THandler>(this IServiceCollection services)
        where TEvent : IDomainEvent
        where THandler : class, IDomainEventHandler<TEvent>
    {
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IDomainEventHandler<TEvent>, THandler>());
        // TryAddEnumerable cannot tell instances of one type apart (it throws), so one registration per
        // event type is ensured here; several handlers of an event share it.
        if (!services.Any(d => d.ServiceType == typeof(DomainEventRegistration)
                && d.ImplementationInstance is DomainEventRegistration existing && existing.EventType == typeof(TEvent)))
        {
            services.AddSingleton(new DomainEventRegistration(typeof(TEvent), DispatchAsync<TEvent>));
        }

        return services;
    }

    private static async Task DispatchAsync<TEvent>(IServiceProvider services, string payload, CancellationToken cancellationToken)
        where TEvent : IDomainEvent
    {
        var domainEvent = JsonSerializer.Deserialize<TEvent>(payload, DomainEventRegistry.Json)
            ?? throw new InvalidOperationException($"Outbox payload of {typeof(TEvent).Name} is empty.");
        foreach (var handler in services.GetServices<IDomainEventHandler<TEvent>>())
        {
            await handler.HandleAsync(domainEvent, cancellationToken);
        }
    }
}
