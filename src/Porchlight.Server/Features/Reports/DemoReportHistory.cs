using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Reports;

/// <summary>
/// Two months of the demo shop's past conversations (<see cref="GeneratedHistory"/>), all resolved, so the demo's
/// Reports page has something to show: they stay out of the inbox's open views, and their days are marked for the
/// rollup like any change.
/// </summary>
public static class DemoReportHistory
{
    public const int Days = 60;
    public const int Conversations = 2400;

    /// <returns>How many conversations it added.</returns>
    public static async Task<int> AddAsync(AppDbContext db, HistoryCast cast, DateOnly today, CancellationToken cancellationToken)
    {
        var firstNumber = await db.Workspaces.Where(w => w.Id == cast.WorkspaceId).Select(w => w.LastConversationNumber).SingleAsync(cancellationToken) + 1;
        var history = new GeneratedHistory(cast, today.AddDays(-Days), Days, Conversations, seed: 7, firstNumber, messagesPerConversation: 6, surveyPercent: 35, customerTone: true);
        var days = new HashSet<DateOnly>();
        foreach (var chunk in history.Chunks(600))
        {
            db.AddRange(chunk.Contacts);
            db.AddRange(chunk.Conversations);
            db.AddRange(chunk.Messages);
            db.AddRange(chunk.Events);
            db.AddRange(chunk.Facts);
            db.AddRange(chunk.Surveys);
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
            days.UnionWith(chunk.Facts.Select(f => f.Day));
        }

        await db.Workspaces.Where(w => w.Id == cast.WorkspaceId)
            .ExecuteUpdateAsync(set => set.SetProperty(w => w.LastConversationNumber, w => w.LastConversationNumber + Conversations), cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await StaleReportDay.MarkAsync(db, cast.WorkspaceId, days, StaleReportDay.All, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Conversations;
    }
}
