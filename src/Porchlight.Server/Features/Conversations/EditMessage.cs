using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Conversations;

public sealed record EditMessageRequest(string? Text);

/// <summary>
/// An agent corrects their own reply or note within the edit window; the contact sees the reply change live,
/// and agents a note newly mentions hear of it (those it mentioned before were told already).
/// </summary>
public sealed class EditMessage(
    AppDbContext db, OwnMessages own, ConversationChanges changes, ConversationBroadcaster broadcaster, Privacy.WorkspaceRedaction redaction, TimeProvider clock)
{
    public async Task<Result<MessageResponse>> HandleAsync(Guid conversationId, Guid messageId, EditMessageRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().MaxLength("text", request.Text, Message.MaxTextLength);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var found = await own.FindAsync(conversationId, messageId, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure!;
        }

        var (conversation, message) = found.Value!;
        var text = request.Text?.Trim() ?? "";
        // Like sending: text may be empty only when files carry the message.
        if (text.Length == 0 && !await db.Attachments.AnyAsync(a => a.MessageId == message.Id, cancellationToken))
        {
            return Failure.Invalid("text", "Required.");
        }

        if (own.Closed(message) is { } closed)
        {
            return closed;
        }

        var mentionedBefore = MentionTokens.AgentIds(message.Text);
        message.Edit(text, clock.GetUtcNow().UtcDateTime, await redaction.OfAsync(message.WorkspaceId, cancellationToken));
        var previewChanged = await own.RefreshPreviewAsync(conversation, message, cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Deleted by a concurrent request (the deletion time is the message's concurrency token).
            return Failure.Conflict("The message was deleted.");
        }

        var described = await changes.UpdatedAsync(conversation, message, previewChanged);
        if (message.Kind == MessageKind.Note)
        {
            await broadcaster.MentionedAsync(await changes.DescribeAsync(conversation, CancellationToken.None), described, mentionedBefore);
        }

        return described;
    }
}
