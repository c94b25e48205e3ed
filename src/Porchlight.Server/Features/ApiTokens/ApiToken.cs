using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Audit;

namespace Porchlight.Server.Features.ApiTokens;

/// <summary>What a personal API token may do, on top of what its agent's role allows.</summary>
[Flags]
public enum TokenScopes
{
    None = 0,

    /// <summary>Read anything the agent can see.</summary>
    Read = 1,

    /// <summary>Act as the agent on everyday work (conversations, messages, own profile).</summary>
    Write = 2,

    /// <summary>Change workspace settings the agent's role allows: agents, teams, inboxes, tokens, audit.</summary>
    Admin = 4,
}

/// <summary>A personal access token for the REST API. The secret is shown once; only its hash is kept.</summary>
public sealed class ApiToken : Entity, IWorkspaceOwned, IAudited
{
    public const int MaxNameLength = 60;

    private ApiToken()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public Guid AgentId { get; private set; }

    public string Name { get; private set; } = "";

    /// <summary>The first characters of the secret, so people can tell their tokens apart.</summary>
    public string Hint { get; private set; } = "";

    [AuditIgnore]
    public string TokenHash { get; private set; } = "";

    public TokenScopes Scopes { get; private set; }

    public DateTime CreatedAt { get; private set; }

    [AuditIgnore]
    public DateTime? LastUsedAt { get; private set; }

    public DateTime? RevokedAt { get; private set; }

    /// <summary>When the token stops working by itself; null for a token that works until it is revoked.</summary>
    public DateTime? ExpiresAt { get; private set; }

    public static ApiToken Create(Agent agent, string name, TokenScopes scopes, string secret, string tokenHash, DateTime now, DateTime? expiresAt) => new()
    {
        ExpiresAt = expiresAt,
        WorkspaceId = agent.WorkspaceId,
        AgentId = agent.Id,
        Name = name.Trim(),
        Hint = secret[..12],
        TokenHash = tokenHash,
        Scopes = scopes,
        CreatedAt = now,
    };

    public bool IsRevoked => RevokedAt is not null;

    public void Revoke(DateTime now) => RevokedAt ??= now;

    public void MarkUsed(DateTime now) => LastUsedAt = now;
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> builder)
    {
        builder.Property(t => t.Name).HasMaxLength(ApiToken.MaxNameLength);
        builder.Property(t => t.Hint).HasMaxLength(12);
        builder.Property(t => t.TokenHash).HasMaxLength(64);
        builder.Property(t => t.Scopes).HasConversion<int>();
        builder.HasIndex(t => t.TokenHash).IsUnique();
        builder.HasIndex(t => t.AgentId);
        builder.HasOne<Agent>().WithMany().HasForeignKey(t => t.AgentId).OnDelete(DeleteBehavior.Cascade);
    }
}
