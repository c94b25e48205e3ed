using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Contacts;

namespace Porchlight.Server.Features.Conversations;

public enum ConversationStatus
{
    Open = 0,
    Pending = 1,
    Snoozed = 2,
    Resolved = 3,
}

public enum ConversationPriority
{
    None = 0,
    Low = 1,
    Medium = 2,
    High = 3,
    Urgent = 4,
}

/// <summary>How a conversation began, which decides how agents can answer it.</summary>
public enum ConversationOrigin
{
    /// <summary>Started in the chat widget; answers reach the visitor live.</summary>
    Chat = 0,

    /// <summary>Left through the offline form while nobody was available; answered by email.</summary>
    OfflineForm = 1,

    /// <summary>Created by an integration through the REST API.</summary>
    Api = 2,

    /// <summary>An email to an email inbox; replies go out as emails in its thread.</summary>
    Email = 3,
}

/// <summary>One thread between a contact and the team, in one inbox.</summary>
public sealed class Conversation : Entity, IWorkspaceOwned
{
    /// <summary>Conversations whose contact is not in a chat: replies and survey links reach them by email.</summary>
    public bool IsAnsweredByEmail => Origin is ConversationOrigin.OfflineForm or ConversationOrigin.Email;

    public const int MaxLabels = 20;
    public const int MaxLabelLength = 40;

    /// <summary>How much of the contact's first message the conversation keeps as its <see cref="Opening"/>.</summary>
    public const int MaxOpeningLength = 500;

    private Conversation()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public Guid InboxId { get; private set; }

    public Guid ContactId { get; private set; }

    /// <summary>Per-workspace number people say aloud: "conversation 1042".</summary>
    public int Number { get; private set; }

    public ConversationOrigin Origin { get; private set; }

    public ConversationStatus Status { get; private set; }

    public DateTime? SnoozedUntil { get; private set; }

    public ConversationPriority Priority { get; private set; }

    public Guid? AssigneeId { get; private set; }

    public Guid? TeamId { get; private set; }

    /// <summary>
    /// Since when the conversation has been waiting in its team's queue (a team, nobody assigned, open or pending);
    /// null when it is not waiting. A transfer to another team keeps it: the customer's wait goes on.
    /// </summary>
    public DateTime? QueuedAt { get; private set; }

    public List<string> Labels { get; private set; } = [];

    /// <summary>Facts about this conversation (order number, topic, …) set by agents and integrations.</summary>
    public CustomAttributes Attributes { get; private set; } = new();

    /// <summary>The client id of the message that opened the conversation: a retried start finds this conversation.</summary>
    public string? OpeningClientId { get; private set; }

    /// <summary>The sequence of the newest message; raised atomically for each message (see MessageLog).</summary>
    public long LastSequence { get; private set; }

    /// <summary>The newest message the contact has seen; later agent messages are unread for the contact.</summary>
    public long ContactReadSequence { get; private set; }

    /// <summary>The newest message an agent has seen; shown to the visitor as "Seen".</summary>
    public long AgentReadSequence { get; private set; }

    public DateTime CreatedAt { get; private set; }

    public DateTime? FirstAgentReplyAt { get; private set; }

    public DateTime LastActivityAt { get; private set; }

    /// <summary>When the contact last wrote; with <see cref="LastAgentMessageAt"/> it tells who waits for whom.</summary>
    public DateTime? LastContactMessageAt { get; private set; }

    public DateTime? LastAgentMessageAt { get; private set; }

    /// <summary>
    /// Since when the contact has been waiting for an answer: the time of their first message after the last agent
    /// reply, null once an agent replies or the conversation is resolved. Response-time SLAs run from it.
    /// </summary>
    public DateTime? AwaitingReplySince { get; private set; }

    public DateTime? ResolvedAt { get; private set; }

    /// <summary>A short preview of the newest visible message, for conversation lists.</summary>
    public string LastMessagePreview { get; private set; } = "";

