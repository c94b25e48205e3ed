using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Porchlight.Server.Data;

/// <summary>
/// Turns the domain events recorded by entities into outbox rows inside the same SaveChanges, so an
/// event exists exactly when its change was committed, and wakes the processor after the commit.
/// </summary>
internal sealed class OutboxInterceptor(TimeProvider clock, OutboxSignal signal) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    // Set when this context stored events that the processor has not been told about: a commit without
    // events (most message writes) does not wake it, so it does not poll the table after every commit.
    private bool _unsignalled;

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        StoreEvents(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        StoreEvents(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        SignalUnlessInTransaction(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        SignalUnlessInTransaction(eventData.Context);
        return ValueTask.FromResult(result);
    }

    // Inside an explicit transaction the rows are not visible yet: signal on commit instead.
    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => SignalStoredEvents();

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        SignalStoredEvents();
        return Task.CompletedTask;
    }

    private void SignalUnlessInTransaction(DbContext? context)
    {
        if (context?.Database.CurrentTransaction is null)
        {
            SignalStoredEvents();
        }
    }

    private void SignalStoredEvents()
    {
        if (_unsignalled)
        {
            _unsignalled = false;
            signal.Notify();
        }
    }

    private void StoreEvents(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        context.ChangeTracker.DetectChanges();
        var now = clock.GetUtcNow().UtcDateTime;
        var sources = context.ChangeTracker.Entries<IHasDomainEvents>()
            .Select(entry => entry.Entity)
            .Where(entity => entity.DomainEvents.Count > 0)
            .ToList();
        foreach (var source in sources)
        {
            foreach (var domainEvent in source.DomainEvents)
            {
                context.AddRange(OutboxMessage.RowsFor(domainEvent, now));
                _unsignalled = true;
            }

            source.ClearDomainEvents();
        }
    }
}
