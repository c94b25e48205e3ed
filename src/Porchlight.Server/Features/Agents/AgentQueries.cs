using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

public sealed class ListAgents(AppDbContext db)
{
    public async Task<Result<Page<AgentResponse>>> HandleAsync(PageRequest page, CancellationToken cancellationToken) =>
        await db.Agents.AsNoTracking().ToPageAsync(page, a => a.Id, AgentResponse.From, cancellationToken);
}

public sealed class GetAgent(AppDbContext db)
{
    public async Task<Result<AgentResponse>> HandleAsync(Guid agentId, CancellationToken cancellationToken) =>
        await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken) is { } agent
            ? AgentResponse.From(agent)
            : Failure.NotFound("Agent");
}

public static class AgentQueries
{
    /// <summary>Emails are unique across the installation: one address signs in to exactly one workspace.</summary>
    public static Task<bool> IsEmailTakenAsync(this AppDbContext db, string email, CancellationToken cancellationToken)
    {
        var normalized = email.Trim().ToUpperInvariant();
        return db.Agents.IgnoreQueryFilters().AnyAsync(a => a.NormalizedEmail == normalized, cancellationToken);
    }
}
