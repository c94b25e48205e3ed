namespace Porchlight.Server.Data;

/// <summary>The <c>Outbox</c> configuration section.</summary>
public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>How often to look for work another node left or that a signal missed.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a claimed message is reserved; a node that dies frees its messages after this.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Delay before the first retry; doubles with each failed attempt, up to 15 minutes.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    public int MaxAttempts { get; set; } = 10;

    public int BatchSize { get; set; } = 50;
}
