using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Contacts;

/// <summary>
/// A customer. A widget visitor starts as an anonymous contact whose id is the visitor id in the browser's
/// visitor token (the row is created with their first conversation). Identify with the host site's own
/// user id leads to an identified contact; the anonymous history then moves there.
/// </summary>
public sealed class Contact : Entity, IWorkspaceOwned
{
    public const int MaxNameLength = 100;
    public const int MaxEmailLength = 254;
    public const int MaxExternalIdLength = 128;

    private Contact()
    {
    }

    public Guid WorkspaceId { get; private set; }

    /// <summary>The host site's own user id, given with identify.</summary>
    public string? ExternalId { get; private set; }

    public string? Name { get; private set; }

    public string? Email { get; private set; }

    public CustomAttributes Attributes { get; private set; } = new();

    public DateTime CreatedAt { get; private set; }

    public DateTime LastSeenAt { get; private set; }

    public bool IsIdentified => ExternalId is not null;

    /// <summary>What agents call the contact: the name, else the email, else a stable visitor label.</summary>
    public string DisplayName => NameFor(Id, Name, Email);

    public static string NameFor(Guid id, string? name, string? email) => name ?? email ?? $"Visitor {id.ToString("N")[^6..]}";

    public static Contact ForVisitor(Guid workspaceId, Guid visitorId, DateTime now) => new()
    {
        Id = visitorId,
        WorkspaceId = workspaceId,
        CreatedAt = now,
        LastSeenAt = now,
    };

    /// <summary>A contact another system tells of (an integration, an email), with that system's id for them when it has one.</summary>
    public static Contact Create(Guid workspaceId, string? externalId, DateTime now) => new()
    {
        WorkspaceId = workspaceId,
        ExternalId = externalId,
        CreatedAt = now,
        LastSeenAt = now,
    };

    /// <summary>
    /// Emails are kept trimmed and in lower case, so that one address is one customer however it was typed and is
    /// found with an index (the domain is case-insensitive by standard, and in practice so is every mailbox).
    /// </summary>
    public static string? NormalizeEmail(string? email) => string.IsNullOrWhiteSpace(email) ? null : email.Trim().ToLowerInvariant();

    /// <summary>Details the visitor typed or the host site sent; a blank value leaves what is known.</summary>
    public void Describe(string? name, string? email, IReadOnlyDictionary<string, string>? attributes, DateTime now)
    {
        if (!string.IsNullOrWhiteSpace(name))
        {
            Name = name.Trim();
        }

        if (NormalizeEmail(email) is { } normalized)
        {
            Email = normalized;
        }

        if (attributes is { Count: > 0 })
        {
            Attributes = Attributes.With(attributes);
        }

        LastSeenAt = now;
    }

    public void Seen(DateTime now) => LastSeenAt = now;

    /// <summary>Another system now knows this contact (until now known by email only) by its own id.</summary>
    public void TakeExternalId(string externalId) => ExternalId = ExternalId is null ? externalId : throw new InvalidOperationException("The contact already has an external id.");

    /// <summary>Takes over what an anonymous contact knew; details already known here win.</summary>
    public void Absorb(Contact anonymous)
    {
        Name ??= anonymous.Name;
        Email ??= anonymous.Email;
        Attributes = anonymous.Attributes.With(Attributes);
        LastSeenAt = anonymous.LastSeenAt > LastSeenAt ? anonymous.LastSeenAt : LastSeenAt;
    }
}

internal sealed class ContactConfiguration : IEntityTypeConfiguration<Contact>
{
    public void Configure(EntityTypeBuilder<Contact> builder)
    {
        builder.Ignore(c => c.DisplayName);
        builder.Ignore(c => c.IsIdentified);
        builder.Property(c => c.Name).HasMaxLength(Contact.MaxNameLength);
        builder.Property(c => c.Email).HasMaxLength(Contact.MaxEmailLength);
        builder.Property(c => c.ExternalId).HasMaxLength(Contact.MaxExternalIdLength);
        builder.Property(c => c.Attributes).HasConversion(JsonColumn.Converter<CustomAttributes>(), JsonColumn.Comparer<CustomAttributes>());
        builder.HasIndex(c => new { c.WorkspaceId, c.ExternalId }).IsUnique();
        builder.HasIndex(c => new { c.WorkspaceId, c.Email });
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(c => c.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
