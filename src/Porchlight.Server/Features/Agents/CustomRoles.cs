using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.ApiTokens;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

/// <summary>A custom role as it is written: a name, an optional description, and the permissions it grants (by name).</summary>
public sealed record CustomRoleRequest(string? Name, string? Description, List<string?>? Permissions);

/// <summary>A custom role; <c>permissions</c> lists what it grants besides what everyone may do, <c>holders</c> how many agents hold it.</summary>
public sealed record CustomRoleView(Guid Id, string Name, string? Description, IReadOnlyList<Permission> Permissions, int Holders, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static CustomRoleView From(CustomRole role, int holders) =>
        new(role.Id, role.Name, role.Description, role.Permissions, holders, role.CreatedAt, role.UpdatedAt);
}

/// <summary>
/// The workspace's custom roles, kept by those who manage agents. Changing what a role grants signs its holders in
/// again (as a change of role does), so no session keeps rights the role no longer gives.
/// </summary>
public sealed class CustomRoles(AppDbContext db, ActingAgent actor, VerifiedApiTokens verified, TimeProvider clock)
{
    public async Task<IReadOnlyList<CustomRoleView>> ListAsync(CancellationToken cancellationToken)
    {
        var holders = await HoldersAsync(cancellationToken);
        return (await db.CustomRoles.AsNoTracking().OrderBy(r => r.Name).ToListAsync(cancellationToken))
            .ConvertAll(r => CustomRoleView.From(r, holders.GetValueOrDefault(r.Id)));
    }

    public async Task<Result<CustomRoleView>> GetAsync(Guid roleId, CancellationToken cancellationToken) =>
        await db.CustomRoles.AsNoTracking().FirstOrDefaultAsync(r => r.Id == roleId, cancellationToken) is { } role
            ? CustomRoleView.From(role, await db.Agents.CountAsync(a => a.CustomRoleId == roleId, cancellationToken))
            : Failure.NotFound("The role");

    public async Task<Result<CustomRoleView>> CreateAsync(CustomRoleRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var (name, description, permissions) = Validate(request, errors);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        if (await db.CustomRoles.CountAsync(cancellationToken) >= CustomRole.MaxPerWorkspace)
        {
            return Failure.Conflict($"A workspace keeps at most {CustomRole.MaxPerWorkspace} custom roles.");
        }

        var role = db.CustomRoles.Add(CustomRole.Create(actor.WorkspaceId, name, description, permissions, clock.GetUtcNow().UtcDateTime)).Entity;
        return await SaveAsync(role, holders: 0, cancellationToken);
    }

    public async Task<Result<CustomRoleView>> UpdateAsync(Guid roleId, CustomRoleRequest request, CancellationToken cancellationToken)
    {
        if (await db.CustomRoles.FirstOrDefaultAsync(r => r.Id == roleId, cancellationToken) is not { } role)
        {
            return Failure.NotFound("The role");
        }

        var errors = new FieldErrors();
        var (name, description, permissions) = Validate(request, errors);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var before = role.Permissions;
        role.Change(name, description, permissions, clock.GetUtcNow().UtcDateTime);
        var holders = await db.Agents.Where(a => a.CustomRoleId == roleId).ToListAsync(cancellationToken);
        if (!before.SequenceEqual(role.Permissions))
        {
            holders.ForEach(a => a.RenewSecurityStamp());
        }

        var saved = await SaveAsync(role, holders.Count, cancellationToken);
        // Tokens carry their agent's permissions: verify them again.
        verified.ForgetAll();
        return saved;
    }

    public async Task<Result<bool>> DeleteAsync(Guid roleId, CancellationToken cancellationToken)
    {
        if (await db.CustomRoles.FirstOrDefaultAsync(r => r.Id == roleId, cancellationToken) is not { } role)
        {
            return Failure.NotFound("The role");
        }

        if (await db.Agents.AnyAsync(a => a.CustomRoleId == roleId, cancellationToken))
        {
            return Failure.Conflict("Agents hold this role. Give them another role first.");
        }

        db.CustomRoles.Remove(role);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    private async Task<Dictionary<Guid, int>> HoldersAsync(CancellationToken cancellationToken) =>
        await db.Agents.Where(a => a.CustomRoleId != null).GroupBy(a => a.CustomRoleId!.Value)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);

    private static Failure NameTaken => Failure.Duplicate("name", "Another role has this name.");

    /// <summary>Saves; two requests taking one name at once both pass, and the unique index lets one win.</summary>
    private async Task<Result<CustomRoleView>> SaveAsync(CustomRole role, int holders, CancellationToken cancellationToken)
    {
        if (await db.CustomRoles.AnyAsync(r => r.Name == role.Name && r.Id != role.Id, cancellationToken))
        {
            return NameTaken;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return NameTaken;
        }

        return CustomRoleView.From(role, holders);
    }

    /// <summary>The request as it is kept (trimmed, permissions parsed by name); what is wrong goes to <paramref name="errors"/>.</summary>
    private static (string Name, string? Description, List<Permission> Permissions) Validate(CustomRoleRequest request, FieldErrors errors)
    {
        errors.Required("name", request.Name, CustomRole.MaxNameLength);
        errors.MaxLength("description", request.Description?.Trim(), CustomRole.MaxDescriptionLength);
        var permissions = new List<Permission>();
        if (request.Permissions is null)
        {
            errors.Add("permissions", "List the permissions the role grants (an empty list grants only what everyone may do).");
        }

        foreach (var (name, index) in (request.Permissions ?? []).Select((name, index) => (name, index)))
        {
            if (Enum.TryParse<Permission>(name, ignoreCase: false, out var permission) && Enum.IsDefined(permission) && !int.TryParse(name, out _))
            {
                permissions.Add(permission);
            }
            else
            {
                errors.Add($"permissions[{index}]", $"One of {string.Join(", ", Enum.GetNames<Permission>())}.");
            }
        }

        return ((request.Name ?? "").Trim(), string.IsNullOrWhiteSpace(request.Description) ? null : request.Description.Trim(), permissions);
    }
}
