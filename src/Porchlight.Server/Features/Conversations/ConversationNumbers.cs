using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Conversations;

internal static class ConversationNumbers
{
    /// <summary>
    /// Takes the workspace's next display number inside the caller's transaction. The increment runs in
    /// the database, so concurrent starts queue on the workspace row instead of taking the same number.
    /// </summary>
    public static async Task<int> NextAsync(AppDbContext db, Guid workspaceId, CancellationToken cancellationToken)
    {
        await db.Workspaces.Where(w => w.Id == workspaceId)
            .ExecuteUpdateAsync(set => set.SetProperty(w => w.LastConversationNumber, w => w.LastConversationNumber + 1), cancellationToken);
        return await db.Workspaces.Where(w => w.Id == workspaceId).Select(w => w.LastConversationNumber).SingleAsync(cancellationToken);
    }
}
