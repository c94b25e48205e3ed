using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

/// <summary>
/// An agent as the API and the settings pages show it. <see cref="Availability"/> is the status they chose;
/// <see cref="Presence"/> is what teammates see now (Offline while they have no Inbox or hub connection open).
/// <see cref="TwoFactorEnabled"/>: whether they sign in with an authenticator code after their password.
/// </summary>
/// <summary>
/// An agent. <c>customRole</c> is the workspace-built role they hold, if any; <c>permissions</c> is what they may do,
/// from that role or else from <c>role</c>.
/// </summary>
public sealed record AgentResponse(
    Guid Id, string Email, string DisplayName, AgentRole Role, bool IsActive, DateTime CreatedAt,
    AgentAvailability Availability, PresenceStatus Presence, CustomRoleReference? CustomRole, IReadOnlyList<Permission> Permissions, bool TwoFactorEnabled)
{
    /// <param name="agent">Read with its <see cref="Agent.CustomRole"/>.</param>
    public static AgentResponse From(Agent agent, bool connected) => new(
        agent.Id, agent.Email ?? "", agent.DisplayName, agent.Role, agent.IsActive, agent.CreatedAt,
        agent.Availability, agent.PresenceWhen(connected), agent.CustomRole is { } role ? new(role.Id, role.Name) : null,
        [.. Enum.GetValues<Permission>().Where(agent.Holds)], agent.TwoFactorEnabled);
}

public sealed record CustomRoleReference(Guid Id, string Name);

/// <summary>An open or past invitation. <see cref="AcceptUrl"/> is present only in the answer that created it.</summary>
public sealed record InvitationResponse(
    Guid Id, string Email, AgentRole Role, DateTime CreatedAt, DateTime ExpiresAt, DateTime? AcceptedAt, string? AcceptUrl)
{
    public static InvitationResponse From(Invitation invitation, string? acceptUrl = null) => new(
        invitation.Id, invitation.Email, invitation.Role, invitation.CreatedAt, invitation.ExpiresAt, invitation.AcceptedAt, acceptUrl);
}
