using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Inboxes;

public sealed class GetInbox(AppDbContext db, PublicUrls urls)
{
    public async Task<Result<InboxResponse>> HandleAsync(Guid inboxId, CancellationToken cancellationToken) =>
        await db.Inboxes.AsNoTracking().FirstOrDefaultAsync(i => i.Id == inboxId, cancellationToken) is { } inbox
            ? InboxResponse.From(inbox, urls)
            : Failure.NotFound("Inbox");
}
