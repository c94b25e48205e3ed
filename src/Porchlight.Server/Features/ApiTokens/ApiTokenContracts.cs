namespace Porchlight.Server.Features.ApiTokens;

/// <summary>A token as listed. <see cref="Token"/> holds the secret only in the answer that created it.</summary>
public sealed record ApiTokenResponse(
    Guid Id, string Name, string Hint, IReadOnlyList<string> Scopes, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? RevokedAt, DateTime? ExpiresAt,
    string? Token)
{
    public static ApiTokenResponse From(ApiToken token, string? secret = null) =>
        new(token.Id, token.Name, token.Hint, TokenScopeNames.Format(token.Scopes), token.CreatedAt, token.LastUsedAt, token.RevokedAt, token.ExpiresAt, secret);
}

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
