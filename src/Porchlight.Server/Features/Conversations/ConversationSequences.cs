using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Conversations;

/// <summary>Hands out gap-free message sequence numbers per conversation.</summary>
public static class ConversationSequences
{
    /// <summary>
    /// Raises each conversation's last sequence by its count and returns the new values; the caller numbers
    /// its messages up to them. The increment happens in the database, inside the caller's transaction: on
    /// PostgreSQL the rows stay locked until commit, on SQLite the write lock is already held, so two
    /// writers (or two nodes) never hand out the same number.
    /// </summary>
    public static async Task<Dictionary<Guid, long>> ReserveAsync(AppDbContext db, IReadOnlyDictionary<Guid, int> counts, CancellationToken cancellationToken)
    {
        if (counts.Count == 0)
        {
            return [];
        }

        // One statement per distinct count: in a batch nearly every conversation has one message.
        foreach (var group in counts.GroupBy(c => c.Value))
        {
            var ids = group.Select(c => c.Key).ToList();
            var count = group.Key;
            await db.Conversations.Where(c => ids.Contains(c.Id))
                .ExecuteUpdateAsync(set => set.SetProperty(c => c.LastSequence, c => c.LastSequence + count), cancellationToken);
        }

        // A projection, not entities: a tracked conversation would come back with the value it was loaded with.
        var all = counts.Keys.ToList();
        return await db.Conversations.Where(c => all.Contains(c.Id))
            .Select(c => new { c.Id, c.LastSequence })
            .ToDictionaryAsync(c => c.Id, c => c.LastSequence, cancellationToken);
    }
}
