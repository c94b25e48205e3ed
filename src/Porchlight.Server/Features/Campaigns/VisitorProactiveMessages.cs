using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;
using Porchlight.Server.Features.Widget;

namespace Porchlight.Server.Features.Campaigns;

/// <summary>
/// A proactive message as the chat frame reads it when the visitor opens the chat from it. Only the visitor it was
/// for may read it: its browser must be linked to the chat's contact (the frame reports the tracker's id when its
/// session starts), so an id alone, guessed or leaked, shows nothing.
/// </summary>
public sealed class VisitorProactiveMessages(AppDbContext db, TenantScope tenant, TimeProvider clock)
{
    public async Task<Result<ProactiveOffer>> OpenAsync(VisitorIdentity visitor, Guid messageId, CancellationToken cancellationToken)
    {
        if (await FindAsync(visitor, messageId, cancellationToken) is not { } message)
        {
            return Failure.NotFound("The message");
        }

        message.Opened(clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        return await ProactiveOffers.OfferAsync(db, message, cancellationToken);
    }

    /// <summary>The message <paramref name="visitor"/> may answer, tracked by the scope's context; null when it is not theirs.</summary>
    public async Task<ProactiveMessage?> FindAsync(VisitorIdentity visitor, Guid messageId, CancellationToken cancellationToken)
    {
        tenant.Enter(visitor.WorkspaceId);
        var message = await db.ProactiveMessages.FirstOrDefaultAsync(m => m.Id == messageId && m.InboxId == visitor.InboxId, cancellationToken);
        return message is not null
            && await db.TrackedVisitors.AnyAsync(v => v.InboxId == message.InboxId && v.VisitorKey == message.VisitorKey && v.ContactId == visitor.ContactId, cancellationToken)
            ? message
            : null;
    }
}
