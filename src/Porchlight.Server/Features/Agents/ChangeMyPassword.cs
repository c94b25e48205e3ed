using Microsoft.AspNetCore.Identity;
using Porchlight.Server.Features.Audit;
using Porchlight.Server.Features.SignIn;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

/// <summary>
/// Changes the caller's password. Every other session of theirs ends (the one they changed it in goes on; called with an
/// API token, every session ends), and so do password reset links sent before.
/// </summary>
public sealed class ChangeMyPassword(UserManager<Agent> users, ActingAgent actor, AgentSessions sessions, RecordAuthEvent audit)
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

        // The change gave the agent a new security stamp, which ends every session made under the old one: the
        // session it was made in follows the new stamp, the others' rows go.
        if (actor.SessionId is { } current)
        {
            await sessions.CarryOverAsync(agent, current, cancellationToken);
        }

        var ended = await sessions.EndAllAsync(agent.Id, actor.SessionId, cancellationToken);
        await audit.HandleAsync(agent, "auth.password_changed", cancellationToken,
            new Dictionary<string, AuditChange> { ["otherSessionsEnded"] = new(null, ended) });
        return default(Done);
    }
}
