using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.ApiTokens;

/// <summary>The acting agent's own tokens in creation order, revoked ones included.</summary>
public sealed class ListMyApiTokens(AppDbContext db, ActingAgent actor)
{
    public async Task<Result<Page<ApiTokenResponse>>> HandleAsync(PageRequest page, CancellationToken cancellationToken) =>
        await db.ApiTokens.AsNoTracking()
            .Where(t => t.AgentId == actor.AgentId)
            .ToPageAsync(page, t => t.Id, t => ApiTokenResponse.From(t), cancellationToken);
}
