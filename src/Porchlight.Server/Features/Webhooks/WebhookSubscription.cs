using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;

namespace Porchlight.Server.Features.Webhooks;

/// <summary>The events a subscription can ask for, by the name a receiver sees in the payload and headers.</summary>
public static class WebhookEvents
{
    /// <summary>An SLA clock reached its warning share of the target.</summary>
    public const string SlaWarning = "sla.warning";

    /// <summary>An SLA clock's target passed before the promise was kept.</summary>
    public const string SlaBreached = "sla.breached";

    /// <summary>An SLA policy's escalation path ran for a conversation: what it did is in the payload.</summary>
    public const string ConversationEscalated = "conversation.escalated";

    /// <summary>An automation rule's <c>sendWebhook</c> action (sent to the subscription the action names, whatever its events).</summary>
    public const string AutomationRule = "automation.rule";

    /// <summary>
    /// A visitor wrote in a conversation an external bot attends (sent only to the bot's webhook, which the inbox's
    /// assistant names, whatever its events; not subscribable otherwise).
    /// </summary>
    public const string AssistantMessage = "assistant.message";

    /// <summary>The weekly digest of the reports, the Monday after each week ends in the workspace's time zone.</summary>
    public const string WeeklyDigest = "report.weekly_digest";

    public static readonly IReadOnlyList<string> All = [SlaWarning, SlaBreached, ConversationEscalated, AutomationRule, WeeklyDigest];
}

/// <summary>
/// A receiver of the workspace's events: where to send them, which ones, and the secret the deliveries are signed
/// with. The secret is kept encrypted (the server must sign with it, so it cannot be hashed) and shown once.
/// </summary>
public sealed class WebhookSubscription : Entity, IWorkspaceOwned, IAudited
{
    public const int MaxUrlLength = 2000;
    public const int MaxDescriptionLength = 200;
    public const int MaxSubscriptions = 200;

    private WebhookSubscription()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public string Url { get; private set; } = "";

    public string Description { get; private set; } = "";

    public List<string> Events { get; private set; } = [];

    public bool IsActive { get; private set; }

    [AuditIgnore]
    public string ProtectedSecret { get; private set; } = "";

    public DateTime CreatedAt { get; private set; }

    public static WebhookSubscription Create(Guid workspaceId, string protectedSecret, DateTime now) => new()
    {
        WorkspaceId = workspaceId,
        ProtectedSecret = protectedSecret,
        CreatedAt = now,
    };

    public void Change(string url, string description, IEnumerable<string> events, bool isActive)
    {
        Url = url;
        Description = description;
        Events = [.. events.Distinct()];
        IsActive = isActive;
    }

    public void ReplaceSecret(string protectedSecret) => ProtectedSecret = protectedSecret;
}

internal sealed class WebhookSubscriptionConfiguration : IEntityTypeConfiguration<WebhookSubscription>
{
    public void Configure(EntityTypeBuilder<WebhookSubscription> builder)
    {
        builder.Property(s => s.Url).HasMaxLength(WebhookSubscription.MaxUrlLength);
        builder.Property(s => s.Description).HasMaxLength(WebhookSubscription.MaxDescriptionLength);
        builder.Property(s => s.Events).HasConversion(JsonColumn.Converter<List<string>>(), JsonColumn.Comparer<List<string>>());
        builder.HasIndex(s => s.WorkspaceId);
    }
}
