using System.Diagnostics.Metrics;

namespace Porchlight.Server.Hosting;

/// <summary>Porchlight's own instruments, exported on /metrics next to ASP.NET Core's and the runtime's.</summary>
public sealed class PorchlightMetrics
{
    public const string MeterName = "Porchlight";

    public PorchlightMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        SignIns = meter.CreateCounter<long>("porchlight.auth.sign_ins", description: "Sign-in attempts by outcome.");
        OutboxDispatched = meter.CreateCounter<long>("porchlight.outbox.dispatched", description: "Domain events handed to their handlers.");
        OutboxFailed = meter.CreateCounter<long>("porchlight.outbox.failed", description: "Domain event dispatches that threw and will be retried.");
        TrackingStored = meter.CreateCounter<long>("porchlight.tracking.stored", description: "Tracked events stored.");
        TrackingRefused = meter.CreateCounter<long>("porchlight.tracking.refused", description: "Tracking requests answered with an error, by reason.");
        TrackingLost = meter.CreateCounter<long>("porchlight.tracking.lost", description: "Acknowledged tracked events the database refused even alone (should stay 0).");
    }

    public Counter<long> SignIns { get; }

    public Counter<long> OutboxDispatched { get; }

    public Counter<long> OutboxFailed { get; }

    public Counter<long> TrackingStored { get; }

    public Counter<long> TrackingRefused { get; }

    public Counter<long> TrackingLost { get; }
}
