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
        Assignments = meter.CreateCounter<long>("porchlight.routing.assignments", description: "Conversations assigned, by who decided (queue or person).");
        Returned = meter.CreateCounter<long>("porchlight.routing.returned", description: "Reopened conversations taken back from agents who could not take them.");
        QueueWait = meter.CreateHistogram(
            "porchlight.routing.queue_wait", unit: "s", description: "How long conversations waited in a team's queue before an agent got them.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600] });
        AssignmentDuration = meter.CreateHistogram(
            "porchlight.routing.assignment_duration", unit: "ms", description: "Time to decide and commit one assignment from a queue, locks included.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 250, 500, 1000] });
        SlaWarnings = meter.CreateCounter<long>("porchlight.sla.warnings", description: "SLA clocks that reached their warning share of the target, by metric.");
        SlaBreaches = meter.CreateCounter<long>("porchlight.sla.breaches", description: "SLA targets that passed before the clock stopped, by metric.");
        WebhookAttempts = meter.CreateCounter<long>("porchlight.webhooks.attempts", description: "Webhook delivery attempts, by outcome (delivered, failed, dead).");
    }

    public Counter<long> SignIns { get; }

    public Counter<long> OutboxDispatched { get; }

    public Counter<long> OutboxFailed { get; }

    public Counter<long> TrackingStored { get; }

    public Counter<long> TrackingRefused { get; }

    public Counter<long> TrackingLost { get; }

    public Counter<long> Assignments { get; }

    public Counter<long> Returned { get; }

    public Histogram<double> QueueWait { get; }

    public Histogram<double> AssignmentDuration { get; }

    public Counter<long> SlaWarnings { get; }

    public Counter<long> SlaBreaches { get; }

    public Counter<long> WebhookAttempts { get; }
}