    /// <summary>
    /// The start of the contact's first message with text: what the conversation is about in the customer's words. The
    /// insights read it from here, so their phrases and examples take one pass over the period's latest conversations.
    /// </summary>
    public string? Opening { get; private set; }

    public static Conversation Start(
        Guid workspaceId, Guid inboxId, Guid contactId, int number, ConversationOrigin origin, string? openingClientId, DateTime now)
    {
        var conversation = new Conversation
        {
            WorkspaceId = workspaceId,
            InboxId = inboxId,
            ContactId = contactId,
            Number = number,
            Origin = origin,
            Status = origin == ConversationOrigin.OfflineForm ? ConversationStatus.Pending : ConversationStatus.Open,
            OpeningClientId = openingClientId,
            CreatedAt = now,
            LastActivityAt = now,
        };
        conversation.Raise(new ConversationStarted(workspaceId, conversation.Id, inboxId, contactId, number, now));
        return conversation;
    }

    /// <summary>
    /// Records an appended message; a contact's message reopens a resolved or snoozed conversation. A message
    /// without text is previewed by <paramref name="attachmentSummary"/>.
    /// </summary>
    public void Record(Message message, string? attachmentSummary = null)
    {
        var preview = message.Text.Length > 0 ? Preview(message.Text) : attachmentSummary ?? "";
        LastSequence = Math.Max(LastSequence, message.Sequence);
        LastActivityAt = message.CreatedAt;
        switch (message.Kind)
        {
            case MessageKind.Incoming:
                LastContactMessageAt = message.CreatedAt;
                ContactReadSequence = Math.Max(ContactReadSequence, message.Sequence);
                LastMessagePreview = preview;
                Opening ??= message.Text.Length > 0 ? Shortened(message.Text, MaxOpeningLength) : null;
                if (Status is ConversationStatus.Resolved or ConversationStatus.Snoozed)
                {
                    ChangeStatus(ConversationStatus.Open, snoozedUntil: null, message.CreatedAt);
                }

                if (AwaitingReplySince is null)
                {
                    AwaitingReplySince = message.CreatedAt;
                    Raise(new ReplyAwaited(WorkspaceId, Id, message.CreatedAt, First: FirstAgentReplyAt is null));
                }

                Raise(new ContactMessageReceived(WorkspaceId, Id, message.Id));
                break;
            case MessageKind.Outgoing:
                LastAgentMessageAt = message.CreatedAt;
                // Only an agent answering a waiting contact replies: neither a proactive message sent before the
                // contact wrote nor an automatic message (no agent wrote it) answers anyone.
                if (AwaitingReplySince is not null && message.AuthorAgentId is not null)
                {
                    FirstAgentReplyAt ??= message.CreatedAt;
                    AwaitingReplySince = null;
                    Raise(new ReplyGiven(WorkspaceId, Id, message.CreatedAt, message.AuthorAgentId));
                }

                AgentReadSequence = Math.Max(AgentReadSequence, message.Sequence);
                LastMessagePreview = preview;
                Raise(new MessagePosted(WorkspaceId, Id, message.Id));
                break;
            case MessageKind.Note:
                Raise(new MessagePosted(WorkspaceId, Id, message.Id));
                break;
        }
    }

    /// <summary>
    /// The assistant handed the conversation to people: the contact's wait for a person starts now, so response
    /// times and their SLA clocks count from here, not from the first message the assistant answered.
    /// </summary>
    public void ReachPeople(DateTime now)
    {
        if (!IsActive)
        {
            return;
        }

        AwaitingReplySince = now;
        Raise(new ReplyAwaited(WorkspaceId, Id, now, First: FirstAgentReplyAt is null));
    }

    public void ChangeStatus(ConversationStatus status, DateTime? snoozedUntil, DateTime now)
    {
        if (status is ConversationStatus.Open or ConversationStatus.Pending && Status is ConversationStatus.Resolved or ConversationStatus.Snoozed)
        {
            Raise(new ConversationReopened(WorkspaceId, Id));
        }

        if (status != Status)
        {
            Raise(new ConversationStatusChanged(WorkspaceId, Id, Status, status, now));
        }

        Status = status;
        if (status == ConversationStatus.Resolved)
        {
            AwaitingReplySince = null; // Resolving answers the contact: the wait ends with it.
        }

        SnoozedUntil = status == ConversationStatus.Snoozed ? snoozedUntil : null;
        ResolvedAt = status == ConversationStatus.Resolved ? now : null;
        FollowQueue(now);
    }

