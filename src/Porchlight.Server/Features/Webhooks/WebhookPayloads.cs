using System.Text.Json;
using System.Text.Json.Serialization;
using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Features.Webhooks;

/// <summary>
/// Every delivery's body (version 1): the delivery id (the receiver's deduplication key, the same in the
/// <c>Porchlight-Webhook-Id</c> header), the event name, when it happened, the workspace, and the event's data.
/// </summary>
public sealed record WebhookEnvelope(Guid Id, string Event, int Version, DateTime CreatedAt, Guid WorkspaceId, object Data)
{
    public const int CurrentVersion = 1;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };
}

/// <summary>A conversation as webhook payloads describe it.</summary>
public sealed record WebhookConversation(
    Guid Id, int Number, Guid InboxId, ConversationStatus Status, ConversationPriority Priority, Guid? TeamId, Guid? AssigneeId,
    IReadOnlyList<string> Labels, WebhookContact Contact, DateTime CreatedAt)
{
    public static WebhookConversation From(Conversation c, WebhookContact contact) =>
        new(c.Id, c.Number, c.InboxId, c.Status, c.Priority, c.TeamId, c.AssigneeId, c.Labels, contact, c.CreatedAt);
}

public sealed record WebhookContact(Guid Id, string? Name, string? Email);

/// <summary>The data of <c>sla.warning</c> and <c>sla.breached</c>.</summary>
public sealed record SlaWebhookData(WebhookConversation Conversation, Sla.SlaMetric Metric, Guid? PolicyId, string? PolicyName, DateTime? DueAt);

/// <summary>The data of <c>conversation.escalated</c>: the stage that ran and what its steps did, in order.</summary>
public sealed record EscalationWebhookData(
    WebhookConversation Conversation, Sla.SlaMetric Metric, Sla.EscalationStage Stage, Guid PolicyId, string PolicyName, IReadOnlyList<string> Actions);

/// <summary>The data of <c>automation.rule</c>: the rule whose <c>sendWebhook</c> action sent it, and the conversation after its actions.</summary>
public sealed record AutomationWebhookData(WebhookConversation Conversation, Guid RuleId, string RuleName, Automation.AutomationTrigger Trigger);

/// <summary>The data of <c>conversation.created</c>.</summary>
public sealed record ConversationWebhookData(WebhookConversation Conversation);

/// <summary>The data of <c>conversation.status_changed</c>: the status before and after, and when it changed.</summary>
public sealed record StatusChangedWebhookData(WebhookConversation Conversation, ConversationStatus From, ConversationStatus To, DateTime At);

/// <summary>Who had a conversation: an agent, a team's queue, both, or neither.</summary>
public sealed record WebhookAssignment(Guid? AgentId, Guid? TeamId);

/// <summary>The data of <c>conversation.assigned</c>.</summary>
public sealed record AssignedWebhookData(WebhookConversation Conversation, WebhookAssignment From, WebhookAssignment To);

/// <summary>The data of <c>conversation.updated</c>: which of its fields changed (<c>priority</c>, <c>labels</c>).</summary>
public sealed record UpdatedWebhookData(WebhookConversation Conversation, IReadOnlyList<string> Changed);

/// <summary>The data of <c>message.created</c>: the message as the REST API returns it.</summary>
public sealed record MessageWebhookData(WebhookConversation Conversation, MessageResponse Message);

/// <summary>The data of <c>survey.answered</c>: the answer as it stands (an answer changed within its window is sent again).</summary>
public sealed record SurveyWebhookData(
    WebhookConversation Conversation, Surveys.SurveyChannel Channel, int? Rating, int? Effort, int? Recommend, string? Comment, DateTime? AnsweredAt, DateTime? ChangedAt);
