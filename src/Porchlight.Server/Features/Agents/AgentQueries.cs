using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Agents;

public static class AgentQueries
{
    /// <summary>Emails are unique across the installation: one address signs in to exactly one workspace.</summary>
    public static Task<bool> IsEmailTakenAsync(this AppDbContext db, string email, CancellationToken cancellationToken)
    {
        var normalized = email.Trim().ToUpperInvariant();
        return db.Agents.IgnoreQueryFilters().AnyAsync(a => a.NormalizedEmail == normalized, cancellationToken);
    }
}
