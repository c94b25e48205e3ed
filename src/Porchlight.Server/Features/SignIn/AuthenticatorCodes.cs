using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
// Identity has an internal Base32 of its own.
using Base32 = Porchlight.Server.Hosting.Base32;

namespace Porchlight.Server.Features.SignIn;

/// <summary>
/// Checks the six-digit codes of an agent's authenticator app (RFC 6238: HMAC-SHA1, 30-second steps), in place of
/// Identity's own provider: it reads the time from <see cref="TimeProvider"/>, accepts one step either side for a clock
/// that is a little off, and takes each step once: the step of an accepted code is written with a conditional update,
/// so the same code is refused afterwards, by this node or any other, even when two arrive at once.
/// </summary>
public sealed class AuthenticatorCodes(AppDbContext db, TimeProvider clock) : IUserTwoFactorTokenProvider<Agent>
{
    public const string ProviderName = "PorchlightAuthenticator";

    public Task<string> GenerateAsync(string purpose, UserManager<Agent> manager, Agent user) => Task.FromResult(string.Empty);

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<Agent> manager, Agent user)
    {
        var key = await manager.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key) || Base32.Decode(key) is not { Length: > 0 } secret)
        {
            return false;
        }

        var code = new string([.. token.Where(c => !char.IsWhiteSpace(c) && c != '-')]);
        if (Totp.MatchingStep(secret, code, clock.GetUtcNow()) is not { } step)
        {
            return false;
        }

        var claimed = await db.Agents.IgnoreQueryFilters()
            .Where(a => a.Id == user.Id && (a.LastAuthenticatorStep == null || a.LastAuthenticatorStep < step))
            .ExecuteUpdateAsync(a => a.SetProperty(x => x.LastAuthenticatorStep, step));
        if (claimed == 0)
        {
            return false;
        }

        // The loaded agent follows, so that a later save of it (Identity writes every column) keeps the step.
        user.AuthenticatorStepUsed(step);
        return true;
    }

    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<Agent> manager, Agent user) =>
        !string.IsNullOrEmpty(await manager.GetAuthenticatorKeyAsync(user));
}
