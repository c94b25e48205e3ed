namespace Porchlight.Server.Features.Webhooks;

/// <summary>The <c>Webhooks</c> configuration section.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>
    /// Whether receivers on private, loopback and link-local addresses may be called. Off: a webhook must not become
    /// a way to reach the server's own network (SSRF). An administrator turns it on for a receiver inside that network.
    /// </summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>How long one attempt may take, connection and answer together.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Delay before the first retry; doubles with each failed attempt up to <see cref="MaxRetryDelay"/>, give or take a fifth.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Attempts before a delivery is dead: with the defaults, retries for about nine hours.</summary>
    public int MaxAttempts { get; set; } = 15;

    /// <summary>
    /// How long a receiver may fail every attempt before the webhook is switched off and admins are told. Longer
    /// than a delivery's own retries, so a receiver down for an evening loses nothing and needs no one.
    /// </summary>
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How long a failing receiver may go untried before one of its waiting deliveries is tried early (a probe that,
    /// when it fails, costs the delivery none of its attempts): a receiver back from an outage is noticed within this,
    /// not at the longest back-off, and then gets everything that waited.
    /// </summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often to look for due retries and for work another node left.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Deliveries sent side by side by one node: a slow receiver holds up only its own.</summary>
    public int Parallelism { get; set; } = 4;
}
