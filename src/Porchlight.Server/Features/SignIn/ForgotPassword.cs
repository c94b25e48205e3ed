using Microsoft.AspNetCore.Identity;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.SignIn;

/// <summary>Sends a reset link if the email belongs to an active agent; answers the same either way.</summary>
public sealed class ForgotPassword(AppDbContext db, UserManager<Agent> users, IPasswordResetSender sender, PublicUrls urls)
{
    public async Task HandleAsync(string email, CancellationToken cancellationToken)
    {
        var agent = await db.FindAgentByEmailAsync(email, cancellationToken);
        if (agent is not { IsActive: true })
        {
            return;
        }

        var token = await users.GeneratePasswordResetTokenAsync(agent);
        var link = urls.To($"reset-password?email={Uri.EscapeDataString(agent.Email!)}&token={Uri.EscapeDataString(token)}");
        await sender.SendAsync(agent.Email!, link, cancellationToken);
    }
}
