using System.Collections.Concurrent;
using System.Security.Claims;

namespace Porchlight.Server.Features.ApiTokens;

/// <summary>
/// Remembers the claims of API tokens verified in the last few seconds, so an integration's burst of
/// requests costs one database look-up instead of one per request. Revoking a token or changing an
/// agent forgets everything on this node at once; another node notices within <see cref="Lifetime"/>.
/// </summary>
public sealed class VerifiedApiTokens(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    // Only tokens that verified are remembered, so this bounds memory against many valid tokens, not attackers.
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _generation;

    /// <summary>Taken before a look-up: a result read before a change is not remembered after it.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public Claim[]? Find(string tokenHash) =>
        _entries.TryGetValue(tokenHash, out var entry) && entry.Until > clock.GetUtcNow() ? entry.Claims : null;

    /// <param name="expiresAt">When the token expires: it is not remembered past that.</param>
    public void Remember(string tokenHash, Claim[] claims, long generation, DateTime? expiresAt)
    {
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        var until = clock.GetUtcNow() + Lifetime;
        _entries[tokenHash] = new Entry(claims, expiresAt is { } expiry && expiry < until.UtcDateTime ? new DateTimeOffset(expiry, TimeSpan.Zero) : until);
        // A change that raced this look-up wins: drop what may predate it.
        if (Generation != generation)
        {
            _entries.TryRemove(tokenHash, out _);
        }
    }

    /// <summary>A token was revoked or an agent changed (role, activity, name): verify every token again.</summary>
    public void ForgetAll()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }

    private sealed record Entry(Claim[] Claims, DateTimeOffset Until);
}
