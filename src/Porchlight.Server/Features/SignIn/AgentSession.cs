using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;

namespace Porchlight.Server.Features.SignIn;

/// <summary>
/// One signed-in browser of an agent: the app's cookie names it (<see cref="Hosting.PorchlightClaims.SessionId"/>) and is
/// accepted only while this row exists and was made under the agent's current security stamp. Deleting the row signs
/// that browser out (<see cref="AgentSessions"/>). Not audited as a record: signing in and out are recorded as events.
/// </summary>
public sealed class AgentSession : IWorkspaceOwned
{
    public const int MaxUserAgentLength = 300;

    private AgentSession()
    {
    }

    public Guid Id { get; private set; } = TimeOrderedIds.Next();

    public Guid WorkspaceId { get; private set; }

    public Guid AgentId { get; private set; }

    /// <summary>The agent's security stamp when the session began (or was carried over); another stamp ends the session.</summary>
    public string SecurityStamp { get; private set; } = "";

    public DateTime SignedInAt { get; private set; }

    /// <summary>The last request of the session, to the minute (it is written at most once a minute).</summary>
    public DateTime LastSeenAt { get; private set; }

    /// <summary>The address of the last request.</summary>
    public string? IpAddress { get; private set; }

    public string? UserAgent { get; private set; }

    /// <summary>Whether the agent passed a second factor to start it.</summary>
    public bool TwoFactor { get; private set; }

    public static AgentSession Start(Agent agent, string? ipAddress, string? userAgent, bool twoFactor, DateTime now) => new()
    {
        WorkspaceId = agent.WorkspaceId,
        AgentId = agent.Id,
        SecurityStamp = agent.SecurityStamp ?? "",
        SignedInAt = now,
        LastSeenAt = now,
        IpAddress = ipAddress,
        UserAgent = userAgent is null ? null : userAgent[..Math.Min(userAgent.Length, MaxUserAgentLength)],
        TwoFactor = twoFactor,
    };
}

internal sealed class AgentSessionConfiguration : IEntityTypeConfiguration<AgentSession>
{
    public void Configure(EntityTypeBuilder<AgentSession> builder)
    {
        builder.ToTable("AgentSessions");
        builder.Property(s => s.SecurityStamp).HasMaxLength(64);
        builder.Property(s => s.IpAddress).HasMaxLength(64);
        builder.Property(s => s.UserAgent).HasMaxLength(AgentSession.MaxUserAgentLength);
        builder.HasIndex(s => s.AgentId);
        builder.HasOne<Agent>().WithMany().HasForeignKey(s => s.AgentId).OnDelete(DeleteBehavior.Cascade);
    }
}
