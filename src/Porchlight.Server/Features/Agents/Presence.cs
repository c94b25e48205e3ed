namespace Porchlight.Server.Features.Agents;

/// <summary>The status an agent chooses for themselves.</summary>
public enum AgentAvailability
{
    Online = 0,
    Away = 1,
}

/// <summary>What teammates see: the chosen <see cref="AgentAvailability"/> while the agent is connected, otherwise Offline.</summary>
public enum PresenceStatus
{
    Online = 0,
    Away = 1,
    Offline = 2,
}

/// <summary>An agent's presence changed: they connected, chose another status, or closed their last connection.</summary>
public sealed record PresenceNotice(Guid AgentId, PresenceStatus Presence);
