using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Contacts;

/// <summary>
/// An organisation customers belong to. With a <see cref="Domain"/>, every contact whose email is at that domain and who
/// is in no company yet joins it (see <see cref="CompanyMatching"/>).
/// </summary>
public sealed class Company : Entity, IWorkspaceOwned, Audit.IAudited
{
    public const int MaxNameLength = 100;
    public const int MaxDomainLength = 253;

    private Company()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public string Name { get; private set; } = "";

    /// <summary>The email domain of the company's people (lower case, such as <c>acme.com</c>); one company per domain.</summary>
    public string? Domain { get; private set; }

    /// <summary>The company's id in another system (a CRM account id); one company per external id.</summary>
    public string? ExternalId { get; private set; }

    public DateTime CreatedAt { get; private set; }

    public DateTime UpdatedAt { get; private set; }

    public static Company Create(Guid workspaceId, string name, string? domain, string? externalId, DateTime now) => new()
    {
        WorkspaceId = workspaceId,
        Name = name,
        Domain = domain,
        ExternalId = externalId,
        CreatedAt = now,
        UpdatedAt = now,
    };

    public void Change(string name, string? domain, string? externalId, DateTime now)
    {
        if (name != Name || domain != Domain || externalId != ExternalId)
        {
            (Name, Domain, ExternalId, UpdatedAt) = (name, domain, externalId, now);
        }
    }

    /// <summary>The domain of an email address (<c>jane@Acme.com</c> → <c>acme.com</c>), or null.</summary>
    public static string? DomainOf(string? email) =>
        email?.LastIndexOf('@') is int at and >= 0 && at < email.Length - 1 ? email[(at + 1)..].Trim().ToLowerInvariant() : null;
}

internal sealed class CompanyConfiguration : IEntityTypeConfiguration<Company>
{
    public void Configure(EntityTypeBuilder<Company> builder)
    {
        builder.Property(c => c.Name).HasMaxLength(Company.MaxNameLength);
        builder.Property(c => c.Domain).HasMaxLength(Company.MaxDomainLength);
        builder.Property(c => c.ExternalId).HasMaxLength(Contact.MaxExternalIdLength);
        builder.HasIndex(c => new { c.WorkspaceId, c.Domain }).IsUnique();
        builder.HasIndex(c => new { c.WorkspaceId, c.ExternalId }).IsUnique();
        builder.HasIndex(c => new { c.WorkspaceId, c.Name });
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(c => c.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
