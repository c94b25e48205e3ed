using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;
using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Features.Routing;

/// <summary>
/// One test a new conversation must pass for a rule to match. <see cref="Field"/> is <c>message</c> (the opening
/// message), <c>label</c>, <c>priority</c>, <c>businessHours</c>, <c>pageUrl</c> (the page the contact is on, from the
/// tracker), <c>contact.name</c>, <c>contact.email</c> or <c>contact.&lt;attribute&gt;</c>; <see cref="Operator"/> is
/// <c>contains</c> (any of the comma-separated words, ignoring case), <c>equals</c>, <c>notEquals</c>, <c>exists</c>
/// or <c>atLeast</c> (priorities).
/// </summary>
public sealed record RuleCondition(string Field, string Operator, string Value);

/// <summary>
/// Where an inbox's new conversations go: the first enabled rule (by position) whose conditions all hold sends
/// the conversation to its team, sets its priority and adds its labels (which the Skills strategy reads as needs).
/// A rule that names agents gives the conversation to the least loaded of them who is online with room under their
/// cap; when none is, it waits in the team's queue like any other. When no rule matches, the inbox's own team takes it.
/// </summary>
public sealed class RoutingRule : Entity, IWorkspaceOwned, IAudited
{
    public const int MaxNameLength = 80;
    public const int MaxConditions = 10;
    public const int MaxValueLength = 500;
    public const int MaxRulesPerInbox = 100;
    public const int MaxAgents = 20;

    private RoutingRule()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public Guid InboxId { get; private set; }

    public int Position { get; private set; }

    public string Name { get; private set; } = "";

    public bool IsEnabled { get; private set; } = true;

    public List<RuleCondition> Conditions { get; private set; } = [];

    public Guid? TeamId { get; private set; }

    public ConversationPriority? Priority { get; private set; }

    public List<string> AddLabels { get; private set; } = [];

    /// <summary>Agents the rule gives its conversations to first, when one of them can take it.</summary>
    public List<Guid> AgentIds { get; private set; } = [];

    public static RoutingRule Create(Guid workspaceId, Guid inboxId, int position) => new() { WorkspaceId = workspaceId, InboxId = inboxId, Position = position };

    public void Change(
        string name, bool isEnabled, IEnumerable<RuleCondition> conditions, Guid? teamId, ConversationPriority? priority, IEnumerable<string> addLabels,
        IEnumerable<Guid> agentIds)
    {
        Name = name.Trim();
        IsEnabled = isEnabled;
        Conditions = [.. conditions];
        TeamId = teamId;
        Priority = priority;
        AddLabels = [.. addLabels];
        AgentIds = [.. agentIds.Distinct()];
    }

    public void MoveTo(int position) => Position = position;
}

internal sealed class RoutingRuleConfiguration : IEntityTypeConfiguration<RoutingRule>
{
    public void Configure(EntityTypeBuilder<RoutingRule> builder)
    {
        builder.Property(r => r.Name).HasMaxLength(RoutingRule.MaxNameLength);
        builder.Property(r => r.Priority).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Conditions).HasConversion(JsonColumn.Converter<List<RuleCondition>>(), JsonColumn.Comparer<List<RuleCondition>>());
        builder.Property(r => r.AddLabels).HasConversion(JsonColumn.Converter<List<string>>(), JsonColumn.Comparer<List<string>>());
        builder.Property(r => r.AgentIds).HasConversion(JsonColumn.Converter<List<Guid>>(), JsonColumn.Comparer<List<Guid>>());
        builder.HasIndex(r => new { r.InboxId, r.Position });
        builder.HasOne<Inboxes.Inbox>().WithMany().HasForeignKey(r => r.InboxId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Teams.Team>().WithMany().HasForeignKey(r => r.TeamId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(r => r.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
