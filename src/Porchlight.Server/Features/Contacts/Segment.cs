using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Contacts;

public enum AttributeOperator
{
    Equals = 0,
    NotEquals = 1,
    Contains = 2,
    Exists = 3,
    NotExists = 4,

    /// <summary>Compared as numbers when both sides are numbers, else in text order (so <c>yyyy-MM-dd</c> dates compare by day).</summary>
    GreaterThan = 5,
    LessThan = 6,
}

/// <summary>One test of a contact attribute. Text comparisons ignore case.</summary>
public sealed record AttributeCondition(string? Key, AttributeOperator? Operator, string? Value)
{
    public bool Matches(CustomAttributes attributes)
    {
        var present = attributes.TryGetValue(Key!, out var value);
        return Operator switch
        {
            AttributeOperator.Exists => present,
            AttributeOperator.NotExists => !present,
            AttributeOperator.Equals => present && string.Equals(value, Value, StringComparison.OrdinalIgnoreCase),
            AttributeOperator.NotEquals => !present || !string.Equals(value, Value, StringComparison.OrdinalIgnoreCase),
            AttributeOperator.Contains => present && value!.Contains(Value!, StringComparison.OrdinalIgnoreCase),
            AttributeOperator.GreaterThan => present && Compare(value!, Value!) > 0,
            AttributeOperator.LessThan => present && Compare(value!, Value!) < 0,
            _ => false,
        };
    }

    private static int Compare(string stored, string given) =>
        decimal.TryParse(stored, NumberStyles.Number, CultureInfo.InvariantCulture, out var a) && decimal.TryParse(given, NumberStyles.Number, CultureInfo.InvariantCulture, out var b)
            ? a.CompareTo(b)
            : string.Compare(stored, given, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Which contacts a segment holds; every rule given must hold: a text found in the name, email or external id, all of
/// the tags, the company, identified or not, and each attribute condition.
/// </summary>
public sealed record SegmentRules(
    string? Query = null, List<string>? Tags = null, Guid? CompanyId = null, bool? Identified = null, List<AttributeCondition>? Attributes = null)
{
    public bool IsEmpty => string.IsNullOrWhiteSpace(Query) && Tags is not { Count: > 0 } && CompanyId is null && Identified is null && Attributes is not { Count: > 0 };

    /// <summary>The rules the database answers; attribute conditions are tested on the contacts it finds (<see cref="MatchesAttributes"/>).</summary>
    public IQueryable<Contact> Apply(IQueryable<Contact> contacts)
    {
        if (!string.IsNullOrWhiteSpace(Query))
        {
            var term = Query.Trim().ToLowerInvariant();
            contacts = contacts.Where(c => (c.Name ?? "").ToLower().Contains(term) || (c.Email ?? "").Contains(term) || (c.ExternalId ?? "").ToLower().Contains(term));
        }

        foreach (var tag in Tags ?? [])
        {
            contacts = contacts.Where(c => c.Tags.Contains(tag));
        }

        if (CompanyId is { } companyId)
        {
            contacts = contacts.Where(c => c.CompanyId == companyId);
        }

        if (Identified is { } identified)
        {
            contacts = contacts.Where(c => (c.ExternalId != null) == identified);
        }

        return contacts;
    }

    public bool HasAttributeConditions => Attributes is { Count: > 0 };

    public bool MatchesAttributes(Contact contact) => Attributes is null || Attributes.TrueForAll(a => a.Matches(contact.Attributes));
}

/// <summary>A saved filter of contacts (such as "Pro customers at Acme who renew this year"), evaluated when it is read: always current.</summary>
public sealed class Segment : Entity, IWorkspaceOwned, Audit.IAudited
{
    public const int MaxNameLength = 60;
    public const int MaxPerWorkspace = 100;
    public const int MaxTags = 10;
    public const int MaxAttributeConditions = 10;

    private Segment()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public string Name { get; private set; } = "";

    public SegmentRules Rules { get; private set; } = new();

    public DateTime CreatedAt { get; private set; }

    public DateTime UpdatedAt { get; private set; }

    public static Segment Create(Guid workspaceId, string name, SegmentRules rules, DateTime now) => new()
    {
        WorkspaceId = workspaceId,
        Name = name,
        Rules = rules,
        CreatedAt = now,
        UpdatedAt = now,
    };

    public void Change(string name, SegmentRules rules, DateTime now) => (Name, Rules, UpdatedAt) = (name, rules, now);
}

internal sealed class SegmentConfiguration : IEntityTypeConfiguration<Segment>
{
    public void Configure(EntityTypeBuilder<Segment> builder)
    {
        builder.Property(s => s.Name).HasMaxLength(Segment.MaxNameLength);
        builder.Property(s => s.Rules).HasConversion(JsonColumn.Converter(new SegmentRules()), JsonColumn.Comparer<SegmentRules>());
        builder.HasIndex(s => new { s.WorkspaceId, s.Name }).IsUnique();
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(s => s.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
