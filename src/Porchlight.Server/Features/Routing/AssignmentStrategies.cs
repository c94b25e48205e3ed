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

    /// <summary>
    /// The available agent best skilled for what the conversation needs (its labels that are skills): most of the
    /// needed skills, then the highest levels in them, then the least loaded.
    /// </summary>
    Skills = 3,
}

/// <summary>An online team member who could take a conversation of one channel, with their load in that channel.</summary>
public sealed record AssignmentCandidate(Guid AgentId, string Name, int Active, int Cap, DateTime? LastAssignedAt, IReadOnlyDictionary<string, int>? Skills = null)
{
    public bool HasRoom => Active < Cap;

    public int LevelIn(string skill) => Skills?.GetValueOrDefault(skill) ?? 0;
}

/// <summary>The agent a strategy chose, and on what basis ("least loaded"); the load is added where it is read under lock.</summary>
public sealed record AssignmentChoice(AssignmentCandidate Agent, string Basis);

/// <summary>
/// The strategies as pure functions of the candidates: which agent, and on what basis. Only candidates below their cap are ever chosen. Ties go to whoever has waited
/// longest for a conversation from the team, then to the lower id, so a decision can be reproduced.
/// </summary>
public static class AssignmentStrategies
{
    /// <param name="needs">The conversation's labels: those that are skills are what the Skills strategy looks for.</param>
    public static AssignmentChoice? Choose(AssignmentStrategy strategy, IEnumerable<AssignmentCandidate> candidates, IReadOnlyCollection<string>? needs = null)
    {
        var withRoom = candidates.Where(c => c.HasRoom);
        return strategy switch
        {
            AssignmentStrategy.Skills => BestSkilled([.. withRoom], needs ?? []),
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

    /// <summary>The previous agent of the contact when they are among the candidates with room: a customer who comes back talks to the same person.</summary>
    public static AssignmentChoice? Previous(IEnumerable<AssignmentCandidate> candidates, Guid? previousAgentId) =>
        previousAgentId is { } id && candidates.FirstOrDefault(c => c.AgentId == id && c.HasRoom) is { } agent
            ? new AssignmentChoice(agent, "the contact's previous agent")
            : null;

    private static AssignmentChoice? BestSkilled(List<AssignmentCandidate> withRoom, IReadOnlyCollection<string> needs)
    {
        // Only labels someone in the team has as a skill are needs; other labels say nothing about who fits.
        var needed = needs.Where(skill => withRoom.Any(c => c.LevelIn(skill) > 0)).Order(StringComparer.Ordinal).ToList();
        var best = withRoom
            .OrderByDescending(c => needed.Count(skill => c.LevelIn(skill) > 0))
            .ThenByDescending(c => needed.Sum(c.LevelIn))
            .ThenBy(c => (double)c.Active / c.Cap).ThenBy(c => c.LastAssignedAt ?? DateTime.MinValue).ThenBy(c => c.AgentId)
            .FirstOrDefault();
        if (best is null)
        {
            return null;
        }

        var held = needed.Where(skill => best.LevelIn(skill) > 0).Select(skill => $"{skill} (level {best.LevelIn(skill)})").ToList();
        var missing = needed.Where(skill => best.LevelIn(skill) == 0).ToList();
        return new AssignmentChoice(best, (held.Count, missing.Count) switch
        {
            (0, 0) => "least loaded, no skill needed",
            (_, 0) => $"best skilled: {string.Join(", ", held)}",
            _ => $"best skilled available: {string.Join(", ", held.DefaultIfEmpty("none"))}, without {string.Join(", ", missing)}",
        });
    }
}
