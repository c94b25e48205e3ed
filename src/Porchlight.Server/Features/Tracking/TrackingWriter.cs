using System.Threading.Channels;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Tracking;

/// <summary>
/// Stores tracked events in batches: whatever is queued when the writer is free goes into one transaction (no
/// waiting for more), so a lone page view is written at once and a burst costs few commits (DESIGN §3). The
/// queue is bounded: when it is full the endpoint answers 503 with Retry-After instead of growing memory.
/// </summary>
public sealed class TrackingWriter(IServiceScopeFactory scopes, IConfiguration configuration, ILogger<TrackingWriter> logger) : BackgroundService
{
    public const int MaxBatch = 500;

    private readonly int _capacity = configuration.GetValue("Tracking:QueueCapacity", 50_000);
    private readonly Channel<TrackedEvent> _queue = Channel.CreateUnbounded<TrackedEvent>(new UnboundedChannelOptions { SingleReader = true });

    // Events queued and not yet taken by the writer: the bound the queue itself cannot count for a single reader.
    private int _queued;

    /// <summary>Queues the events of one request, all or none; false when the queue has no room for them.</summary>
    public bool TryQueue(IReadOnlyList<TrackedEvent> events)
    {
        // One writer of the queue at a time, so a request's events are never split by a full queue.
        lock (_queue)
        {
            if (Volatile.Read(ref _queued) + events.Count > _capacity)
            {
                return false;
            }

            Interlocked.Add(ref _queued, events.Count);
            return events.All(_queue.Writer.TryWrite);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<TrackedEvent>(MaxBatch);
        // Runs until the queue is completed at stop and drained: the requests behind its events were answered 202.
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            Interlocked.Add(ref _queued, -batch.Count);

            await WriteAsync(batch);
            batch.Clear();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_queue)
        {
            _queue.Writer.TryComplete();
        }

        await base.StopAsync(cancellationToken);
    }

    private async Task WriteAsync(List<TrackedEvent> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                db.AddRange(batch);
                await db.SaveChangesAsync(CancellationToken.None);
                return;
            }
#pragma warning disable CA1031 // A failed batch is tried again; the events were acknowledged and must not be dropped quietly.
            catch (Exception e) when (attempt < 5)
#pragma warning restore CA1031
            {
                logger.LogWarning(e, "A batch of {Count} tracked events could not be stored; trying again.", batch.Count);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
        }
    }
}
