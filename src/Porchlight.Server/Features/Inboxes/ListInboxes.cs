using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Inboxes;

public sealed class ListInboxes(AppDbContext db, PublicUrls urls)
{
    public async Task<Result<Page<InboxResponse>>> HandleAsync(PageRequest page, CancellationToken cancellationToken) =>
        await db.Inboxes.AsNoTracking().ToPageAsync(page, i => i.Id, i => InboxResponse.From(i, urls), cancellationToken);
}
