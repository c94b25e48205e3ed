using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.SignIn;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

/// <param name="RecoveryCodesLeft">Recovery codes not used yet.</param>
/// <param name="RequiredByWorkspace">The workspace requires a second factor: it cannot be switched off.</param>
public sealed record TwoFactorStatus(bool Enabled, int RecoveryCodesLeft, bool RequiredByWorkspace);

/// <summary>The caller's own two-factor sign-in, from the profile page: set up, switch off, new recovery codes.</summary>
public sealed class MyTwoFactor(AppDbContext db, UserManager<Agent> users, AgentTwoFactor twoFactor, ActingAgent actor)
{
    public async Task<Result<TwoFactorStatus>> StatusAsync(CancellationToken cancellationToken)
    {
        var agent = await MeAsync(cancellationToken);
        return new TwoFactorStatus(
            agent.TwoFactorEnabled, agent.TwoFactorEnabled ? await twoFactor.RecoveryCodesLeftAsync(agent, cancellationToken) : 0,
            await RequiredAsync(cancellationToken));
    }

    /// <summary>A new key to add to an authenticator app; two-factor sign-in is on once a code from it is confirmed.</summary>
    public async Task<Result<AuthenticatorSetup>> BeginSetupAsync(CancellationToken cancellationToken)
    {
        var setup = await twoFactor.KeyForSetupAsync(await MeAsync(cancellationToken), fresh: true, cancellationToken);
        return setup is null ? Failure.Conflict("Two-factor sign-in is already on.") : (Result<AuthenticatorSetup>)setup;
    }

    /// <returns>The recovery codes, to show once.</returns>
    public async Task<Result<string[]>> ConfirmSetupAsync(string? code, CancellationToken cancellationToken)
    {
        var agent = await MeAsync(cancellationToken);
        if (agent.TwoFactorEnabled)
        {
            return Failure.Conflict("Two-factor sign-in is already on.");
        }

        var codes = await twoFactor.ConfirmAsync(agent, code ?? "", cancellationToken);
        return codes is null
            ? Failure.Invalid("code", "That is not the code your app shows now. Check the key was entered right and try the next code.")
            : (Result<string[]>)codes;
    }

    /// <summary>Switches two-factor sign-in off, with a current code from the app or the password as proof.</summary>
    public async Task<Result<Done>> DisableAsync(string? code, string? password, CancellationToken cancellationToken)
    {
        var agent = await MeAsync(cancellationToken);
        if (!agent.TwoFactorEnabled)
        {
            return default(Done);
        }

        if (await RequiredAsync(cancellationToken))
        {
            return Failure.Conflict("Your workspace requires two-factor sign-in, so it stays on.");
        }

        var proven = !string.IsNullOrWhiteSpace(code) ? await twoFactor.IsCurrentCodeAsync(agent, code)
            : !string.IsNullOrEmpty(password) && await users.CheckPasswordAsync(agent, password);
        if (!proven)
        {
            // A session someone else took over must not be a place to guess the password from.
            await users.AccessFailedAsync(agent);
            return string.IsNullOrWhiteSpace(code) && string.IsNullOrEmpty(password)
                ? Failure.Invalid("code", "Enter a code from your app, or your password.")
                : !string.IsNullOrWhiteSpace(code)
                    ? Failure.Invalid("code", "That is not the code your app shows now.")
                    : Failure.Invalid("password", "The password is not correct.");
        }

        await twoFactor.DisableAsync(agent, cancellationToken);
        return default(Done);
    }

    public async Task<Result<string[]>> RegenerateRecoveryCodesAsync(CancellationToken cancellationToken)
    {
        var agent = await MeAsync(cancellationToken);
        return agent.TwoFactorEnabled
            ? (Result<string[]>)await twoFactor.RegenerateRecoveryCodesAsync(agent, cancellationToken)
            : Failure.Conflict("Two-factor sign-in is off: there are no recovery codes to replace.");
    }

    private async Task<Agent> MeAsync(CancellationToken cancellationToken) =>
        await users.FindByIdAsync(actor.AgentId.ToString()) ?? throw new InvalidOperationException("The signed-in agent does not exist.");

    private Task<bool> RequiredAsync(CancellationToken cancellationToken) =>
        db.Workspaces.Where(w => w.Id == actor.WorkspaceId).Select(w => w.RequireTwoFactor).FirstOrDefaultAsync(cancellationToken);
}
