using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;

namespace Porchlight.Server.Features.Webhooks;

/// <summary>The events a subscription can ask for, by the name a receiver sees in the payload and headers.</summary>
public static class WebhookEvents
{
    /// <summary>A conversation started (the contact's first message, an offline form, a proactive message, the API).</summary>
    public const string ConversationCreated = "conversation.created";

    /// <summary>A conversation's status changed: resolved, reopened, snoozed, woken, set pending.</summary>
    public const string ConversationStatusChanged = "conversation.status_changed";

    /// <summary>A conversation's assignee or team changed (a person, routing, a rule or an escalation).</summary>
    public const string ConversationAssigned = "conversation.assigned";

    /// <summary>A conversation's priority or labels changed.</summary>
    public const string ConversationUpdated = "conversation.updated";

    /// <summary>A message was written in a conversation: by the contact, an agent, the assistant, a rule, or a private note.</summary>
    public const string MessageCreated = "message.created";

    /// <summary>A contact answered (or changed their answer to) a satisfaction survey.</summary>
    public const string SurveyAnswered = "survey.answered";

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

    /// <summary>A contact was added, by any way: a widget visitor's first chat, identify, an email, the API, an import.</summary>
    public const string ContactCreated = "contact.created";

    /// <summary>A contact's name, email, external id, attributes, tags or company changed; the payload names which.</summary>
    public const string ContactUpdated = "contact.updated";

    /// <summary>A duplicate contact was merged into another and removed; the payload names the duplicate.</summary>
    public const string ContactMerged = "contact.merged";

    /// <summary>The weekly digest of the reports, the Monday after each week ends in the workspace's time zone.</summary>
    public const string WeeklyDigest = "report.weekly_digest";

    /// <summary>The subscribable events with what the settings page calls them.</summary>
    public static readonly IReadOnlyList<(string Name, string Label)> Choices =
    [
        (ConversationCreated, "Conversation created"),
        (ConversationStatusChanged, "Status changed"),
        (ConversationAssigned, "Assigned"),
        (ConversationUpdated, "Priority or labels changed"),
        (MessageCreated, "Message created"),
        (SurveyAnswered, "Survey answered"),
        (SlaWarning, "SLA at risk"),
        (SlaBreached, "SLA breached"),
        (ConversationEscalated, "Escalated"),
        (ContactCreated, "Contact created"),
        (ContactUpdated, "Contact changed"),
        (ContactMerged, "Contacts merged"),
        (AutomationRule, "Sent by automation rules"),
        (WeeklyDigest, "Weekly digest"),
    ];

    public static readonly IReadOnlyList<string> All = [.. Choices.Select(c => c.Name)];
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
    public const int MaxDisabledReasonLength = 700;
    public const int MaxInboxes = 100;

    private WebhookSubscription()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public string Url { get; private set; } = "";

    public string Description { get; private set; } = "";

    public List<string> Events { get; private set; } = [];

    /// <summary>
    /// Only events about conversations of these inboxes are sent (an API inbox's integration hears its own); empty:
    /// every inbox. Events about no conversation (the weekly digest) are sent whatever the inboxes.
    /// </summary>
    public List<Guid> InboxIds { get; private set; } = [];

    public bool IsActive { get; private set; }

    [AuditIgnore]
    public string ProtectedSecret { get; private set; } = "";

    public DateTime CreatedAt { get; private set; }

    /// <summary>Since when every attempt to this receiver has failed; null once one is accepted. Bookkeeping, not a setting.</summary>
    [AuditIgnore]
    public DateTime? FailingSince { get; private set; }

    /// <summary>When an attempt to this receiver last failed: a failing receiver not tried for a while is probed. Bookkeeping.</summary>
    [AuditIgnore]
    public DateTime? LastFailedAt { get; private set; }

    /// <summary>When Porchlight switched the webhook off because its receiver kept failing; null when on, or switched off by a person.</summary>
    public DateTime? DisabledAt { get; private set; }

    public string? DisabledReason { get; private set; }

    public static WebhookSubscription Create(Guid workspaceId, string protectedSecret, DateTime now) => new()
    {
        WorkspaceId = workspaceId,
        ProtectedSecret = protectedSecret,
        CreatedAt = now,
    };

    public void Change(string url, string description, IEnumerable<string> events, IEnumerable<Guid> inboxIds, bool isActive)
    {
        Url = url;
        Description = description;
        Events = [.. events.Distinct()];
        InboxIds = [.. inboxIds.Distinct()];
        if (isActive && !IsActive)
        {
            // Switched on again by a person: the receiver gets a fresh chance, its failing streak starts over.
            (DisabledAt, DisabledReason, FailingSince) = (null, null, null);
        }

        IsActive = isActive;
    }

    /// <summary>
    /// Switches the webhook off because its receiver has accepted nothing since <see cref="FailingSince"/>: its
    /// deliveries wait (they are not tried, so they do not die) until a person switches it on again.
    /// </summary>
    public void DisableForFailing(DateTime now, string lastError)
    {
        IsActive = false;
        DisabledAt = now;
        DisabledReason = $"Every attempt failed since {FailingSince:u}; the last: {lastError}";
        if (DisabledReason.Length > MaxDisabledReasonLength)
        {
            DisabledReason = DisabledReason[..MaxDisabledReasonLength];
        }

        Raise(new WebhookDisabled(WorkspaceId, Id, Url, Description, DisabledReason));
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
        builder.Property(s => s.InboxIds).HasConversion(JsonColumn.Converter<List<Guid>>(), JsonColumn.Comparer<List<Guid>>());
        builder.Property(s => s.DisabledReason).HasMaxLength(WebhookSubscription.MaxDisabledReasonLength);
        // Two sends failing at once must not both switch it off (two notices): the second one's save finds it changed.
        builder.Property(s => s.DisabledAt).IsConcurrencyToken();
        builder.HasIndex(s => s.WorkspaceId);
    }
}

/// <summary>Porchlight switched a webhook off because its receiver kept failing; admins are told.</summary>
public sealed record WebhookDisabled(Guid WorkspaceId, Guid SubscriptionId, string Url, string Description, string Reason) : IDomainEvent;
