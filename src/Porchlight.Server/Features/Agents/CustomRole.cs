using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

/// <summary>
/// A role a workspace builds from permissions ("Billing specialist": conversations and contacts, no reports). An agent
/// holding one may do what it grants, whatever their built-in role, plus what everyone needs to work
/// (<see cref="RolePermissions.Baseline"/>). Owners always keep every permission and never hold one.
/// </summary>
public sealed class CustomRole : Entity, IWorkspaceOwned, IAudited
{
    public const int MaxNameLength = 60;
    public const int MaxDescriptionLength = 300;
    public const int MaxPerWorkspace = 50;

    private CustomRole()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public string Name { get; private set; } = "";

    public string? Description { get; private set; }

    /// <summary>Kept by name, so reordering the permissions in code never changes what a stored role grants.</summary>
    public List<Permission> Permissions { get; private set; } = [];

    public DateTime CreatedAt { get; private set; }

    public DateTime UpdatedAt { get; private set; }

    public static CustomRole Create(Guid workspaceId, string name, string? description, IEnumerable<Permission> permissions, DateTime now) => new()
    {
        WorkspaceId = workspaceId,
        Name = name,
        Description = description,
        Permissions = Normalize(permissions),
        CreatedAt = now,
        UpdatedAt = now,
    };

    public void Change(string name, string? description, IEnumerable<Permission> permissions, DateTime now) =>
        (Name, Description, Permissions, UpdatedAt) = (name, description, Normalize(permissions), now);

    // The baseline is granted anyway; keeping it out of the stored list keeps "what this role adds" readable.
    private static List<Permission> Normalize(IEnumerable<Permission> permissions) =>
        [.. permissions.Distinct().Where(p => !RolePermissions.Baseline.Contains(p)).Order()];
}

internal sealed class CustomRoleConfiguration : IEntityTypeConfiguration<CustomRole>
{
    public void Configure(EntityTypeBuilder<CustomRole> builder)
    {
        builder.Property(r => r.Name).HasMaxLength(CustomRole.MaxNameLength);
        builder.Property(r => r.Description).HasMaxLength(CustomRole.MaxDescriptionLength);
        builder.Property(r => r.Permissions).HasConversion(
            new Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<List<Permission>, string>(
                permissions => string.Join(',', permissions),
                stored => stored.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<Permission>).ToList()),
            new Microsoft.EntityFrameworkCore.ChangeTracking.ValueComparer<List<Permission>>(
                (a, b) => a!.SequenceEqual(b!), permissions => permissions.Aggregate(0, (hash, p) => HashCode.Combine(hash, p)), permissions => permissions.ToList()));
        builder.HasIndex(r => new { r.WorkspaceId, r.Name }).IsUnique();
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(r => r.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
