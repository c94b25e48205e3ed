using Microsoft.AspNetCore.Identity;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Audit;

namespace Porchlight.Server.Features.SignIn;

/// <summary>A new authenticator key, as the agent types or scans it.</summary>
/// <param name="Key">Base32, in groups of four.</param>
/// <param name="Uri">The otpauth:// address an authenticator app reads from a QR code or a link.</param>
public sealed record AuthenticatorSetup(string Key, string Uri);

/// <summary>
/// An agent's second factor: the authenticator key (kept encrypted, see <see cref="AgentUserStore"/>), switching it on
/// once a code from the app proves the app has the key, switching it off, and the ten one-time recovery codes (kept
/// hashed). Used from the profile page and from the set-up step of a sign-in the workspace requires it for. None of
/// this changes the agent's security stamp (Identity's own methods would, and end every session, the current one
/// included); each change is recorded in the audit trail.
/// </summary>
public sealed class AgentTwoFactor(UserManager<Agent> users, AgentUserStore store, RecordAuthEvent audit)
{
    public const int RecoveryCodeCount = 10;
    public const string Issuer = "Porchlight";

    /// <summary>The key to set up with. A new one when <paramref name="fresh"/> or when there is none yet.</summary>
    /// <returns>null when two-factor sign-in is already on (its key is never shown again).</returns>
    public async Task<AuthenticatorSetup?> KeyForSetupAsync(Agent agent, bool fresh, CancellationToken cancellationToken)
    {
        if (agent.TwoFactorEnabled)
        {
            return null;
        }

        var key = fresh ? null : await store.GetAuthenticatorKeyAsync(agent, cancellationToken);
        if (key is null)
        {
            key = users.GenerateNewAuthenticatorKey();
            await store.SetAuthenticatorKeyAsync(agent, key, cancellationToken);
            ThrowOnFailure(await users.UpdateAsync(agent));
        }

        return new AuthenticatorSetup(Totp.Readable(key), Totp.Uri(Issuer, agent.Email ?? agent.UserName ?? "", key));
    }

    /// <summary>Switches two-factor sign-in on when <paramref name="code"/> is the app's current code.</summary>
    /// <returns>The recovery codes, to be shown once; null when the code is not right (or there is no key to set up).</returns>
    public async Task<string[]?> ConfirmAsync(Agent agent, string code, CancellationToken cancellationToken)
    {
        if (agent.TwoFactorEnabled || !await IsCurrentCodeAsync(agent, code))
        {
            return null;
        }

        await store.SetTwoFactorEnabledAsync(agent, true, cancellationToken);
        var codes = await NewRecoveryCodesAsync(agent);
        await audit.HandleAsync(agent, "auth.two_factor_enabled", cancellationToken);
        return codes;
    }

    public async Task DisableAsync(Agent agent, CancellationToken cancellationToken)
    {
        await store.SetTwoFactorEnabledAsync(agent, false, cancellationToken);
        await store.ForgetTwoFactorSecretsAsync(agent, cancellationToken);
        ThrowOnFailure(await users.UpdateAsync(agent));
        await audit.HandleAsync(agent, "auth.two_factor_disabled", cancellationToken);
    }

    /// <summary>
    /// An administrator switches the agent's second factor off (lost phone, lost codes): key and codes go, and so do the
    /// agent's sessions (a new security stamp), since whoever has the phone may be signed in.
    /// </summary>
    public async Task ResetAsync(Agent agent, CancellationToken cancellationToken)
    {
        await store.SetTwoFactorEnabledAsync(agent, false, cancellationToken);
        await store.ForgetTwoFactorSecretsAsync(agent, cancellationToken);
        ThrowOnFailure(await users.UpdateSecurityStampAsync(agent));
        await audit.HandleAsync(agent, "auth.two_factor_reset", cancellationToken);
    }

    /// <summary>Ten new codes; the old ones stop working.</summary>
    public async Task<string[]> RegenerateRecoveryCodesAsync(Agent agent, CancellationToken cancellationToken)
    {
        var codes = await NewRecoveryCodesAsync(agent);
        await audit.HandleAsync(agent, "auth.recovery_codes_regenerated", cancellationToken);
        return codes;
    }

    public Task<int> RecoveryCodesLeftAsync(Agent agent, CancellationToken cancellationToken) => store.CountCodesAsync(agent, cancellationToken);

    /// <summary>Whether <paramref name="code"/> is the current code of the agent's app (each code is taken once).</summary>
    public Task<bool> IsCurrentCodeAsync(Agent agent, string? code) =>
        string.IsNullOrWhiteSpace(code) ? Task.FromResult(false) : users.VerifyTwoFactorTokenAsync(agent, AuthenticatorCodes.ProviderName, code);

    /// <summary>Takes one recovery code: true once per code.</summary>
    public async Task<bool> RedeemRecoveryCodeAsync(Agent agent, string? code) =>
        !string.IsNullOrWhiteSpace(code) && (await users.RedeemTwoFactorRecoveryCodeAsync(agent, code.Trim())).Succeeded;

    private async Task<string[]> NewRecoveryCodesAsync(Agent agent)
    {
        // Identity makes random codes (xxxxx-xxxxx), hands them to the store, which keeps only their hashes, and saves.
        var codes = await users.GenerateNewTwoFactorRecoveryCodesAsync(agent, RecoveryCodeCount)
            ?? throw new InvalidOperationException("The agent's recovery codes could not be saved.");
        return [.. codes];
    }

    private static void ThrowOnFailure(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }
}
