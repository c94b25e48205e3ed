namespace Porchlight.Server.Features.Agents;

/// <summary>The status an agent chooses for themselves.</summary>
public enum AgentAvailability
{
    Online = 0,
    Away = 1,

    /// <summary>On a break: like Away, but counted apart in schedules and adherence.</summary>
    Break = 2,
}

/// <summary>What teammates see: the chosen <see cref="AgentAvailability"/> while the agent is connected, otherwise Offline.</summary>
public enum PresenceStatus
{
    Online = 0,
    Away = 1,
    Offline = 2,
    Break = 3,
}

/// <summary>An agent's presence changed: they connected, chose another status, or closed their last connection.</summary>
public sealed record PresenceNotice(Guid AgentId, PresenceStatus Presence);
