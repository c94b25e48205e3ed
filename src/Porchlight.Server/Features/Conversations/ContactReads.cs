using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Conversations;

/// <summary>
/// The contact has seen a conversation up to a message (the widget says so, or the integration of an API inbox):
/// agents see their replies read and the unread badge clears.
/// </summary>
public static class ContactReads
{
    /// <summary>The field error for a sequence that is not one, else null.</summary>
    public static Failure? Refuse(long? sequence) => sequence is >= 0 ? null : Failure.Invalid("sequence", "A message sequence, 0 or more.");

    /// <summary>Saves the read position of the tracked <paramref name="conversation"/> and tells agents, when it moved forward.</summary>
    public static async Task MarkAsync(
        AppDbContext db, ConversationBroadcaster broadcaster, Conversation conversation, long sequence, CancellationToken cancellationToken)
    {
        var before = conversation.ContactReadSequence;
        conversation.MarkReadByContact(sequence);
        if (conversation.ContactReadSequence != before)
        {
            await db.SaveChangesAsync(cancellationToken);
            await broadcaster.ReadByContactAsync(conversation.Id, conversation.InboxId, conversation.ContactReadSequence);
        }
    }
}
