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
