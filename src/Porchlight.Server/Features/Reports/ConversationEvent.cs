using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Assistant;
using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Features.Reports;

/// <summary>
/// One entry of a conversation's event log: what the metrics read (docs/metrics.md), written in the same commit as
/// the change it records, alongside its outbox row, and never changed. Reports can always be recomputed from it.
/// </summary>
public sealed class ConversationEvent : IWorkspaceOwned
{
    private ConversationEvent()
    {
    }

    public Guid Id { get; private set; } = TimeOrderedIds.Next();

    public Guid WorkspaceId { get; private set; }

    public Guid ConversationId { get; private set; }

    public DateTime At { get; private set; }

    public TimelineKind Kind { get; private set; }

    public Guid? AgentId { get; private set; }

    public Guid? TeamId { get; private set; }

    /// <summary>The log entry a domain event makes, if the metrics read it; <paramref name="now"/> when the event carries no time of its own.</summary>
    public static ConversationEvent? For(IDomainEvent domainEvent, DateTime now) => domainEvent switch
    {
        ConversationStarted started => Of(started.WorkspaceId, started.ConversationId, started.At ?? now, TimelineKind.Created),
        AssistantJoined joined => Of(joined.WorkspaceId, joined.ConversationId, now, TimelineKind.AssistantAttended),
        AssistantHandedOver handedOver => Of(handedOver.WorkspaceId, handedOver.ConversationId, now, TimelineKind.ReachedPeople),
        // A wait begins only with the contact's first message after a reply: the only message the metrics need.
        ReplyAwaited awaited => Of(awaited.WorkspaceId, awaited.ConversationId, awaited.Since, TimelineKind.ContactMessage),
        // Raised only for a person's reply to a waiting contact: automatic replies answer no one.
        ReplyGiven given => Of(given.WorkspaceId, given.ConversationId, given.At, TimelineKind.AgentReply, given.AgentId),
        ConversationAssigned { ToAgentId: { } agentId } assigned =>
            Of(assigned.WorkspaceId, assigned.ConversationId, now, TimelineKind.Assigned, agentId, assigned.ToTeamId),
        ConversationAssigned assigned => Of(assigned.WorkspaceId, assigned.ConversationId, now, TimelineKind.Queued, teamId: assigned.ToTeamId),
        ConversationStatusChanged { To: ConversationStatus.Resolved } resolved =>
            Of(resolved.WorkspaceId, resolved.ConversationId, resolved.At, TimelineKind.Resolved),
        ConversationStatusChanged { From: ConversationStatus.Resolved, To: ConversationStatus.Open or ConversationStatus.Pending } reopened =>
            Of(reopened.WorkspaceId, reopened.ConversationId, reopened.At, TimelineKind.Reopened),
        ConversationStatusChanged { To: ConversationStatus.Snoozed } snoozed => Of(snoozed.WorkspaceId, snoozed.ConversationId, snoozed.At, TimelineKind.Snoozed),
        ConversationStatusChanged { From: ConversationStatus.Snoozed, To: ConversationStatus.Open or ConversationStatus.Pending } woken =>
            Of(woken.WorkspaceId, woken.ConversationId, woken.At, TimelineKind.Woken),
        _ => null,
    };

    public TimelineEvent ToTimeline() => new(At, Kind, AgentId, TeamId);

    private static ConversationEvent Of(Guid workspaceId, Guid conversationId, DateTime at, TimelineKind kind, Guid? agentId = null, Guid? teamId = null) => new()
    {
        WorkspaceId = workspaceId, ConversationId = conversationId, At = at, Kind = kind, AgentId = agentId, TeamId = teamId,
    };
}

internal sealed class ConversationEventConfiguration : IEntityTypeConfiguration<ConversationEvent>
{
    public void Configure(EntityTypeBuilder<ConversationEvent> builder)
    {
        builder.Property(e => e.Kind).HasConversion<string>().HasMaxLength(24);
        builder.HasIndex(e => new { e.ConversationId, e.At });
        builder.HasIndex(e => new { e.WorkspaceId, e.At }); // a period's events, for the reports
        builder.HasIndex(e => new { e.AgentId, e.Kind, e.At }); // the conversations given to an agent, for their workload
        builder.HasOne<Conversation>().WithMany().HasForeignKey(e => e.ConversationId).OnDelete(DeleteBehavior.Cascade);
    }
}
