using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.ApiTokens;

public sealed class RevokeApiToken(AppDbContext db, ActingAgent actor, VerifiedApiTokens verified, TimeProvider clock)
{
    public async Task<Result<ApiTokenResponse>> HandleAsync(Guid tokenId, CancellationToken cancellationToken)
    {
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.Id == tokenId && t.AgentId == actor.AgentId, cancellationToken);
        if (token is null)
        {
            return Failure.NotFound("API token");
        }

        token.Revoke(clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        verified.ForgetAll();
        return ApiTokenResponse.From(token);
    }
}
