using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Inboxes;

/// <summary>
/// Replaces an inbox's identity secret, for when the old one leaked. Hashes made with the old secret stop
/// working at once; identified visitors keep their tokens until they identify again.
/// </summary>
public sealed class RotateIdentitySecret(AppDbContext db, IdentitySecrets secrets, TimeProvider clock)
{
    public static Failure WidgetOnly => Failure.Conflict("Only web-widget inboxes have an identity secret.");

    public async Task<Result<IdentitySecretResponse>> HandleAsync(Guid inboxId, CancellationToken cancellationToken)
    {
        if (await db.Inboxes.FirstOrDefaultAsync(i => i.Id == inboxId, cancellationToken) is not { } inbox)
        {
            return Failure.NotFound("Inbox");
        }

        if (inbox.Channel != InboxChannel.WebWidget)
        {
            return WidgetOnly;
        }

        var (secret, protectedSecret) = secrets.Generate();
        inbox.RotateIdentitySecret(protectedSecret, clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        return new IdentitySecretResponse(secret);
    }
}
