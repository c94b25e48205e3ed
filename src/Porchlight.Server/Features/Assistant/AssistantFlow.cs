using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;

namespace Porchlight.Server.Features.Assistant;

/// <summary>
/// The assistant of one inbox: the flow it runs for new chats, while enabled. Every saved change becomes a new
/// <see cref="AssistantFlowVersion"/>; a conversation keeps the version it started with, so editing a live flow never
/// strands a visitor half way through the old one.
/// </summary>
public sealed class AssistantFlow : Entity, IWorkspaceOwned, IAudited
{
    private AssistantFlow()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public Guid InboxId { get; private set; }

    public bool IsEnabled { get; private set; }

    /// <summary>
    /// The webhook of an external bot that answers instead of the flow: it receives each visitor message and answers,
    /// hands over or resolves through the API. Null: the flow answers.
    /// </summary>
    public Guid? BotWebhookId { get; private set; }

    /// <summary>The number of the newest version: 1 for the first save.</summary>
    public int Version { get; private set; }

    public Guid CurrentVersionId { get; private set; }

    public FlowDefinition Definition { get; private set; } = new([]);

    public DateTime UpdatedAt { get; private set; }

    public static AssistantFlow Create(Guid workspaceId, Guid inboxId) => new() { WorkspaceId = workspaceId, InboxId = inboxId };

    /// <summary>Takes the definition; returns the new version to store when it differs from the current one, else null.</summary>
    public AssistantFlowVersion? Change(FlowDefinition definition, bool isEnabled, Guid? botWebhookId, DateTime now)
    {
        IsEnabled = isEnabled;
        BotWebhookId = botWebhookId;
        UpdatedAt = now;
        if (Version > 0 && AssistantFlowVersion.SameSteps(Definition, definition))
        {
            return null;
        }

        Version++;
        Definition = definition;
        var version = AssistantFlowVersion.Of(this, now);
        CurrentVersionId = version.Id;
        return version;
    }
}

/// <summary>A flow as it was saved once; never changed, so the conversations running it can finish it.</summary>
public sealed class AssistantFlowVersion : IWorkspaceOwned
{
    private AssistantFlowVersion()
    {
    }

    public Guid Id { get; private set; } = TimeOrderedIds.Next();

    public Guid WorkspaceId { get; private set; }

    public Guid FlowId { get; private set; }

    public int Number { get; private set; }

    public FlowDefinition Definition { get; private set; } = new([]);

    public DateTime CreatedAt { get; private set; }

    public static AssistantFlowVersion Of(AssistantFlow flow, DateTime now) => new()
    {
        WorkspaceId = flow.WorkspaceId, FlowId = flow.Id, Number = flow.Version, Definition = flow.Definition, CreatedAt = now,
    };

    public static bool SameSteps(FlowDefinition a, FlowDefinition b) =>
        System.Text.Json.JsonSerializer.Serialize(a) == System.Text.Json.JsonSerializer.Serialize(b);
}

/// <summary>
/// The assistant's part in one conversation: the flow version it runs, where it stands (<see cref="State"/>), and how
/// it ended. Created with the conversation, in the same commit, so routing knows from the start to wait for it.
/// </summary>
public sealed class AssistantSession : Entity, IWorkspaceOwned
{
    private AssistantSession()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public Guid ConversationId { get; private set; }

    public Guid InboxId { get; private set; }

    public Guid FlowVersionId { get; private set; }

    /// <summary>The external bot's webhook when one attends this conversation instead of the flow (as the inbox had it at the start).</summary>
    public Guid? BotWebhookId { get; private set; }

    public FlowState State { get; private set; } = new();

    /// <summary>A copy of the state's outcome, as a column: reports count containment by it.</summary>
    public FlowOutcome Outcome { get; private set; }

    /// <summary>The newest contact message the assistant has answered: a redelivered event finds it done.</summary>
    public long HandledSequence { get; private set; }

    public DateTime StartedAt { get; private set; }

    public DateTime? EndedAt { get; private set; }

