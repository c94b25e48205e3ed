using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Inboxes;

public sealed class DeleteInbox(AppDbContext db)
{
    public async Task<Result<Done>> HandleAsync(Guid inboxId, CancellationToken cancellationToken)
    {
        var inbox = await db.Inboxes.FirstOrDefaultAsync(i => i.Id == inboxId, cancellationToken);
        if (inbox is null)
        {
            return Failure.NotFound("Inbox");
        }

        db.Inboxes.Remove(inbox);
        await db.SaveChangesAsync(cancellationToken);
        return default(Done);
    }
}
