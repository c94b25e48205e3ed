using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.ApiTokens;

/// <summary>A token as listed. <see cref="Token"/> holds the secret only in the answer that created it.</summary>
public sealed record ApiTokenResponse(
    Guid Id, string Name, string Hint, IReadOnlyList<string> Scopes, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? RevokedAt, string? Token)
{
    public static ApiTokenResponse From(ApiToken token, string? secret = null) =>
        new(token.Id, token.Name, token.Hint, TokenScopeNames.Format(token.Scopes), token.CreatedAt, token.LastUsedAt, token.RevokedAt, secret);
}

public sealed record CreateApiTokenRequest(string? Name, IReadOnlyList<string>? Scopes);

public static class TokenScopeNames
{
    public static IReadOnlyList<string> Format(TokenScopes scopes) =>
        [.. new[] { TokenScopes.Read, TokenScopes.Write, TokenScopes.Admin }.Where(s => scopes.HasFlag(s)).Select(s => s.ToString().ToLowerInvariant())];

    public static bool TryParse(IEnumerable<string> names, out TokenScopes scopes)
    {
        scopes = TokenScopes.None;
        foreach (var name in names)
        {
            if (name is not ("read" or "write" or "admin"))
            {
                return false;
            }

            scopes |= Enum.Parse<TokenScopes>(name, ignoreCase: true);
        }

        return scopes != TokenScopes.None;
    }
}

/// <summary>The acting agent's own tokens in creation order, revoked ones included.</summary>
public sealed class ListMyApiTokens(AppDbContext db, ActingAgent actor)
{
    public async Task<Result<Page<ApiTokenResponse>>> HandleAsync(PageRequest page, CancellationToken cancellationToken) =>
        await db.ApiTokens.AsNoTracking()
            .Where(t => t.AgentId == actor.AgentId)
            .ToPageAsync(page, t => t.Id, t => ApiTokenResponse.From(t), cancellationToken);
}

/// <summary>Creates a personal API token for the acting agent. The secret is returned once and never stored.</summary>
public sealed class CreateApiToken(AppDbContext db, ActingAgent actor, TimeProvider clock)
{
    public async Task<Result<ApiTokenResponse>> HandleAsync(CreateApiTokenRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().Required("name", request.Name, ApiToken.MaxNameLength);
        if (request.Scopes is null || !TokenScopeNames.TryParse(request.Scopes, out _))
        {
            errors.Add("scopes", "One or more of read, write, admin.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        _ = TokenScopeNames.TryParse(request.Scopes!, out var scopes);
        // A token never holds more than the session that made it.
        if ((scopes & ~actor.Scopes) != TokenScopes.None)
        {
            return Failure.Forbidden("A token cannot have scopes its creator does not have.");
        }

        var agent = await db.Agents.SingleAsync(a => a.Id == actor.AgentId, cancellationToken);
        var secret = SecretToken.Create("plt");
        var token = ApiToken.Create(agent, request.Name!, scopes, secret, SecretToken.Hash(secret), clock.GetUtcNow().UtcDateTime);
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(cancellationToken);
        return ApiTokenResponse.From(token, secret);
    }
}

public sealed class RevokeApiToken(AppDbContext db, ActingAgent actor, TimeProvider clock)
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
        return ApiTokenResponse.From(token);
    }
}
