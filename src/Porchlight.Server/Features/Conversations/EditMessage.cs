using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Conversations;

public sealed record EditMessageRequest(string? Text);

/// <summary>An agent corrects their own reply or note within the edit window; the contact sees the reply change live.</summary>
public sealed class EditMessage(AppDbContext db, OwnMessages own, ConversationChanges changes, TimeProvider clock)
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

        message.Edit(text, clock.GetUtcNow().UtcDateTime);
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

        return await changes.UpdatedAsync(conversation, message, previewChanged);
    }
}
