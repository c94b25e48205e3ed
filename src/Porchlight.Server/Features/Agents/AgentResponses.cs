namespace Porchlight.Server.Features.Agents;

/// <summary>An agent as the API and the settings pages show it.</summary>
public sealed record AgentResponse(Guid Id, string Email, string DisplayName, AgentRole Role, bool IsActive, DateTime CreatedAt)
{
    public static AgentResponse From(Agent agent) =>
        new(agent.Id, agent.Email ?? "", agent.DisplayName, agent.Role, agent.IsActive, agent.CreatedAt);
}

/// <summary>An open or past invitation. <see cref="AcceptUrl"/> is present only in the answer that created it.</summary>
public sealed record InvitationResponse(
    Guid Id, string Email, AgentRole Role, DateTime CreatedAt, DateTime ExpiresAt, DateTime? AcceptedAt, string? AcceptUrl)
{
    public static InvitationResponse From(Invitation invitation, string? acceptUrl = null) => new(
        invitation.Id, invitation.Email, invitation.Role, invitation.CreatedAt, invitation.ExpiresAt, invitation.AcceptedAt, acceptUrl);
}
