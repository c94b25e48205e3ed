using Porchlight.Server.Features.Email;

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

/// <summary>Used when <c>Email:Smtp:Host</c> is set: the link goes to the agent's mailbox.</summary>
public sealed class EmailPasswordResetSender(SmtpMailer mailer) : IPasswordResetSender
{
    public Task SendAsync(string email, string link, CancellationToken cancellationToken) => mailer.SendAsync(
        email,
        "Reset your Porchlight password",
        $"""
        Someone asked to reset the password of your Porchlight account.
        To choose a new password, open this link (it works once):

        {link}

        If it was not you, ignore this email; your password stays as it is.
        """,
        cancellationToken);
}
