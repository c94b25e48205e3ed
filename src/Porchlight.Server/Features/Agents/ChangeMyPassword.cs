using Microsoft.AspNetCore.Identity;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

public sealed class ChangeMyPassword(UserManager<Agent> users, ActingAgent actor)
{
    public async Task<Result<Done>> HandleAsync(ChangePasswordRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrEmpty(request.CurrentPassword))
        {
            errors.Add("currentPassword", "Required.");
        }

        if (string.IsNullOrEmpty(request.NewPassword))
        {
            errors.Add("newPassword", "Required.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var agent = await users.FindByIdAsync(actor.AgentId.ToString());
        if (agent is null)
        {
            return Failure.NotFound("Agent");
        }

        var changed = await users.ChangePasswordAsync(agent, request.CurrentPassword!, request.NewPassword!);
        if (!changed.Succeeded)
        {
            return changed.Errors.Any(e => e.Code == "PasswordMismatch")
                ? Failure.Invalid("currentPassword", "The current password is not correct.")
                : new Failure(FailureKind.Invalid, "One or more fields are invalid.",
                    new Dictionary<string, string[]> { ["newPassword"] = [.. changed.Errors.Select(e => e.Description)] });
        }

        return default(Done);
    }
}
