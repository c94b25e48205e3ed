using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Tracking;

/// <summary>The events of one tracking request, with what the request itself told about the visitor.</summary>
/// <param name="IpAddress">What is stored of the address, per the inbox's settings.</param>
/// <param name="Address">The request's whole address, only to look its country up when a visit begins; never stored.</param>
public sealed record TrackedHit(IReadOnlyList<TrackedEvent> Events, string? IpAddress, System.Net.IPAddress? Address);

/// <summary>
/// Stores tracked events in batches: what is queued when the writer is free, and what arrives in the tenth of a second
/// after (<c>Tracking:WriteLinger</c>), goes into one transaction, so a burst costs few commits (DESIGN §3). The same
/// transaction keeps each visitor's and each visit's summary row up to date; once committed, the visitors are
/// shown as on the site (LiveVisitors). The queue is bounded: when it is
/// full the endpoint answers 503 with Retry-After instead of growing memory.
/// </summary>
public sealed class TrackingWriter(
    IServiceScopeFactory scopes, IConfiguration configuration, LiveVisitors live, GeoCountries countries, PorchlightMetrics metrics, ILogger<TrackingWriter> logger)
    : BackgroundService
{
    public const int MaxBatch = 500;

    private readonly int _capacity = configuration.GetValue("Tracking:QueueCapacity", 50_000);

    // The requests were answered when their events were queued, so waiting for more delays only the storing (and what
    // agents see of it, by a tenth of a second), and each commit is shared by more events: a visit's row or a page of an
    // index changed by several events of one batch is written to the log once. At 5,000-8,000 page views a second this
    // took the processor time per stored page view from about 0.19 to 0.15 ms against a 10 ms linger (decisions/0018).
    // It happens before the transaction begins, so message writes never wait for it.
    private readonly TimeSpan _linger = configuration.GetValue("Tracking:WriteLinger", TimeSpan.FromMilliseconds(100));
    private readonly Channel<TrackedHit> _queue = Channel.CreateUnbounded<TrackedHit>(new UnboundedChannelOptions { SingleReader = true });

    // Events queued and not yet taken by the writer: the bound the queue itself cannot count for a single reader.
    private int _queued;

    // Only the writer's loop uses these.
    private WriterSession? _session;
    private readonly KnownVisits _known = new();

    /// <summary>Queues the events of one request, all or none; false when the queue has no room for them.</summary>
    public bool TryQueue(TrackedHit hit)
    {
        // Counted first and taken back when over: no lock, and a request's events travel together as one item.
        if (Interlocked.Add(ref _queued, hit.Events.Count) > _capacity || !_queue.Writer.TryWrite(hit))
        {
            Interlocked.Add(ref _queued, -hit.Events.Count);
            return false;
        }

        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<TrackedHit>();
        // Runs until the queue is completed at stop and drained: the requests behind its events were answered 202.
        try
        {
            while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
            {
                var events = Take(batch, 0);
                if (events < MaxBatch && _linger > TimeSpan.Zero)
                {
                    await Task.Delay(_linger, CancellationToken.None);
                    events = Take(batch, events);
                }

                Interlocked.Add(ref _queued, -events);
                var active = await WriteAsync(batch) ?? await WriteOneByOneAsync(batch);
                batch.Clear();
                await AnnounceAsync(active);
            }
        }
        finally
        {
            await CloseSessionAsync();
        }
    }

    /// <summary>Moves queued requests into <paramref name="batch"/> while it holds fewer than MaxBatch events; answers how many it holds.</summary>
    private int Take(List<TrackedHit> batch, int events)
    {
        while (events < MaxBatch && _queue.Reader.TryRead(out var next))
        {
            batch.Add(next);
            events += next.Events.Count;
        }

        return events;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
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
                var session = _session ??= await WriterSession.OpenAsync(scopes);
                await using var transaction = await session.Db.Database.BeginTransactionAsync(CancellationToken.None);
                var (active, seen, visits) = await StoreAsync(session, batch);
                await transaction.CommitAsync(CancellationToken.None);
                metrics.TrackingStored.Add(batch.Sum(h => h.Events.Count));
                foreach (var (visitor, visit, done) in seen)
                {
                    live.Saw(visitor, visit, done);
                }

                foreach (var visit in visits)
                {
                    _known.Add(visit.Visit);
                }

                return active;
            }
#pragma warning disable CA1031 // A failed batch is tried again; the events were acknowledged and must not be dropped quietly.
            catch (Exception e)
#pragma warning restore CA1031
            {
                logger.LogWarning(e, "A batch of {Count} tracking requests could not be stored (attempt {Attempt}).", batch.Count, attempt);
                await CloseSessionAsync(); // A connection in an unknown state is not used again.
                _known.Clear(); // A visit this node knew may have been deleted since (retention, erasure): read them all again.
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

    /// <summary>
    /// Inserts the events and creates or updates the visitor and visit rows they belong to, with plain prepared
    /// statements (RowStatements): change tracking cost several times the statements themselves at this volume. A visit
    /// this node already stored or read is not read again: what the batch adds to it is written relative to the row
    /// (VisitProgress), and its look-up was about a fifth of the writer's time.
    /// </summary>
    private async Task<(List<(Guid WorkspaceId, Guid ContactId)> Active, List<(TrackedVisitor, TrackedSession, TrackedEvent)> Seen, IEnumerable<VisitProgress> Visits)> StoreAsync(
        WriterSession session, List<TrackedHit> batch)
    {
        var db = session.Db;
        var all = batch.SelectMany(h => h.Events).ToList();
        // Each visitor of the batch, and each visit this node does not know yet, read once by inbox and key as the unique
        // indexes are: an index seek each, all in one round trip on PostgreSQL.
        var visitorKeys = all.Select(e => (e.InboxId, e.VisitorKey)).Distinct().ToList();
        var visits = new Dictionary<(Guid, string), VisitProgress>();
        var visitKeys = new List<(Guid InboxId, string SessionKey)>();
        foreach (var key in all.Select(e => (e.InboxId, e.SessionKey)).Distinct())
        {
            if (_known.Find(key) is { } known)
            {
                visits[key] = new VisitProgress(known, isNew: false);
            }
            else
            {
                visitKeys.Add(key);
            }
        }

        var visitors = new Dictionary<(Guid, string), Row<TrackedVisitor>>();
        var foundVisitors = await session.Visitors.FindEachAsync(session.Commands, session.VisitorByKey, [.. visitorKeys.Select(k => new object[] { k.InboxId, k.VisitorKey })], CancellationToken.None);
        foreach (var visitor in foundVisitors.OfType<TrackedVisitor>())
        {
            visitors[(visitor.InboxId, visitor.VisitorKey)] = new Row<TrackedVisitor>(visitor, session.Visitors.Snapshot(visitor));
        }

        var foundVisits = await session.Sessions.FindEachAsync(session.Commands, session.VisitByKey, [.. visitKeys.Select(k => new object[] { k.InboxId, k.SessionKey })], CancellationToken.None);
        foreach (var visit in foundVisits.OfType<TrackedSession>())
        {
            visits[(visit.InboxId, visit.SessionKey)] = new VisitProgress(visit, isNew: false);
        }

        var active = new HashSet<(Guid, Guid)>();
        var seen = new List<(TrackedVisitor, TrackedSession, TrackedEvent)>();
        foreach (var hit in batch)
        {
            foreach (var done in hit.Events)
            {
                if (!visitors.TryGetValue((done.InboxId, done.VisitorKey), out var visitor))
                {
                    visitors[(done.InboxId, done.VisitorKey)] = visitor = new Row<TrackedVisitor>(
                        TrackedVisitor.Create(done.WorkspaceId, done.InboxId, done.VisitorKey, done.ReceivedAt), null);
                }

                if (!visits.TryGetValue((done.InboxId, done.SessionKey), out var visit))
                {
                    var began = TrackedSession.Begin(done, isReturning: visitor.Entity.Visits > 0, hit.IpAddress, countries.CountryOf(hit.Address));
                    visits[(done.InboxId, done.SessionKey)] = visit = new VisitProgress(began, isNew: true);
                    visitor.Entity.Began(done);
                }

                visit.Saw(done);
                seen.Add((visitor.Entity, visit.Visit, done));
                if (visitor.Entity.ContactId is { } contactId && done.Type != TrackedEventType.PageLeave)
                {
                    active.Add((done.WorkspaceId, contactId));
                }
            }
        }

        // On PostgreSQL the batch's writes go in one round trip; each was one before.
        session.Commands.Gather();
        await session.Visitors.InsertAsync(session.Commands, [.. visitors.Values.Where(r => r.Before is null).Select(r => r.Entity)], CancellationToken.None);
        foreach (var row in visitors.Values.Where(r => r.Before is not null))
        {
            await session.Visitors.UpdateChangedAsync(session.Commands, row.Entity, row.Before!, CancellationToken.None);
        }

        await session.Sessions.InsertAsync(session.Commands, [.. visits.Values.Where(v => v.IsNew).Select(v => v.Visit)], CancellationToken.None);
        foreach (var progress in visits.Values.Where(v => !v.IsNew))
        {
            await session.VisitProgress.AddAsync(session.Commands, progress, CancellationToken.None);
        }

        await session.Events.InsertAsync(session.Commands, all, CancellationToken.None);
        await session.Commands.FlushAsync(CancellationToken.None);
        // Each day these events change the figures of: their own, and the day each of their visits began.
        var staleDays = all.Select(e => (e.InboxId, DateOnly.FromDateTime(e.ReceivedAt)))
            .Concat(visits.Values.Select(v => (v.Visit.InboxId, DateOnly.FromDateTime(v.Visit.StartedAt))))
            .Distinct();
        await StaleSiteDay.MarkAsync(db, session.Commands.For(session.MarkStaleDay), staleDays, CancellationToken.None);
        return ([.. active], seen, visits.Values);
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

    private async Task CloseSessionAsync()
    {
        if (_session is { } open)
        {
            _session = null;
            await open.DisposeAsync();
        }
    }

    /// <summary>A row as read (<c>Before</c> its column values), or a new one (<c>Before</c> null).</summary>
    private sealed record Row<T>(T Entity, object?[]? Before);

    /// <summary>
    /// The visits this node stored or read lately, by inbox and visit key, so a visit's row is read once and not with
    /// every batch. Only their fixed columns are used (start, source, software, country; see VisitProgress). Two
    /// generations of at most <see cref="Generation"/> visits each: when the newer is full it becomes the older, and
    /// what the older held and nobody asked for since is forgotten.
    /// </summary>
    private sealed class KnownVisits
    {
        private const int Generation = 50_000;
        private Dictionary<(Guid, string), TrackedSession> _newer = [];
        private Dictionary<(Guid, string), TrackedSession> _older = [];

        public TrackedSession? Find((Guid InboxId, string SessionKey) key)
        {
            if (_newer.TryGetValue(key, out var visit))
            {
                return visit;
            }

            if (_older.Remove(key, out visit))
            {
                Add(visit);
            }

            return visit;
        }

        public void Add(TrackedSession visit)
        {
            if (_newer.Count >= Generation && !_newer.ContainsKey((visit.InboxId, visit.SessionKey)))
            {
                (_older, _newer) = (_newer, []);
            }

            _newer[(visit.InboxId, visit.SessionKey)] = visit;
        }

        public void Clear() => (_newer, _older) = ([], []);
    }

    /// <summary>
    /// The writer's scope, context and connection, held open between batches so none pays for taking a connection
    /// from the pool, with the statements kept prepared on it (decisions/0012).
    /// </summary>
    private sealed class WriterSession(AsyncServiceScope scope, AppDbContext db) : IAsyncDisposable
    {
        public AppDbContext Db { get; } = db;

        public PreparedCommands Commands { get; } = new(db);

        public RowStatements<TrackedEvent> Events { get; } = new(db);

        public RowStatements<TrackedVisitor> Visitors { get; } = new(db);

        public RowStatements<TrackedSession> Sessions { get; } = new(db);

        public ColumnLookup<TrackedVisitor> VisitorByKey { get; } = RowStatements.UniqueLookup<TrackedVisitor>(db, nameof(TrackedVisitor.InboxId), nameof(TrackedVisitor.VisitorKey));

        public ColumnLookup<TrackedSession> VisitByKey { get; } = RowStatements.UniqueLookup<TrackedSession>(db, nameof(TrackedSession.InboxId), nameof(TrackedSession.SessionKey));

        public string MarkStaleDay { get; } = StaleSiteDay.MarkStatement(db);

        public VisitProgress.Statement VisitProgress { get; } = new(db);

        public static async Task<WriterSession> OpenAsync(IServiceScopeFactory scopes)
        {
            var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            await db.Database.OpenConnectionAsync();
            return new WriterSession(scope, db);
        }

        public async ValueTask DisposeAsync()
        {
            await Commands.DisposeAsync();
            await scope.DisposeAsync();
        }
    }
}
