using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

public sealed class RevokeInvitation(AppDbContext db)
{
    public async Task<Result<Done>> HandleAsync(Guid invitationId, CancellationToken cancellationToken)
    {
        var invitation = await db.Invitations.FirstOrDefaultAsync(i => i.Id == invitationId && i.AcceptedAt == null, cancellationToken);
        if (invitation is null)
        {
            return Failure.NotFound("Invitation");
        }

        db.Invitations.Remove(invitation);
        await db.SaveChangesAsync(cancellationToken);
        return default(Done);
    }
}
