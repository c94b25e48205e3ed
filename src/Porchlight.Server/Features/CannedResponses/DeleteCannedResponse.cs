using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.CannedResponses;

public sealed class DeleteCannedResponse(AppDbContext db, ActingAgent actor)
{
    public async Task<Result<Done>> HandleAsync(Guid cannedResponseId, CancellationToken cancellationToken)
    {
        if (await db.CannedResponses.VisibleTo(actor).FirstOrDefaultAsync(c => c.Id == cannedResponseId, cancellationToken) is not { } response)
        {
            return CannedResponseRules.NotFound;
        }

        if (!CannedResponseRules.MayManage(response, actor))
        {
            return CannedResponseRules.SharedNeedsAdmin;
        }

        db.CannedResponses.Remove(response);
        await db.SaveChangesAsync(cancellationToken);
        return new Done();
    }
}
