using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Conversations;

/// <summary>Whose work a conversation is, for what counts per agent (a survey's scores, a quality review).</summary>
public static class AnsweringAgent
{
    /// <summary>The agent who has the conversation, or else the last person who replied in it; null when nobody has.</summary>
    public static async Task<Guid?> OfAsync(AppDbContext db, Conversation conversation, CancellationToken cancellationToken) =>
        conversation.AssigneeId ?? await db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversation.Id && m.Kind == MessageKind.Outgoing && m.AuthorAgentId != null)
            .OrderByDescending(m => m.Sequence).Select(m => m.AuthorAgentId).FirstOrDefaultAsync(cancellationToken);
}
