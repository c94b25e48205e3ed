using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Routing;

public enum RoutingOutcome
{
    /// <summary>Sent to a team's queue (by the inbox's default, a rule, or a transfer).</summary>
    Queued = 0,

    /// <summary>Given to an agent by the team's strategy.</summary>
    Assigned = 1,

    /// <summary>Taken back from an agent who cannot take it (offline, or over their cap when it reopened).</summary>
    Returned = 2,
}

/// <summary>
/// Why a conversation went where it went, in words an agent understands ("least loaded, 2/5 active").
/// Written in the same commit as the change it explains, so the log and the conversation never disagree.
/// </summary>
public sealed class RoutingDecision : IWorkspaceOwned
{
    public const int MaxReasonLength = 300;

    private RoutingDecision()
    {
    }

    public Guid Id { get; private init; } = TimeOrderedIds.Next();

    public Guid WorkspaceId { get; private set; }

    public Guid ConversationId { get; private set; }

    public RoutingOutcome Outcome { get; private set; }

    public Guid? TeamId { get; private set; }

    public Guid? AgentId { get; private set; }

    public string Reason { get; private set; } = "";

    public DateTime DecidedAt { get; private set; }

    /// <summary>For an assignment: how long the conversation had waited in the queue.</summary>
    public TimeSpan? Waited { get; private set; }

    public static RoutingDecision Of(
        Guid workspaceId, Guid conversationId, RoutingOutcome outcome, Guid? teamId, Guid? agentId, string reason, DateTime now, TimeSpan? waited = null) => new()
        {
            WorkspaceId = workspaceId,
            ConversationId = conversationId,
            Outcome = outcome,
            TeamId = teamId,
            AgentId = agentId,
            Reason = reason.Length <= MaxReasonLength ? reason : reason[..(MaxReasonLength - 1)] + "…",
            DecidedAt = now,
            Waited = waited,
        };
}

internal sealed class RoutingDecisionConfiguration : IEntityTypeConfiguration<RoutingDecision>
{
    public void Configure(EntityTypeBuilder<RoutingDecision> builder)
    {
        builder.Property(d => d.Outcome).HasConversion<string>().HasMaxLength(16);
        builder.Property(d => d.Reason).HasMaxLength(RoutingDecision.MaxReasonLength);
        builder.HasIndex(d => new { d.ConversationId, d.DecidedAt });
        builder.HasIndex(d => new { d.TeamId, d.DecidedAt }); // a team's recent assignments: the handling rate wait estimates come from
        builder.HasOne<Conversations.Conversation>().WithMany().HasForeignKey(d => d.ConversationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(d => d.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
