using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Workspaces;

namespace Porchlight.Server.Features.Audit;

/// <summary>
/// Writes an audit entry for every change to an <see cref="IAudited"/> entity, with the values before
/// and after, in the same transaction as the change: a settings change without its record cannot exist.
/// </summary>
internal sealed partial class AuditInterceptor(TimeProvider clock, AuditActor actor) : SaveChangesInterceptor
{
    // Identity's bookkeeping columns change on every sign-in and hold secrets; they are not settings.
    private static readonly HashSet<string> IgnoredProperties =
    [
        "PasswordHash", "SecurityStamp", "ConcurrencyStamp", "AccessFailedCount", "LockoutEnd",
        "NormalizedEmail", "NormalizedUserName", "LockoutEnabled", "EmailConfirmed", "PhoneNumberConfirmed", "TwoFactorEnabled",
    ];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Record(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Record(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private void Record(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        context.ChangeTracker.DetectChanges();
        var now = clock.GetUtcNow().UtcDateTime;
        var entries = context.ChangeTracker.Entries()
            .Where(e => e.Entity is IAudited && e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            .ToList();
        foreach (var entry in entries)
        {
            var changes = ChangesOf(entry);
            if (entry.State == EntityState.Modified && changes.Count == 0)
            {
                continue;
            }

            var workspaceId = entry.Entity switch
            {
                Workspace workspace => workspace.Id,
                IWorkspaceOwned owned => owned.WorkspaceId,
                _ => throw new InvalidOperationException($"{entry.Metadata.ClrType.Name} is audited but belongs to no workspace."),
            };
            var verb = entry.State switch
            {
                EntityState.Added => "created",
                EntityState.Deleted => "deleted",
                _ => "updated",
            };
            var entityType = SnakeCase(entry.Metadata.ClrType.Name);
            context.Add(AuditEntry.Create(
                workspaceId, now, actor, $"{entityType}.{verb}", entityType, KeyOf(entry), JsonSerializer.Serialize(changes, Json)));
        }
    }

    private static Dictionary<string, AuditChange> ChangesOf(EntityEntry entry)
    {
        var changes = new Dictionary<string, AuditChange>();
        foreach (var property in entry.Properties)
        {
            Collect(changes, property.Metadata.Name, property, entry.State);
        }

        foreach (var complex in entry.ComplexProperties)
        {
            foreach (var property in complex.Properties)
            {
                Collect(changes, $"{complex.Metadata.Name}.{property.Metadata.Name}", property, entry.State);
            }
        }

        return changes;
    }

    private static void Collect(Dictionary<string, AuditChange> changes, string name, PropertyEntry property, EntityState state)
    {
        if (IgnoredProperties.Contains(property.Metadata.Name)
            || property.Metadata.PropertyInfo?.GetCustomAttribute<AuditIgnoreAttribute>() is not null)
        {
            return;
        }

        switch (state)
        {
            case EntityState.Added:
                changes[name] = new AuditChange(null, property.CurrentValue);
                break;
            case EntityState.Deleted:
                changes[name] = new AuditChange(property.OriginalValue, null);
                break;
            case EntityState.Modified when property.IsModified && !Equals(property.OriginalValue, property.CurrentValue):
                changes[name] = new AuditChange(property.OriginalValue, property.CurrentValue);
                break;
        }
    }

    private static string KeyOf(EntityEntry entry) =>
        string.Join("/", entry.Metadata.FindPrimaryKey()!.Properties.Select(p => entry.Property(p.Name).CurrentValue));

    private static string SnakeCase(string name) => UpperAfterLower().Replace(name, "$1_$2").ToLowerInvariant();

    [GeneratedRegex("([a-z0-9])([A-Z])")]
    private static partial Regex UpperAfterLower();
}

public sealed record AuditChange(object? Before, object? After);
