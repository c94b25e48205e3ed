using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

public enum AgentRole
{
    Agent = 0,
    Supervisor = 1,
    Admin = 2,
    Owner = 3,
}

/// <summary>A person who answers customers. Signs in with ASP.NET Core Identity; belongs to one workspace.</summary>
public sealed class Agent : IdentityUser<Guid>, IWorkspaceOwned, IHasDomainEvents, IAudited
{
    public const int MaxNameLength = 100;
    private readonly List<IDomainEvent> _domainEvents = [];

    private Agent()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public string DisplayName { get; private set; } = "";

    public AgentRole Role { get; private set; }

    /// <summary>A role the workspace built (<see cref="Agents.CustomRole"/>): when set, its permissions replace those of <see cref="Role"/>.</summary>
    public Guid? CustomRoleId { get; private set; }

    /// <summary>Loaded only where permissions are read from the row (<see cref="AgentsAllowed"/>).</summary>
    public CustomRole? CustomRole { get; private set; }

    /// <summary>A deactivated agent keeps their history but can no longer sign in or use tokens.</summary>
    public bool IsActive { get; private set; } = true;

    public DateTime CreatedAt { get; private set; }

    /// <summary>
    /// The status the agent chose. It outlives sign-out and restarts; whether teammates see it depends on
    /// the agent being connected (<see cref="PresenceWhen"/>). Toggled many times a day, so not audited.
    /// </summary>
    [AuditIgnore]
    public AgentAvailability Availability { get; private set; } = AgentAvailability.Online;

    /// <summary>A chime and a desktop notification in the inbox for new conversations and messages (see MyAlerts).</summary>
    [AuditIgnore]
    public bool AlertsEnabled { get; private set; }

    /// <summary>This agent's own caps on active conversations; what is left out comes from the workspace.</summary>
    public Routing.ConcurrencyCaps Caps { get; private set; } = Routing.ConcurrencyCaps.None;

    /// <summary>What the agent is good at, with a level from 1 to 5 ("billing": 3); the Skills strategy reads it.</summary>
    public Dictionary<string, int> Skills { get; private set; } = [];

    /// <summary>
    /// The last 30-second step whose authenticator code signed this agent in or confirmed a setting: a code is taken
    /// once, so one seen over a shoulder or replayed from a log is refused (Features/SignIn/AuthenticatorCodes).
    /// </summary>
    [AuditIgnore]
    public long? LastAuthenticatorStep { get; private set; }

    public void AuthenticatorStepUsed(long step) => LastAuthenticatorStep = step;

    public IReadOnlyList<IDomainEvent> DomainEvents => _domainEvents;

    public void ClearDomainEvents() => _domainEvents.Clear();

    public static Agent Create(Guid workspaceId, string email, string displayName, AgentRole role, DateTime now)
    {
        var agent = new Agent
        {
            Id = TimeOrderedIds.Next(),
            WorkspaceId = workspaceId,
            Email = email.Trim(),
            UserName = email.Trim(),
            DisplayName = displayName.Trim(),
            Role = role,
            CreatedAt = now,
            SecurityStamp = Guid.NewGuid().ToString("N"),
        };
        agent._domainEvents.Add(new AgentJoined(workspaceId, agent.Id, role));
        return agent;
    }

    public void Rename(string displayName) => DisplayName = displayName.Trim();

    /// <summary>Whether the agent gets the weekly digest of the reports by email.</summary>
    public bool WantsWeeklyDigest { get; private set; }

    public void SetAlerts(bool enabled, bool weeklyDigest) => (AlertsEnabled, WantsWeeklyDigest) = (enabled, weeklyDigest);

    public void SetCaps(Routing.ConcurrencyCaps caps) => Caps = caps;

    public void SetSkills(IReadOnlyDictionary<string, int> skills) => Skills = new Dictionary<string, int>(skills, StringComparer.Ordinal);

