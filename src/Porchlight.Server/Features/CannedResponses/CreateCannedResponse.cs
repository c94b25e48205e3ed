using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.CannedResponses;

/// <summary>Any agent keeps personal canned responses; shared ones need the right to manage them.</summary>
public sealed class CreateCannedResponse(AppDbContext db, ActingAgent actor, TimeProvider clock)
{
    public async Task<Result<CannedResponseResponse>> HandleAsync(CreateCannedResponseRequest request, CancellationToken cancellationToken)
    {
        var fields = CannedResponseRules.Fields(request.Shortcut, request.Title, request.Text, request.Folder);
        if (!fields.Succeeded)
        {
            return fields.Failure!;
        }

        var shared = request.Shared == true;
        if (shared && !actor.Can(Permission.ManageSharedCannedResponses))
        {
            return CannedResponseRules.SharedNeedsAdmin;
        }

        var (shortcut, title, text, folder) = fields.Value;
        var owner = shared ? (Guid?)null : actor.AgentId;
        var ownerKey = owner ?? Guid.Empty;
        if (await CannedResponseRules.ShortcutTakenAsync(db, ownerKey, shortcut, null, cancellationToken))
        {
            return CannedResponseRules.DuplicateShortcut;
        }

        var response = CannedResponse.Create(actor.WorkspaceId, owner, shortcut, title, text, folder, clock.GetUtcNow().UtcDateTime);
        db.CannedResponses.Add(response);
        return await CannedResponseRules.SaveAsync(db, ownerKey, shortcut, null, cancellationToken) is { } raced
            ? raced
            : CannedResponseResponse.From(response);
    }
}
