using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.CannedResponses;

public sealed class UpdateCannedResponse(AppDbContext db, ActingAgent actor, TimeProvider clock)
{
    public async Task<Result<CannedResponseResponse>> HandleAsync(Guid cannedResponseId, UpdateCannedResponseRequest request, CancellationToken cancellationToken)
    {
        var fields = CannedResponseRules.Fields(request.Shortcut, request.Title, request.Text, request.Folder);
        if (!fields.Succeeded)
        {
            return fields.Failure!;
        }

        if (await db.CannedResponses.VisibleTo(actor).FirstOrDefaultAsync(c => c.Id == cannedResponseId, cancellationToken) is not { } response)
        {
            return CannedResponseRules.NotFound;
        }

        if (!CannedResponseRules.MayManage(response, actor))
        {
            return CannedResponseRules.SharedNeedsAdmin;
        }

        var (shortcut, title, text, folder) = fields.Value;
        if (await CannedResponseRules.ShortcutTakenAsync(db, response.OwnerKey, shortcut, response.Id, cancellationToken))
        {
            return CannedResponseRules.DuplicateShortcut;
        }

        response.Change(shortcut, title, text, folder, clock.GetUtcNow().UtcDateTime);
        return await CannedResponseRules.SaveAsync(db, response.OwnerKey, shortcut, response.Id, cancellationToken) is { } raced
            ? raced
            : CannedResponseResponse.From(response);
    }
}