    public void ChangeRole(AgentRole role)
    {
        if (Role == role)
        {
            return;
        }

        Role = role;
        // A new stamp makes existing cookies re-validate, so the old role's rights end promptly.
        SecurityStamp = Guid.NewGuid().ToString("N");
        _domainEvents.Add(new AgentRoleChanged(WorkspaceId, Id, role));
    }

    /// <summary>Whether the agent's role, or the custom role that replaces it, grants <paramref name="permission"/>.</summary>
    /// <exception cref="InvalidOperationException">The agent holds a custom role that was not read with them.</exception>
    public bool Holds(Permission permission) =>
        CustomRoleId is not null && CustomRole is null
            ? throw new InvalidOperationException("Read the agent with their custom role (Include) to know what they may do.")
            : RolePermissions.Allows(Role, CustomRole?.Permissions, permission);

    /// <summary>Gives the agent a custom role (or takes it away, with null); like a change of role, it signs them in again.</summary>
    public void AssignCustomRole(Guid? customRoleId)
    {
        if (CustomRoleId == customRoleId)
        {
            return;
        }

        CustomRoleId = customRoleId;
        RenewSecurityStamp();
    }

    /// <summary>
    /// Ends the agent's sessions (each is checked against the stamp it was made under, see AgentSessions), so they sign in
    /// again with what they may do now.
    /// </summary>
    public void RenewSecurityStamp() => SecurityStamp = Guid.NewGuid().ToString("N");

    /// <returns>Whether the availability changed.</returns>
    public bool SetAvailability(AgentAvailability availability)
    {
        if (Availability == availability)
        {
            return false;
        }

        Availability = availability;
        return true;
    }

    /// <summary>What teammates see: the chosen status while the agent is connected and active, otherwise Offline.</summary>
    public PresenceStatus PresenceWhen(bool connected) => !connected || !IsActive
        ? PresenceStatus.Offline
        : Availability switch
        {
            AgentAvailability.Away => PresenceStatus.Away,
            AgentAvailability.Break => PresenceStatus.Break,
            _ => PresenceStatus.Online,
        };

    public void Deactivate()
    {
        if (!IsActive)
        {
            return;
        }

        IsActive = false;
        SecurityStamp = Guid.NewGuid().ToString("N");
        _domainEvents.Add(new AgentDeactivated(WorkspaceId, Id));
    }

    public void Reactivate()
    {
        if (IsActive)
        {
            return;
        }

        IsActive = true;
        _domainEvents.Add(new AgentReactivated(WorkspaceId, Id));
    }
}

public sealed record AgentJoined(Guid WorkspaceId, Guid AgentId, AgentRole Role) : IDomainEvent;

public sealed record AgentRoleChanged(Guid WorkspaceId, Guid AgentId, AgentRole Role) : IDomainEvent;

public sealed record AgentDeactivated(Guid WorkspaceId, Guid AgentId) : IDomainEvent;

public sealed record AgentReactivated(Guid WorkspaceId, Guid AgentId) : IDomainEvent;

internal sealed class AgentConfiguration : IEntityTypeConfiguration<Agent>
{
    public void Configure(EntityTypeBuilder<Agent> builder)
    {
        builder.ToTable("Agents");
        builder.Property(a => a.DisplayName).HasMaxLength(Agent.MaxNameLength);
        builder.Property(a => a.Role).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.Availability).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.Caps).HasConversion(JsonColumn.Converter(Routing.ConcurrencyCaps.None), JsonColumn.Comparer<Routing.ConcurrencyCaps>());
        builder.Property(a => a.Skills).HasConversion(JsonColumn.Converter<Dictionary<string, int>>(), JsonColumn.Comparer<Dictionary<string, int>>());
        builder.HasIndex(a => new { a.WorkspaceId, a.DisplayName });
        // A role in use cannot be deleted: its holders are given another one first.
        builder.HasOne(a => a.CustomRole).WithMany().HasForeignKey(a => a.CustomRoleId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(a => a.WorkspaceId).OnDelete(DeleteBehavior.Restrict);
    }
}
