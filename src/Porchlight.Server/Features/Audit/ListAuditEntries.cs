using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Audit;

/// <summary>The workspace's audit trail, newest first, optionally narrowed to one action.</summary>
public sealed class ListAuditEntries(AppDbContext db)
{
    public async Task<Result<Page<AuditEntryResponse>>> HandleAsync(PageRequest page, string? action, CancellationToken cancellationToken)
    {
        var query = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(action))
        {
            query = query.Where(e => e.Action == action);
        }

        return await query.ToPageAsync(page, e => e.Id, AuditEntryResponse.From, cancellationToken, newestFirst: true);
    }
}