    public static AssistantSession Join(Guid workspaceId, Guid conversationId, Guid inboxId, Guid flowVersionId, Guid? botWebhookId, DateTime now)
    {
        var session = new AssistantSession
        {
            WorkspaceId = workspaceId, ConversationId = conversationId, InboxId = inboxId, FlowVersionId = flowVersionId, BotWebhookId = botWebhookId, StartedAt = now,
        };
        session.Raise(new AssistantJoined(workspaceId, conversationId));
        return session;
    }

    /// <summary>Keeps the state after the assistant answered the message with <paramref name="sequence"/>.</summary>
    public void Answered(FlowState state, long sequence, DateTime now)
    {
        State = state;
        HandledSequence = Math.Max(HandledSequence, sequence);
        Finish(state.Outcome, now);
    }

    /// <summary>An agent wrote or took the conversation: the assistant steps back.</summary>
    public void StepBack(DateTime now)
    {
        State.Outcome = FlowOutcome.TakenOver;
        State.Wait = FlowWait.None;
        Finish(FlowOutcome.TakenOver, now);
    }

    private void Finish(FlowOutcome outcome, DateTime now)
    {
        if (Outcome != FlowOutcome.Active || outcome == FlowOutcome.Active)
        {
            return;
        }

        Outcome = outcome;
        EndedAt = now;
        if (outcome == FlowOutcome.HandedOver)
        {
            Raise(new AssistantHandedOver(WorkspaceId, ConversationId, InboxId, State.HandoverTeamId));
        }
    }
}

/// <summary>The assistant took a new conversation: people have it only once it hands over (or someone steps in).</summary>
public sealed record AssistantJoined(Guid WorkspaceId, Guid ConversationId) : IDomainEvent;

/// <summary>The assistant handed the conversation to people: routing takes it from here (to <paramref name="TeamId"/> when the flow named one).</summary>
public sealed record AssistantHandedOver(Guid WorkspaceId, Guid ConversationId, Guid InboxId, Guid? TeamId) : IUrgentDomainEvent;

internal sealed class AssistantFlowConfiguration : IEntityTypeConfiguration<AssistantFlow>
{
    public void Configure(EntityTypeBuilder<AssistantFlow> builder)
    {
        builder.Property(f => f.Definition).HasConversion(JsonColumn.Converter(new FlowDefinition([])), JsonColumn.Comparer<FlowDefinition>());
        builder.HasIndex(f => f.InboxId).IsUnique();
        builder.HasOne<Inboxes.Inbox>().WithMany().HasForeignKey(f => f.InboxId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Webhooks.WebhookSubscription>().WithMany().HasForeignKey(f => f.BotWebhookId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class AssistantFlowVersionConfiguration : IEntityTypeConfiguration<AssistantFlowVersion>
{
    public void Configure(EntityTypeBuilder<AssistantFlowVersion> builder)
    {
        builder.Property(v => v.Definition).HasConversion(JsonColumn.Converter(new FlowDefinition([])), JsonColumn.Comparer<FlowDefinition>());
        builder.HasIndex(v => new { v.FlowId, v.Number }).IsUnique();
        builder.HasOne<AssistantFlow>().WithMany().HasForeignKey(v => v.FlowId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AssistantSessionConfiguration : IEntityTypeConfiguration<AssistantSession>
{
    public void Configure(EntityTypeBuilder<AssistantSession> builder)
    {
        builder.Property(s => s.State).HasConversion(JsonColumn.Converter<FlowState>(), JsonColumn.Comparer<FlowState>());
        builder.Property(s => s.Outcome).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(s => s.ConversationId).IsUnique();
        builder.HasIndex(s => new { s.WorkspaceId, s.StartedAt }); // containment over a period
        builder.HasOne<Conversations.Conversation>().WithMany().HasForeignKey(s => s.ConversationId).OnDelete(DeleteBehavior.Cascade);
        // No key to the webhook: a session keeps its bot's id when the webhook is deleted, so the conversation stays a
        // bot's and is handed over when the bot stays silent (AssistantTimeouts), instead of waiting for a flow it never ran.
        builder.HasOne<AssistantFlowVersion>().WithMany().HasForeignKey(s => s.FlowVersionId).OnDelete(DeleteBehavior.Cascade);
    }
}
