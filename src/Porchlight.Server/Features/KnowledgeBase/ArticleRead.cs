using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.KnowledgeBase;

/// <summary>
/// A widget visitor opened an article: who (the contact the visitor acts as), where and when. The reports count a
/// read as deflected when that contact began no conversation in the day after it (docs/metrics.md).
/// </summary>
public sealed class ArticleRead : IWorkspaceOwned
{
    /// <summary>Opening the same article again within this time is one read (back and forth in the widget).</summary>
    public static readonly TimeSpan SameRead = TimeSpan.FromMinutes(30);

    private ArticleRead()
    {
    }

    public Guid Id { get; private set; } = TimeOrderedIds.Next();

    public Guid WorkspaceId { get; private set; }

    public Guid ArticleId { get; private set; }

    public Guid InboxId { get; private set; }

    public Guid ContactId { get; private set; }

    public DateTime ReadAt { get; private set; }

    public static ArticleRead Of(Guid workspaceId, Guid articleId, Guid inboxId, Guid contactId, DateTime now) => new()
    {
        WorkspaceId = workspaceId, ArticleId = articleId, InboxId = inboxId, ContactId = contactId, ReadAt = now,
    };
}

internal sealed class ArticleReadConfiguration : IEntityTypeConfiguration<ArticleRead>
{
    public void Configure(EntityTypeBuilder<ArticleRead> builder)
    {
        builder.HasIndex(r => new { r.WorkspaceId, r.ReadAt }); // a period's reads, for the reports
        builder.HasIndex(r => new { r.ContactId, r.ReadAt }); // a contact's reads: the same read again, and moving them on identify
        builder.HasOne<Article>().WithMany().HasForeignKey(r => r.ArticleId).OnDelete(DeleteBehavior.Cascade);
    }
}
