using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Conversations;

/// <summary>
/// An agent replied in a conversation that began with the offline form: the contact is not in the chat, so the
/// reply goes to them by email. Stored in the outbox in the same commit as the reply, so a reply the agent was
/// told is sent is emailed even if the server stops right after (at least once; see OfflineReplyMailer).
/// </summary>
public sealed record OfflineReplyWritten(Guid WorkspaceId, Guid ConversationId, Guid MessageId) : IDomainEvent
{
    /// <summary>The event for <paramref name="message"/>, or null when it is not a reply to be emailed.</summary>
    public static OfflineReplyWritten? For(Conversation conversation, Message message) =>
        conversation.Origin == ConversationOrigin.OfflineForm && message.Kind == MessageKind.Outgoing
            ? new OfflineReplyWritten(conversation.WorkspaceId, conversation.Id, message.Id)
            : null;
}
