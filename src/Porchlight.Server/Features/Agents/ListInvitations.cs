using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

public sealed class ListInvitations(AppDbContext db)
{
    /// <summary>Invitations not yet accepted, including expired ones so they can be cleaned up.</summary>
    public async Task<Result<Page<InvitationResponse>>> HandleAsync(PageRequest page, CancellationToken cancellationToken) =>
        await db.Invitations.AsNoTracking()
            .Where(i => i.AcceptedAt == null)
            .ToPageAsync(page, i => i.Id, i => InvitationResponse.From(i), cancellationToken);
}
