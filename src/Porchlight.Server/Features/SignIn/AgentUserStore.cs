using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;

namespace Porchlight.Server.Features.SignIn;

/// <summary>
/// Identity's store for agents, with its two-factor secrets kept safe at rest. Identity writes both to the AgentTokens
/// table as plain text: here the authenticator key is encrypted with Data Protection (whose keys are in the database
/// too, but a copy of the tokens table or a backup of it alone reveals nothing), and recovery codes are kept as SHA-256
/// hashes, like API tokens: they are random, so a hash is as good as the code to check one and useless to anyone who
/// reads it.
/// </summary>
public sealed class AgentUserStore(AppDbContext context, IDataProtectionProvider dataProtection, IdentityErrorDescriber? describer = null)
    : UserOnlyStore<Agent, AppDbContext, Guid>(context, describer)
{
    public const string TokenProvider = "[AspNetUserStore]";
    public const string AuthenticatorKeyName = "AuthenticatorKey";
    public const string RecoveryCodesName = "RecoveryCodes";

    /// <summary>Marks a protected key, so the value stored can never be mistaken for a key.</summary>
    private const string ProtectedPrefix = "dp:";
    private const string HashPrefix = "sha256:";

    private readonly IDataProtector _protector = dataProtection.CreateProtector("Porchlight.Agents.AuthenticatorKey");

    public override Task SetAuthenticatorKeyAsync(Agent user, string key, CancellationToken cancellationToken) =>
        SetTokenAsync(user, TokenProvider, AuthenticatorKeyName, ProtectedPrefix + _protector.Protect(key), cancellationToken);

    public override async Task<string?> GetAuthenticatorKeyAsync(Agent user, CancellationToken cancellationToken)
    {
        var stored = await GetTokenAsync(user, TokenProvider, AuthenticatorKeyName, cancellationToken);
        if (stored is null || !stored.StartsWith(ProtectedPrefix, StringComparison.Ordinal))
        {
            // Nothing, or a plain key from before (none was ever made without protection): no usable key.
            return null;
        }

        try
        {
            return _protector.Unprotect(stored[ProtectedPrefix.Length..]);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>Removes the key and the recovery codes (two-factor sign-in switched off).</summary>
    public async Task ForgetTwoFactorSecretsAsync(Agent user, CancellationToken cancellationToken)
    {
        await RemoveTokenAsync(user, TokenProvider, AuthenticatorKeyName, cancellationToken);
        await RemoveTokenAsync(user, TokenProvider, RecoveryCodesName, cancellationToken);
    }

    public override Task ReplaceCodesAsync(Agent user, IEnumerable<string> recoveryCodes, CancellationToken cancellationToken) =>
        SetTokenAsync(user, TokenProvider, RecoveryCodesName, string.Join(';', recoveryCodes.Select(code => HashOf(user, code))), cancellationToken);

    public override async Task<bool> RedeemCodeAsync(Agent user, string code, CancellationToken cancellationToken)
    {
        var hashes = await StoredHashesAsync(user, cancellationToken);
        var hash = HashOf(user, code);
        if (!hashes.Contains(hash, StringComparer.Ordinal))
        {
            return false;
        }

        // A code works once: the rest are kept, this one goes (the caller saves the agent with its concurrency stamp,
        // so two redemptions at once cannot both succeed).
        await SetTokenAsync(user, TokenProvider, RecoveryCodesName, string.Join(';', hashes.Where(h => h != hash)), cancellationToken);
        return true;
    }

    public override async Task<int> CountCodesAsync(Agent user, CancellationToken cancellationToken) =>
        (await StoredHashesAsync(user, cancellationToken)).Length;

    private async Task<string[]> StoredHashesAsync(Agent user, CancellationToken cancellationToken)
    {
        var stored = await GetTokenAsync(user, TokenProvider, RecoveryCodesName, cancellationToken);
        // Anything not a hash (plain codes Identity would have written) is not honoured.
        return stored is null ? [] : [.. stored.Split(';', StringSplitOptions.RemoveEmptyEntries).Where(h => h.StartsWith(HashPrefix, StringComparison.Ordinal))];
    }

    /// <summary>The hash of a code as typed: case, spaces and dashes do not matter; the agent's id salts it.</summary>
    internal static string HashOf(Agent user, string code)
    {
        var normalized = new string([.. code.Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant)]);
        return HashPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{user.Id:N}:{normalized}")));
    }
}
