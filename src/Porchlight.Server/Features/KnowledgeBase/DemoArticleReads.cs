using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.KnowledgeBase;

/// <summary>
/// A month of the demo shop's article reads in the widget, so the Self-service report has something to show: some by
/// customers who wrote a few minutes later anyway (their past conversation), most by visitors who did not.
/// </summary>
public static class DemoArticleReads
{
    private const int Days = 30;
    private const int ReadsPerDay = 24;

    /// <summary>One read in four comes a few minutes before one of the day's conversations.</summary>
    private const int FollowedEvery = 4;

    public static async Task AddAsync(AppDbContext db, Guid workspaceId, Guid inboxId, DateTime now, CancellationToken cancellationToken)
    {
        var since = now.AddDays(-Days);
        // Popular articles are read more: the first in the list about as often as the rest together.
        var articleIds = await db.Articles.Where(a => a.WorkspaceId == workspaceId && a.Locale == Articles.DefaultLocale)
            .OrderBy(a => a.Title).Select(a => a.Id).ToListAsync(cancellationToken);
        var conversations = await db.Conversations.Where(c => c.WorkspaceId == workspaceId && c.InboxId == inboxId && c.CreatedAt >= since && c.CreatedAt < now)
            .OrderBy(c => c.CreatedAt).Select(c => new { c.ContactId, c.CreatedAt }).ToListAsync(cancellationToken);
        var random = new Random(11);
        for (var i = 0; i < Days * ReadsPerDay && articleIds.Count > 0; i++)
        {
            var articleId = articleIds[Math.Min(articleIds.Count - 1, (int)(articleIds.Count * Math.Pow(random.NextDouble(), 2)))];
            if (i % FollowedEvery == 0 && conversations.Count > 0)
            {
                var conversation = conversations[random.Next(conversations.Count)];
                db.ArticleReads.Add(ArticleRead.Of(workspaceId, articleId, inboxId, conversation.ContactId, conversation.CreatedAt.AddMinutes(-random.Next(2, 30))));
            }
            else
            {
                db.ArticleReads.Add(ArticleRead.Of(workspaceId, articleId, inboxId, Guid.NewGuid(), since.AddSeconds(random.NextDouble() * Days * 86_400)));
            }
        }

        await db.SaveChangesAsync(cancellationToken);
    }
}
