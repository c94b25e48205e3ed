using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Audit;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.SignIn;

/// <summary>Delivers a password reset link to its owner.</summary>
public interface IPasswordResetSender
{
    Task SendAsync(string email, string link, CancellationToken cancellationToken);
}

/// <summary>
/// Used while no mail server is configured: the link goes to the server log, where an operator can
/// hand it over. Installations without email still recover forgotten passwords this way.
/// </summary>
public sealed class LogPasswordResetSender(ILogger<LogPasswordResetSender> logger) : IPasswordResetSender
{
    public Task SendAsync(string email, string link, CancellationToken cancellationToken)
    {
        logger.LogWarning("No mail server is configured. Password reset link for {Email}: {ResetLink}", email, link);
        return Task.CompletedTask;
    }
}

/// <summary>Sends a reset link if the email belongs to an active agent; answers the same either way.</summary>
public sealed class ForgotPassword(AppDbContext db, UserManager<Agent> users, IPasswordResetSender sender, PublicUrls urls)
{
    public async Task HandleAsync(string email, CancellationToken cancellationToken)
    {
        var normalized = email.Trim().ToUpperInvariant();
        var agent = await db.Agents.IgnoreQueryFilters().FirstOrDefaultAsync(a => a.NormalizedEmail == normalized, cancellationToken);
        if (agent is not { IsActive: true })
        {
            return;
        }

        var token = await users.GeneratePasswordResetTokenAsync(agent);
        var link = urls.To($"reset-password?email={Uri.EscapeDataString(agent.Email!)}&token={Uri.EscapeDataString(token)}");
        await sender.SendAsync(agent.Email!, link, cancellationToken);
    }
}

public sealed class ResetPassword(AppDbContext db, UserManager<Agent> users, ActingAgent actor, RecordAuthEvent audit)
{
    public async Task<Result<Done>> HandleAsync(string email, string token, string password, string? ipAddress, CancellationToken cancellationToken)
    {
        var normalized = email.Trim().ToUpperInvariant();
        var agent = await db.Agents.IgnoreQueryFilters().FirstOrDefaultAsync(a => a.NormalizedEmail == normalized, cancellationToken);
        if (agent is not { IsActive: true })
        {
            return Failure.Invalid("token", "This reset link is not valid any more. Ask for a new one.");
        }

        actor.Enter(agent, ipAddress);
        var reset = await users.ResetPasswordAsync(agent, token, password);
        if (!reset.Succeeded)
        {
            return reset.Errors.Any(e => e.Code == "InvalidToken")
                ? Failure.Invalid("token", "This reset link is not valid any more. Ask for a new one.")
                : IdentityFailures.From(reset);
        }

        // A reset also lifts a lockout: the person proved they own the mailbox.
        await users.SetLockoutEndDateAsync(agent, null);
        await users.ResetAccessFailedCountAsync(agent);
        await audit.HandleAsync(agent, "auth.password_reset", cancellationToken);
        return default(Done);
    }
}
