using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.ApiTokens;

/// <param name="ExpiresInDays">1 to <see cref="CreateApiToken.MaxLifetimeDays"/>; left out, the token works until revoked.</param>
public sealed record CreateApiTokenRequest(string? Name, IReadOnlyList<string>? Scopes, int? ExpiresInDays = null);

/// <summary>Creates a personal API token for the acting agent. The secret is returned once and never stored.</summary>
public sealed class CreateApiToken(AppDbContext db, ActingAgent actor, TimeProvider clock)
{
    public const int MaxLifetimeDays = 3650;

    public async Task<Result<ApiTokenResponse>> HandleAsync(CreateApiTokenRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().Required("name", request.Name, ApiToken.MaxNameLength);
        if (request.Scopes is null || !TokenScopeNames.TryParse(request.Scopes, out _))
        {
            errors.Add("scopes", "One or more of read, write, admin.");
        }

        if (request.ExpiresInDays is < 1 or > MaxLifetimeDays)
        {
            errors.Add("expiresInDays", $"From 1 to {MaxLifetimeDays} days, or left out for a token that works until it is revoked.");
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
        var now = clock.GetUtcNow().UtcDateTime;
        var token = ApiToken.Create(agent, request.Name!, scopes, secret, SecretToken.Hash(secret), now,
            request.ExpiresInDays is { } days ? now.AddDays(days) : null);
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(cancellationToken);
        return ApiTokenResponse.From(token, secret);
    }
}
