using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Agents;

/// <summary>
/// Look-ups by email. Emails are unique across the installation (one address signs in to exactly one
/// workspace), so these search every workspace; callers are the anonymous account flows, the command
/// line, and uniqueness checks.
/// </summary>
public static class AgentQueries
{
    public static Task<bool> IsEmailTakenAsync(this AppDbContext db, string email, CancellationToken cancellationToken) =>
        db.AgentsWithEmail(email).AnyAsync(cancellationToken);

    public static Task<Agent?> FindAgentByEmailAsync(this AppDbContext db, string email, CancellationToken cancellationToken) =>
        db.AgentsWithEmail(email).FirstOrDefaultAsync(cancellationToken);

    private static IQueryable<Agent> AgentsWithEmail(this AppDbContext db, string email)
    {
        var normalized = email.Trim().ToUpperInvariant();
        return db.Agents.IgnoreQueryFilters().Where(a => a.NormalizedEmail == normalized);
    }
}
