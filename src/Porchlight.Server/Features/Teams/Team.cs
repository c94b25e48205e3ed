using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Audit;

namespace Porchlight.Server.Features.Teams;

/// <summary>A group of agents that conversations can be routed to (e.g. "Billing").</summary>
public sealed class Team : Entity, IWorkspaceOwned, IAudited
{
    public const int MaxNameLength = 60;
    public const int MaxDescriptionLength = 500;

    private readonly List<TeamMember> _members = [];

    private Team()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public string Name { get; private set; } = "";

    public string Description { get; private set; } = "";

    public DateTime CreatedAt { get; private set; }

    /// <summary>How waiting conversations are handed to the team's agents (see Routing/AssignmentStrategies).</summary>
    public Routing.AssignmentStrategy Strategy { get; private set; } = Routing.AssignmentStrategy.LeastLoaded;

    /// <summary>A returning contact goes first to the agent of their latest conversation, when that agent is online with room.</summary>
    public bool PreferPreviousAgent { get; private set; }

    public IReadOnlyList<TeamMember> Members => _members;

    public static Team Create(Guid workspaceId, string name, string description, Routing.AssignmentStrategy strategy, DateTime now) =>
        new() { WorkspaceId = workspaceId, Name = name.Trim(), Description = description.Trim(), Strategy = strategy, CreatedAt = now };

    public void Change(string name, string description, Routing.AssignmentStrategy strategy, bool preferPreviousAgent)
    {
        Name = name.Trim();
        Description = description.Trim();
        Strategy = strategy;
        PreferPreviousAgent = preferPreviousAgent;
    }

    /// <returns>false when the agent already is a member.</returns>
    public bool AddMember(Agent agent)
    {
        if (_members.Any(m => m.AgentId == agent.Id))
        {
            return false;
        }

        _members.Add(new TeamMember(WorkspaceId, Id, agent.Id));
        Raise(new TeamMemberAdded(WorkspaceId, Id, agent.Id));
        return true;
    }

    /// <returns>false when the agent was not a member.</returns>
    public bool RemoveMember(Guid agentId)
    {
        var member = _members.FirstOrDefault(m => m.AgentId == agentId);
        if (member is null)
        {
            return false;
        }

        _members.Remove(member);
        Raise(new TeamMemberRemoved(WorkspaceId, Id, agentId));
        return true;
    }
}

/// <remarks>
/// Not <see cref="IAudited"/>: its key is two ids, longer than an audit entry's entity id column, so
/// <see cref="ChangeTeamMembership"/> records membership changes against the team instead.
/// </remarks>
public sealed class TeamMember(Guid workspaceId, Guid teamId, Guid agentId) : IWorkspaceOwned
{
    public Guid WorkspaceId { get; private set; } = workspaceId;

    public Guid TeamId { get; private set; } = teamId;

    public Guid AgentId { get; private set; } = agentId;

    /// <summary>When the team last handed this member a conversation: round-robin goes to whoever waited longest.</summary>
    public DateTime? LastAssignedAt { get; private set; }
}

public sealed record TeamMemberAdded(Guid WorkspaceId, Guid TeamId, Guid AgentId) : IDomainEvent;

public sealed record TeamMemberRemoved(Guid WorkspaceId, Guid TeamId, Guid AgentId) : IDomainEvent;

internal sealed class TeamConfiguration : IEntityTypeConfiguration<Team>, IEntityTypeConfiguration<TeamMember>
{
    public void Configure(EntityTypeBuilder<Team> builder)
    {
        builder.Property(t => t.Name).HasMaxLength(Team.MaxNameLength);
        builder.Property(t => t.Description).HasMaxLength(Team.MaxDescriptionLength);
        builder.Property(t => t.Strategy).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(t => new { t.WorkspaceId, t.Name }).IsUnique();
        builder.HasMany(t => t.Members).WithOne().HasForeignKey(m => m.TeamId).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(t => t.Members).AutoInclude();
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(t => t.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<TeamMember> builder)
    {
        builder.HasKey(m => new { m.TeamId, m.AgentId });
        builder.HasIndex(m => m.AgentId);
        builder.HasOne<Agent>().WithMany().HasForeignKey(m => m.AgentId).OnDelete(DeleteBehavior.Cascade);
    }
}
