namespace Porchlight.Server.Features.Routing;

/// <summary>How a team hands its waiting conversations to its agents.</summary>
public enum AssignmentStrategy
{
    /// <summary>Nobody is assigned automatically: agents take conversations from the team's queue themselves.</summary>
    Manual = 0,

    /// <summary>In turn: the available agent who has gone longest without a conversation from this team.</summary>
    RoundRobin = 1,

    /// <summary>The available agent with the fewest active conversations relative to their cap.</summary>
    LeastLoaded = 2,
}

/// <summary>An online team member who could take a conversation of one channel, with their load in that channel.</summary>
public sealed record AssignmentCandidate(Guid AgentId, string Name, int Active, int Cap, DateTime? LastAssignedAt)
{
    public bool HasRoom => Active < Cap;
}

/// <summary>The agent a strategy chose, and on what basis ("least loaded"); the load is added where it is read under lock.</summary>
public sealed record AssignmentChoice(AssignmentCandidate Agent, string Basis);

/// <summary>
/// The strategies as pure functions of the candidates: which agent, and on what basis. Only candidates below their cap are ever chosen. Ties go to whoever has waited
/// longest for a conversation from the team, then to the lower id, so a decision can be reproduced.
/// </summary>
public static class AssignmentStrategies
{
    public static AssignmentChoice? Choose(AssignmentStrategy strategy, IEnumerable<AssignmentCandidate> candidates)
    {
        var withRoom = candidates.Where(c => c.HasRoom);
        return strategy switch
        {
            AssignmentStrategy.RoundRobin => withRoom
                .OrderBy(c => c.LastAssignedAt ?? DateTime.MinValue).ThenBy(c => c.AgentId)
                .Select(c => new AssignmentChoice(c, "round robin, next in turn"))
                .FirstOrDefault(),
            AssignmentStrategy.LeastLoaded => withRoom
                .OrderBy(c => (double)c.Active / c.Cap).ThenBy(c => c.LastAssignedAt ?? DateTime.MinValue).ThenBy(c => c.AgentId)
                .Select(c => new AssignmentChoice(c, "least loaded"))
                .FirstOrDefault(),
            _ => null,
        };
    }
}
