using System.Collections.Concurrent;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Inboxes;

namespace Porchlight.Server.Tests.Data;

/// <summary>Counts how often each inbox's <see cref="InboxCreated"/> reached a handler; one per test server.</summary>
public sealed class InboxCreatedRecorder
{
    private readonly ConcurrentDictionary<Guid, int> _calls = new();

    /// <summary>When set, the first delivery of each event throws, as a handler with a transient fault would.</summary>
    public bool FailFirstAttempt { get; set; }

    /// <summary>When set, every delivery throws, as a handler with a permanent fault would.</summary>
    public bool AlwaysFail { get; set; }

    public int CallsFor(Guid inboxId) => _calls.GetValueOrDefault(inboxId);

    public void Record(InboxCreated domainEvent)
    {
        var calls = _calls.AddOrUpdate(domainEvent.InboxId, 1, (_, previous) => previous + 1);
        if (AlwaysFail || (FailFirstAttempt && calls == 1))
        {
            throw new InvalidOperationException($"Handler failed for inbox {domainEvent.InboxId}.");
        }
    }
}

public sealed class RecordingInboxCreatedHandler(InboxCreatedRecorder recorder) : IDomainEventHandler<InboxCreated>
{
    public Task HandleAsync(InboxCreated domainEvent, CancellationToken cancellationToken)
    {
        recorder.Record(domainEvent);
        return Task.CompletedTask;
    }
}