    public void ChangePriority(ConversationPriority priority)
    {
        if (priority != Priority)
        {
            Raise(new ConversationPriorityChanged(WorkspaceId, Id, Priority, priority));
        }

        Priority = priority;
    }

    public void Assign(Guid? assigneeId, Guid? teamId, DateTime now)
    {
        if (assigneeId != AssigneeId || teamId != TeamId)
        {
            Raise(new ConversationAssigned(WorkspaceId, Id, AssigneeId, TeamId, assigneeId, teamId));
        }

        AssigneeId = assigneeId;
        TeamId = teamId;
        FollowQueue(now);
    }

    /// <summary>Whether it needs an agent of its team: open or pending, with a team and nobody assigned.</summary>
    public bool IsWaiting => TeamId is not null && AssigneeId is null && Status is ConversationStatus.Open or ConversationStatus.Pending;

    /// <summary>Whether it counts against its assignee's caps.</summary>
    public bool IsActive => Status is ConversationStatus.Open or ConversationStatus.Pending;

    // Joins the queue when it starts waiting, leaves it when it stops.
    private void FollowQueue(DateTime now) => QueuedAt = IsWaiting ? QueuedAt ?? now : null;

    /// <summary>Sets the labels (trimmed, lower case, each once, in order); a change is an event, for the reports that count by label.</summary>
    public void ChangeLabels(IEnumerable<string> labels)
    {
        List<string> changed = [.. labels.Select(l => l.Trim().ToLowerInvariant()).Where(l => l.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        if (!changed.SequenceEqual(Labels, StringComparer.Ordinal))
        {
            Labels = changed;
            Raise(new ConversationLabelsChanged(WorkspaceId, Id));
        }
    }

    public void ReplaceAttributes(IReadOnlyDictionary<string, string> attributes) => Attributes = new CustomAttributes(attributes);

    public void MarkReadByContact(long sequence) => ContactReadSequence = Math.Clamp(sequence, ContactReadSequence, LastSequence);

    public void MarkReadByAgent(long sequence) => AgentReadSequence = Math.Clamp(sequence, AgentReadSequence, LastSequence);

    /// <summary>
    /// The newest visible message was edited or deleted: the preview follows, so a withdrawn reply does not
    /// linger in conversation lists. Returns whether the preview changed.
    /// </summary>
    public bool ShowInPreview(Message message)
    {
        var preview = message.DeletedAt is not null ? "Message deleted" : message.Text.Length > 0 ? Preview(message.Text) : LastMessagePreview;
        if (preview == LastMessagePreview)
        {
            return false;
        }

        LastMessagePreview = preview;
        return true;
    }

    /// <summary>The anonymous contact became a known one: the conversation follows.</summary>
    public void MoveTo(Contact contact) => ContactId = contact.Id;

    // At most that many characters, never half of a character that takes two.
    private static string Shortened(string text, int length) =>
        text.Length <= length ? text : text[..(char.IsHighSurrogate(text[length - 1]) ? length - 1 : length)];

    private static string Preview(string text)
    {
        var plain = MessageFormat.Plain(text);
        return plain.Length <= 140 ? plain : plain[..139] + "…";
    }
}

public sealed record ConversationStarted(Guid WorkspaceId, Guid ConversationId, Guid InboxId, Guid ContactId, int Number, DateTime? At = null) : IUrgentDomainEvent;

/// <summary>A resolved or snoozed conversation is active again (open or pending): by the contact writing, an agent, or the snooze ending.</summary>
public sealed record ConversationReopened(Guid WorkspaceId, Guid ConversationId) : IDomainEvent;

/// <summary>The status changed (to or from Resolved, Snoozed, Pending or Open), at <paramref name="At"/>.</summary>
public sealed record ConversationStatusChanged(Guid WorkspaceId, Guid ConversationId, ConversationStatus From, ConversationStatus To, DateTime At) : IDomainEvent;

public sealed record ConversationPriorityChanged(Guid WorkspaceId, Guid ConversationId, ConversationPriority From, ConversationPriority To) : IDomainEvent;

/// <summary>The assignee or the team changed (a person, the queue, a rule or an escalation).</summary>
public sealed record ConversationAssigned(
    Guid WorkspaceId, Guid ConversationId, Guid? FromAgentId, Guid? FromTeamId, Guid? ToAgentId, Guid? ToTeamId) : IDomainEvent;

/// <summary>
/// The contact wrote and now waits for an answer (their first message since the last agent reply);
/// <paramref name="First"/> when no agent has replied in this conversation yet.
/// </summary>
public sealed record ReplyAwaited(Guid WorkspaceId, Guid ConversationId, DateTime Since, bool First) : IDomainEvent;

/// <summary>The contact wrote a message (every one, unlike <see cref="ReplyAwaited"/>).</summary>
public sealed record ContactMessageReceived(Guid WorkspaceId, Guid ConversationId, Guid MessageId) : IDomainEvent;

/// <summary>An agent, the assistant or a rule wrote a message to the contact or a private note (the contact's are <see cref="ContactMessageReceived"/>).</summary>
public sealed record MessagePosted(Guid WorkspaceId, Guid ConversationId, Guid MessageId) : IDomainEvent;

/// <summary>The conversation's labels changed.</summary>
public sealed record ConversationLabelsChanged(Guid WorkspaceId, Guid ConversationId) : IDomainEvent;

/// <summary>An agent (<paramref name="AgentId"/>) answered the waiting contact.</summary>
public sealed record ReplyGiven(Guid WorkspaceId, Guid ConversationId, DateTime At, Guid? AgentId = null) : IDomainEvent;

internal sealed class ConversationConfiguration : IEntityTypeConfiguration<Conversation>
{
    public void Configure(EntityTypeBuilder<Conversation> builder)
    {
        builder.Property(c => c.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.Priority).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.Origin).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.OpeningClientId).HasMaxLength(Message.MaxClientIdLength);
        builder.Property(c => c.LastMessagePreview).HasMaxLength(200);
        builder.Property(c => c.Opening).HasMaxLength(Conversation.MaxOpeningLength);
        // A primitive collection: JSON text on SQLite, text[] on PostgreSQL; "has label" translates on both.
        builder.PrimitiveCollection(c => c.Labels);
        builder.Property(c => c.Attributes).HasConversion(JsonColumn.Converter<CustomAttributes>(), JsonColumn.Comparer<CustomAttributes>());
        builder.HasIndex(c => new { c.WorkspaceId, c.Number }).IsUnique();
        builder.HasIndex(c => new { c.ContactId, c.OpeningClientId }).IsUnique();
        builder.HasIndex(c => new { c.WorkspaceId, c.Status, c.LastActivityAt });
        builder.HasIndex(c => new { c.WorkspaceId, c.AssigneeId, c.Status });
        builder.HasIndex(c => new { c.InboxId, c.CreatedAt }); // a site's conversations of a day, for its statistics
        builder.HasIndex(c => new { c.WorkspaceId, c.CreatedAt }); // the latest conversations of a period, for the insights' examples and phrases
        builder.HasIndex(c => new { c.TeamId, c.QueuedAt }); // a team's queue, oldest first
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(c => c.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Inboxes.Inbox>().WithMany().HasForeignKey(c => c.InboxId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Contact>().WithMany().HasForeignKey(c => c.ContactId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Agents.Agent>().WithMany().HasForeignKey(c => c.AssigneeId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Teams.Team>().WithMany().HasForeignKey(c => c.TeamId).OnDelete(DeleteBehavior.SetNull);
    }
}
