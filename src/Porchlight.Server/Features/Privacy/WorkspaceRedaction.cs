using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Privacy;

/// <summary>
/// The detectors a workspace has switched on, read once per unit of work (a request, a mail read, a Blazor action):
/// the senders that store text outside the message writer ask here.
/// </summary>
public sealed class WorkspaceRedaction(AppDbContext db)
{
    /// <summary>
    /// Cards and secrets: the values whose leak does the most harm and whose checks (Luhn, a named prefix) rarely
    /// mistake anything else for them (decisions/0023).
    /// </summary>
    public const PiiDetectors NewWorkspaceDefault = PiiDetectors.PaymentCard | PiiDetectors.Secret;

    private readonly Dictionary<Guid, PiiDetectors> _read = [];

    public async Task<PiiDetectors> OfAsync(Guid workspaceId, CancellationToken cancellationToken)
    {
        if (!_read.TryGetValue(workspaceId, out var detectors))
        {
            _read[workspaceId] = detectors = await db.Workspaces.AsNoTracking()
                .Where(w => w.Id == workspaceId).Select(w => w.Redaction).FirstOrDefaultAsync(cancellationToken);
        }

        return detectors;
    }
}
