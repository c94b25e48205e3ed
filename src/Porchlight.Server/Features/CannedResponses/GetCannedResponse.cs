using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.CannedResponses;

/// <summary>One canned response; another agent's personal one answers 404 like an unknown id.</summary>
public sealed class GetCannedResponse(AppDbContext db, ActingAgent actor)
{
    public async Task<Result<CannedResponseResponse>> HandleAsync(Guid cannedResponseId, CancellationToken cancellationToken) =>
        await db.CannedResponses.AsNoTracking().VisibleTo(actor).FirstOrDefaultAsync(c => c.Id == cannedResponseId, cancellationToken) is { } found
            ? CannedResponseResponse.From(found)
            : CannedResponseRules.NotFound;
}
