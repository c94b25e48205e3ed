using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Inboxes;

/// <summary>The identity secret an admin pastes into the host site's server configuration.</summary>
public sealed class ShowIdentitySecret(AppDbContext db, IdentitySecrets secrets)
{
    public async Task<Result<IdentitySecretResponse>> HandleAsync(Guid inboxId, CancellationToken cancellationToken)
    {
        if (await db.Inboxes.AsNoTracking().FirstOrDefaultAsync(i => i.Id == inboxId, cancellationToken) is not { } inbox)
        {
            return Failure.NotFound("Inbox");
        }

        if (inbox.Channel != InboxChannel.WebWidget)
        {
            return RotateIdentitySecret.WidgetOnly;
        }

        return new IdentitySecretResponse(await secrets.SecretOfAsync(db, inbox, cancellationToken));
    }
}
