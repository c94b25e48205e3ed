using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Tracking;

/// <summary>The events of one tracking request, with what the request itself told about the visitor.</summary>
public sealed record TrackedHit(IReadOnlyList<TrackedEvent> Events, string? IpAddress, string? Country);

/// <summary>
/// Stores tracked events in batches: whatever is queued when the writer is free goes into one transaction (no
/// waiting for more), so a lone page view is written at once and a burst costs few commits (DESIGN §3). The same
/// transaction keeps each visitor's and each visit's summary row up to date. The queue is bounded: when it is
/// full the endpoint answers 503 with Retry-After instead of growing memory.
/// </summary>
public sealed class TrackingWriter(IServiceScopeFactory scopes, IConfiguration configuration, PorchlightMetrics metrics, ILogger<TrackingWriter> logger)
    : BackgroundService
{
    public const int MaxBatch = 500;

    private readonly int _capacity = configuration.GetValue("Tracking:QueueCapacity", 50_000);
    private readonly Channel<TrackedHit> _queue = Channel.CreateUnbounded<TrackedHit>(new UnboundedChannelOptions { SingleReader = true });

    // Events queued and not yet taken by the writer: the bound the queue itself cannot count for a single reader.
    private int _queued;

    /// <summary>Queues the events of one request, all or none; false when the queue has no room for them.</summary>
    public bool TryQueue(TrackedHit hit)
    {
        // One writer of the queue at a time, so a request's events are never split by a full queue.
        lock (_queue)
        {
            if (Volatile.Read(ref _queued) + hit.Events.Count > _capacity)
            {
                return false;
            }

            Interlocked.Add(ref _queued, hit.Events.Count);
            return _queue.Writer.TryWrite(hit);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<TrackedHit>();
        // Runs until the queue is completed at stop and drained: the requests behind its events were answered 202.
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            var events = 0;
            while (events < MaxBatch && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
                events += next.Events.Count;
            }

            Interlocked.Add(ref _queued, -events);
            var active = await WriteAsync(batch) ?? await WriteOneByOneAsync(batch);
            batch.Clear();
            await AnnounceAsync(active);
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

    /// <summary>
    /// Stores the batch, trying again a few times; answers the contacts (with their workspace) whose visitors viewed
    /// a page or did something, or null when the batch could not be stored.
    /// </summary>
    private async Task<List<(Guid WorkspaceId, Guid ContactId)>?> WriteAsync(List<TrackedHit> batch, int attempts = 4)
    {
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                var active = await SummarizeAsync(db, batch);
                var events = batch.SelectMany(h => h.Events).ToList();
                db.TrackedEvents.AddRange(events);
                await db.SaveChangesAsync(CancellationToken.None);
                metrics.TrackingStored.Add(events.Count);
                return active;
            }
#pragma warning disable CA1031 // A failed batch is tried again; the events were acknowledged and must not be dropped quietly.
            catch (Exception e)
#pragma warning restore CA1031
            {
                logger.LogWarning(e, "A batch of {Count} tracking requests could not be stored (attempt {Attempt}).", batch.Count, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
        }

        return null;
    }

    /// <summary>
    /// A batch the database keeps refusing is stored request by request, so one bad request costs only its own
    /// events, which are logged and counted, and the writer carries on.
    /// </summary>
    private async Task<List<(Guid WorkspaceId, Guid ContactId)>> WriteOneByOneAsync(List<TrackedHit> batch)
    {
        var active = new List<(Guid WorkspaceId, Guid ContactId)>();
        foreach (var hit in batch)
        {
            if (await WriteAsync([hit], attempts: 2) is { } stored)
            {
                active.AddRange(stored);
                continue;
            }

            metrics.TrackingLost.Add(hit.Events.Count);
            logger.LogError("{Count} tracked events of visitor {Visitor} could not be stored and were dropped.", hit.Events.Count, hit.Events[0].VisitorKey);
        }

        return active;
    }

    /// <summary>Creates or updates the visitor and visit rows the batch's events belong to.</summary>
    private static async Task<List<(Guid WorkspaceId, Guid ContactId)>> SummarizeAsync(AppDbContext db, List<TrackedHit> batch)
    {
        var visitorKeys = batch.SelectMany(h => h.Events).Select(e => e.VisitorKey).Distinct().ToList();
        var sessionKeys = batch.SelectMany(h => h.Events).Select(e => e.SessionKey).Distinct().ToList();
        // Keys are random or salted hashes, so a key names one inbox's row in practice; the inbox still decides.
        var visitors = (await db.TrackedVisitors.Where(v => visitorKeys.Contains(v.VisitorKey)).ToListAsync())
            .ToDictionary(v => (v.InboxId, v.VisitorKey));
        var sessions = (await db.TrackedSessions.Where(s => sessionKeys.Contains(s.SessionKey)).ToListAsync())
            .ToDictionary(s => (s.InboxId, s.SessionKey));
        var active = new HashSet<(Guid, Guid)>();
        foreach (var hit in batch)
        {
            foreach (var done in hit.Events)
            {
                if (!visitors.TryGetValue((done.InboxId, done.VisitorKey), out var visitor))
                {
                    visitor = db.TrackedVisitors.Add(TrackedVisitor.Create(done.WorkspaceId, done.InboxId, done.VisitorKey, done.ReceivedAt)).Entity;
                    visitors.Add((done.InboxId, done.VisitorKey), visitor);
                }

                if (!sessions.TryGetValue((done.InboxId, done.SessionKey), out var session))
                {
                    session = db.TrackedSessions.Add(TrackedSession.Begin(done, isReturning: visitor.Visits > 0, hit.IpAddress, hit.Country)).Entity;
                    sessions.Add((done.InboxId, done.SessionKey), session);
                    visitor.Began(done);
                }

                visitor.Saw(done);
                session.Saw(done);
                if (visitor.ContactId is { } contactId && done.Type != TrackedEventType.PageLeave)
                {
                    active.Add((done.WorkspaceId, contactId));
                }
            }
        }

        return [.. active];
    }

    /// <summary>Agents looking at these contacts see the new pages in the sidebar at once.</summary>
    private async Task AnnounceAsync(List<(Guid WorkspaceId, Guid ContactId)> active)
    {
        foreach (var (workspaceId, contactId) in active)
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspaceId);
            await scope.ServiceProvider.GetRequiredService<ConversationBroadcaster>().ContactChangedAsync(contactId);
        }
    }
}
