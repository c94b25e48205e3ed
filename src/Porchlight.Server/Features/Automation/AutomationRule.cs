using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;
using Porchlight.Server.Features.Routing;

namespace Porchlight.Server.Features.Automation;

/// <summary>What happened to a conversation that makes its workspace's automation rules look at it.</summary>
public enum AutomationTrigger
{
    ConversationCreated = 0,

    /// <summary>The contact wrote (every message).</summary>
    MessageReceived = 1,

    StatusChanged = 2,

    /// <summary>The assignee or the team changed.</summary>
    AssignmentChanged = 3,

    PriorityChanged = 4,

    /// <summary>An SLA clock reached its warning share of the target.</summary>
    SlaWarning = 5,

    SlaBreached = 6,
}

/// <summary>
/// One thing a rule does. <see cref="Type"/> is <c>assignTeam</c> (value: team id; the conversation joins the
/// team's queue), <c>assignAgent</c> (agent id; only within the agent's cap), <c>unassign</c>, <c>addLabel</c>,
/// <c>removeLabel</c>, <c>setPriority</c> (None … Urgent), <c>sendReply</c> (text, sent to the contact as an automatic
/// message), <c>addNote</c> (text, a private note), <c>snooze</c> (minutes), <c>resolve</c> or <c>sendWebhook</c> (webhook
/// id; the conversation goes to that webhook as an <c>automation.rule</c> event).
/// </summary>
public sealed record AutomationAction(string Type, string? Value = null);

/// <summary>
/// When <see cref="Trigger"/> happens to a conversation and every condition holds, do the actions, in order.
/// Rules run in position order, each on its own: one rule's changes are seen by the rules after it. A rule that
/// acts on the same conversation too often in a short time is stopped (see AutomationEngine).
/// </summary>
public sealed class AutomationRule : Entity, IWorkspaceOwned, IAudited
{
    public const int MaxNameLength = 80;
    public const int MaxRules = 200;
    public const int MaxActions = 10;
    public const int MaxValueLength = 2000;

    private AutomationRule()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public int Position { get; private set; }

    public string Name { get; private set; } = "";

    public bool IsEnabled { get; private set; } = true;

    public AutomationTrigger Trigger { get; private set; }

    public List<RuleCondition> Conditions { get; private set; } = [];

    public List<AutomationAction> Actions { get; private set; } = [];

    public static AutomationRule Create(Guid workspaceId, int position) => new() { WorkspaceId = workspaceId, Position = position };

    public void Change(string name, bool isEnabled, AutomationTrigger trigger, IEnumerable<RuleCondition> conditions, IEnumerable<AutomationAction> actions)
    {
        Name = name.Trim();
        IsEnabled = isEnabled;
        Trigger = trigger;
        Conditions = [.. conditions];
        Actions = [.. actions];
    }

    public void MoveTo(int position) => Position = position;
}

internal sealed class AutomationRuleConfiguration : IEntityTypeConfiguration<AutomationRule>
{
    public void Configure(EntityTypeBuilder<AutomationRule> builder)
    {
        builder.Property(r => r.Name).HasMaxLength(AutomationRule.MaxNameLength);
        builder.Property(r => r.Trigger).HasConversion<string>().HasMaxLength(32);
        builder.Property(r => r.Conditions).HasConversion(JsonColumn.Converter<List<RuleCondition>>(), JsonColumn.Comparer<List<RuleCondition>>());
        builder.Property(r => r.Actions).HasConversion(JsonColumn.Converter<List<AutomationAction>>(), JsonColumn.Comparer<List<AutomationAction>>());
        builder.HasIndex(r => new { r.WorkspaceId, r.Trigger, r.Position });
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(r => r.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

public enum AutomationOutcome
{
    /// <summary>The conditions held and the actions changed the conversation.</summary>
    Applied = 0,

    /// <summary>The conditions held but the actions changed nothing in the conversation: it was already as they would make it, or they only sent a webhook.</summary>
    NoChange = 1,

    /// <summary>The rule acted on this conversation too often in a short time and was not run (a loop).</summary>
    LoopStopped = 2,
}

/// <summary>One execution of a rule on a conversation: when, why, and what it did.</summary>
public sealed class AutomationRun : IWorkspaceOwned
{
    public const int MaxSummaryLength = 500;

    private AutomationRun()
    {
    }

    public Guid Id { get; private init; } = TimeOrderedIds.Next();

    public Guid WorkspaceId { get; private set; }

    public Guid RuleId { get; private set; }

    public Guid ConversationId { get; private set; }

    public AutomationTrigger Trigger { get; private set; }

    public AutomationOutcome Outcome { get; private set; }

    public string Summary { get; private set; } = "";

    public DateTime RanAt { get; private set; }

    /// <summary>The event (outbox message) the rule ran for: one run per rule and event, however often it is delivered.</summary>
    public Guid? OutboxMessageId { get; private set; }

    public static AutomationRun Of(
        AutomationRule rule, Guid conversationId, AutomationTrigger trigger, AutomationOutcome outcome, string summary, Guid? outboxMessageId, DateTime now) => new()
    {
        WorkspaceId = rule.WorkspaceId,
        RuleId = rule.Id,
        ConversationId = conversationId,
        Trigger = trigger,
        Outcome = outcome,
        Summary = summary.Length <= MaxSummaryLength ? summary : summary[..(MaxSummaryLength - 1)] + "…",
        RanAt = now,
        OutboxMessageId = outboxMessageId,
    };
}

internal sealed class AutomationRunConfiguration : IEntityTypeConfiguration<AutomationRun>
{
    public void Configure(EntityTypeBuilder<AutomationRun> builder)
    {
        builder.Property(r => r.Trigger).HasConversion<string>().HasMaxLength(32);
        builder.Property(r => r.Outcome).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Summary).HasMaxLength(AutomationRun.MaxSummaryLength);
        builder.HasIndex(r => new { r.ConversationId, r.RuleId, r.RanAt }); // the loop guard's look-up
        builder.HasIndex(r => new { r.RuleId, r.RanAt }); // a rule's log, newest first
        builder.HasIndex(r => new { r.OutboxMessageId, r.RuleId }).IsUnique(); // a redelivered event finds its run
        builder.HasOne<AutomationRule>().WithMany().HasForeignKey(r => r.RuleId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Conversations.Conversation>().WithMany().HasForeignKey(r => r.ConversationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(r => r.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
