using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Conversations;

/// <summary>A message the acting agent may still change, with its conversation (both tracked).</summary>
public sealed record OwnMessage(Conversation Conversation, Message Message);

/// <summary>
/// The rule shared by editing and deleting: only the agent who wrote a reply or note changes it, and only
/// within the edit window, so what a contact has read long ago does not quietly change.
/// </summary>
public sealed class OwnMessages(AppDbContext db, ActingAgent actor, IOptions<ConversationOptions> options, TimeProvider clock)
{
    public async Task<Result<OwnMessage>> FindAsync(Guid conversationId, Guid messageId, CancellationToken cancellationToken)
    {
        if (await db.Conversations.FirstOrDefaultAsync(c => c.Id == conversationId, cancellationToken) is not { } conversation
            || await db.Messages.FirstOrDefaultAsync(m => m.Id == messageId && m.ConversationId == conversationId, cancellationToken) is not { } message)
        {
            return Failure.NotFound("The message");
        }

        if (message.Kind is not (MessageKind.Outgoing or MessageKind.Note) || message.AuthorAgentId != actor.AgentId)
        {
            return Failure.Forbidden("Only the agent who wrote a reply or note can change it.");
        }

        return new OwnMessage(conversation, message);
    }

    /// <summary>Why the message can no longer change, or null while it can.</summary>
    public Failure? Closed(Message message)
    {
        if (message.DeletedAt is not null)
        {
            return Failure.Conflict("The message was deleted.");
        }

        var window = options.Value.MessageEditWindow;
        return clock.GetUtcNow().UtcDateTime - message.CreatedAt > window
            ? Failure.Conflict($"Messages can be changed for {window.TotalMinutes:0} minutes after they are sent.")
            : null;
    }

    /// <summary>
    /// Keeps the conversation's preview true to its newest visible message after <paramref name="message"/>
    /// changed. Returns whether the preview changed.
    /// </summary>
    public async Task<bool> RefreshPreviewAsync(Conversation conversation, Message message, CancellationToken cancellationToken)
    {
        if (message.Kind != MessageKind.Outgoing)
        {
            return false;
        }

        var newest = await db.Messages.Where(m => m.ConversationId == conversation.Id && (m.Kind == MessageKind.Incoming || m.Kind == MessageKind.Outgoing))
            .OrderByDescending(m => m.Sequence).Select(m => m.Id).FirstAsync(cancellationToken);
        return newest == message.Id && conversation.ShowInPreview(message);
    }
}
