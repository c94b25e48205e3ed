using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Data;

/// <summary>
/// Dispatches committed domain events to their handlers. Each message is claimed with a lease by a
/// conditional update, so with several nodes each message is handled by one of them, and a node that
/// dies mid-dispatch leaves messages that another node picks up once the lease runs out.
/// </summary>
public sealed class OutboxProcessor(
    IServiceScopeFactory scopes,
    DomainEventRegistry registry,
    OutboxSignal signal,
    TimeProvider clock,
    IOptions<OutboxOptions> options,
    PorchlightMetrics metrics,
    Hosting.Cluster.ClusterNode node,
    ILogger<OutboxProcessor> logger) : BackgroundService
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(15);
    private readonly string _node = node.Id;
    private readonly OutboxOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await ProcessPendingAsync(stoppingToken) > 0)
                {
                }

                await signal.WaitAsync(_options.PollInterval, clock, stoppingToken);
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                // Stopping: a database driver may report the cancelled pass with an exception of its own, not
                // as a cancellation. Ending here, not failing, keeps a stopped processor from stopping the host.
                return;
            }
            catch (Exception exception)
            {
                // The database may be briefly unreachable; keep the loop alive and try again later.
                logger.LogError(exception, "Outbox pass failed; retrying in {Delay}", _options.PollInterval);
                try
                {
                    await Task.Delay(_options.PollInterval, clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Claims and dispatches one batch of due messages.</summary>
    /// <returns>How many messages this pass claimed.</returns>
    public async Task<int> ProcessPendingAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = Now();
        var pending = db.OutboxMessages
            .Where(m => m.ProcessedAt == null && m.FailedAt == null && m.NextAttemptAt <= now && (m.LockedUntil == null || m.LockedUntil < now));
        // Urgent events first (a new conversation waiting to be routed), then the rest in order; ids break ties in the
        // order the events were raised, so what reports them (webhooks) writes in that order too. The rest are looked up
        // before the urgent ones: a commit that lands between the two look-ups is then seen whole by the second, and a
        // message can never be dispatched ahead of the start of its conversation committed with it (as it was when the
        // urgent look-up came first and missed a commit the other one saw).
        var urgent = registry.Urgent;
        var others = await pending.Where(m => !urgent.Contains(m.Type))
            .OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id).Select(m => m.Id).Take(_options.BatchSize).ToListAsync(cancellationToken);
        var candidates = await pending.Where(m => urgent.Contains(m.Type))
            .OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id).Select(m => m.Id).Take(_options.BatchSize).ToListAsync(cancellationToken);
        candidates.AddRange(others.Take(_options.BatchSize - candidates.Count));

        var claimed = 0;
        foreach (var id in candidates)
        {
            if (await TryClaimAsync(db, id, cancellationToken))
            {
                claimed++;
                await DispatchAsync(id, cancellationToken);
            }
        }

        return claimed;
    }

    private async Task<bool> TryClaimAsync(AppDbContext db, Guid id, CancellationToken cancellationToken)
    {
        var now = Now();
        var leaseEnd = now + _options.Lease;
        var rows = await db.OutboxMessages
            .Where(m => m.Id == id && m.ProcessedAt == null && m.FailedAt == null && (m.LockedUntil == null || m.LockedUntil < now))
            .ExecuteUpdateAsync(set => set.SetProperty(m => m.LockedUntil, leaseEnd).SetProperty(m => m.LockedBy, _node), cancellationToken);
        return rows == 1;
    }

    private async Task DispatchAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var message = await db.OutboxMessages.SingleAsync(m => m.Id == id, cancellationToken);
        try
        {
            if (registry.Find(message.Type) is { } registration)
            {
                // Handlers act for the event's workspace, exactly as a request of that workspace would.
                scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(message.WorkspaceId);
                scope.ServiceProvider.GetRequiredService<HandledEvent>().Enter(message.Id);
                await registration.Dispatch(scope.ServiceProvider, message.Payload, cancellationToken);
            }

            await MarkAsync(db, id, processed: true, error: null, message.Attempts, cancellationToken);
            metrics.OutboxDispatched.Add(1);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(exception, "Outbox message {MessageId} ({Type}) failed on attempt {Attempt}", id, message.Type, message.Attempts + 1);
            await MarkAsync(db, id, processed: false, exception.Message, message.Attempts, cancellationToken);
            metrics.OutboxFailed.Add(1);
        }
    }

    private async Task MarkAsync(AppDbContext db, Guid id, bool processed, string? error, int previousAttempts, CancellationToken cancellationToken)
    {
        var now = Now();
        var attempts = previousAttempts + 1;
        var giveUp = !processed && attempts >= _options.MaxAttempts;
        var retryDelay = TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, _options.RetryDelay.Ticks * (1L << Math.Min(attempts - 1, 20))));
        if (giveUp)
        {
            logger.LogError("Outbox message {MessageId} gave up after {Attempts} attempts: {Error}", id, attempts, error);
        }

        // Only the node holding the lease may settle the message.
        await db.OutboxMessages
            .Where(m => m.Id == id && m.LockedBy == _node)
            .ExecuteUpdateAsync(set => set
                .SetProperty(m => m.Attempts, attempts)
                .SetProperty(m => m.ProcessedAt, processed ? now : null)
                .SetProperty(m => m.FailedAt, giveUp ? now : null)
                .SetProperty(m => m.NextAttemptAt, processed ? now : now + retryDelay)
                .SetProperty(m => m.LastError, error == null ? null : error.Length > 2000 ? error[..2000] : error)
                .SetProperty(m => m.LockedUntil, (DateTime?)null)
                .SetProperty(m => m.LockedBy, (string?)null),
                CancellationToken.None);
    }

    private DateTime Now() => clock.GetUtcNow().UtcDateTime;
}
