using Porchlight.Server.Features.Attachments;
using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Features.Widget;

/// <summary>An author as the visitor sees them: the agent's display name, or the visitor themselves.</summary>
public sealed record VisitorAuthor(string Name, string? AvatarUrl);

/// <summary>A message as the widget shows it. Private notes never become one of these.</summary>
public sealed record VisitorMessage(
    Guid Id,
    Guid ConversationId,
    string ClientId,
    long Sequence,
    string Kind,
    VisitorAuthor Author,
    string Text,
    DateTime CreatedAt,
    DateTime? EditedAt,
    bool Deleted,
    IReadOnlyList<AttachmentResponse> Attachments,
    IReadOnlyList<string>? QuickReplies = null)
{
    public static VisitorMessage From(MessageResponse message) => new(
        message.Id,
        message.ConversationId,
        message.ClientId,
        message.Sequence,
        message.Kind switch
        {
            MessageKind.Incoming => "incoming",
            MessageKind.Outgoing => "outgoing",
            _ => throw new InvalidOperationException("Notes and activities are never shown to a visitor."),
        },
        new VisitorAuthor(message.Author.Name, null),
        message.Text,
        message.CreatedAt,
        message.EditedAt,
        message.DeletedAt is not null,
        message.Attachments,
        message.QuickReplies);
}

/// <summary>
/// A conversation in the widget's list: its newest message the visitor can see, unread count, "Seen" position, and,
/// while it waits for an agent, its place in line (later places arrive as <see cref="QueueNotice"/>).
/// </summary>
public sealed record VisitorConversation(
    Guid Id, string Status, long LastSequence, long Unread, long AgentReadSequence, VisitorMessage? LastMessage, DateTime LastActivityAt,
    Routing.QueuePlace? Queue = null)
{
    public static VisitorConversation From(Conversation c, VisitorMessage? lastMessage, Routing.QueuePlace? queue = null) => new(
        c.Id, c.Status.ToString().ToLowerInvariant(), c.LastSequence,
        Math.Max(0, c.LastSequence - c.ContactReadSequence), c.AgentReadSequence, lastMessage, c.LastActivityAt, queue);
}

public sealed record TypingNotice(Guid ConversationId, string Name, bool IsTyping);

public sealed record ReadNotice(Guid ConversationId, long Sequence);

public sealed record ConversationNotice(Guid Id, string Status);

/// <summary>
/// The visitor's place in line for an agent (1 is next) and the estimated wait in seconds (null when there is no
/// recent history to estimate from); both null when the wait is over.
/// </summary>
public sealed record QueueNotice(Guid ConversationId, int? Position, int? EstimatedWaitSeconds);

/// <summary>What the visitor hub sends to the widget.</summary>
public interface IVisitorClient
{
    Task MessageCreated(VisitorMessage message);

    Task MessageUpdated(VisitorMessage message);

    Task ConversationUpdated(ConversationNotice conversation);

    Task Typing(TypingNotice notice);

    Task Read(ReadNotice notice);

    Task QueueChanged(QueueNotice notice);
}
