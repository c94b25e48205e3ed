using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Contacts;

public enum ContactAttributeType
{
    Text = 0,
    Number = 1,

    /// <summary>A calendar day, stored as <c>yyyy-MM-dd</c>.</summary>
    Date = 2,

    /// <summary>One of the definition's options.</summary>
    List = 3,
    Boolean = 4,
}

/// <summary>
/// What a contact attribute means and which values it takes. Attributes with a definition are checked and stored in one
/// form (numbers in invariant notation, dates as <c>yyyy-MM-dd</c>, booleans as <c>true</c>/<c>false</c>); attributes
/// without one stay free text, as the widget and integrations have always sent them. The type is fixed once defined:
/// values already stored were checked against it.
/// </summary>
public sealed partial class ContactAttributeDefinition : Entity, IWorkspaceOwned, Audit.IAudited
{
    public const int MaxLabelLength = 60;
    public const int MaxOptions = 50;
    public const int MaxOptionLength = 100;
    public const int MaxPerWorkspace = 100;

    private ContactAttributeDefinition()
    {
    }

    public Guid WorkspaceId { get; private set; }

    /// <summary>The attribute's key in contacts' attributes: lower case letters, digits and underscores.</summary>
    public string Key { get; private set; } = "";

    public string Label { get; private set; } = "";

    public ContactAttributeType Type { get; private set; }

    public List<string> Options { get; private set; } = [];

    public DateTime CreatedAt { get; private set; }

    public static ContactAttributeDefinition Create(Guid workspaceId, string key, string label, ContactAttributeType type, List<string> options, DateTime now) => new()
    {
        WorkspaceId = workspaceId,
        Key = key,
        Label = label,
        Type = type,
        Options = type == ContactAttributeType.List ? options : [],
        CreatedAt = now,
    };

    public void Change(string label, List<string> options)
    {
        Label = label;
        Options = Type == ContactAttributeType.List ? options : [];
    }

    public static bool IsKey(string? key) => key is not null && KeyPattern().IsMatch(key);

    /// <summary>The value as stored, or null with <paramref name="error"/> saying why it is not one of this attribute's.</summary>
    public string? Normalize(string value, out string? error)
    {
        var trimmed = value.Trim();
        error = null;
        switch (Type)
        {
            case ContactAttributeType.Number when decimal.TryParse(trimmed, NumberStyles.Number, CultureInfo.InvariantCulture, out var number):
                return number.ToString(CultureInfo.InvariantCulture);
            case ContactAttributeType.Date when DateOnly.TryParseExact(trimmed, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day):
                return day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            case ContactAttributeType.Boolean when bool.TryParse(trimmed, out var flag):
                return flag ? "true" : "false";
            case ContactAttributeType.List when Options.FirstOrDefault(o => string.Equals(o, trimmed, StringComparison.OrdinalIgnoreCase)) is { } option:
                return option;
            case ContactAttributeType.Text:
                return value;
        }

        error = Type switch
        {
            ContactAttributeType.Number => $"{Label} is a number, such as 42 or 19.99.",
            ContactAttributeType.Date => $"{Label} is a date written as yyyy-MM-dd, such as 2026-12-31.",
            ContactAttributeType.Boolean => $"{Label} is true or false.",
            _ => $"{Label} is one of: {string.Join(", ", Options)}.",
        };
        return null;
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,49}$")]
    private static partial Regex KeyPattern();
}

internal sealed class ContactAttributeDefinitionConfiguration : IEntityTypeConfiguration<ContactAttributeDefinition>
{
    public void Configure(EntityTypeBuilder<ContactAttributeDefinition> builder)
    {
        builder.Property(d => d.Key).HasMaxLength(CustomAttributes.MaxKeyLength);
        builder.Property(d => d.Label).HasMaxLength(ContactAttributeDefinition.MaxLabelLength);
        builder.Property(d => d.Type).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(d => new { d.WorkspaceId, d.Key }).IsUnique();
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(d => d.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>Checks contact attributes sent by an agent, an integration or an import against the workspace's definitions.</summary>
public sealed class ContactAttributeRules(AppDbContext db)
{
    // Read once per scope: an import checks every row against the same definitions.
    private Dictionary<string, ContactAttributeDefinition>? _definitions;

    /// <summary>
    /// The attributes as they are to be stored: defined ones in their one form; a field error under
    /// <c><paramref name="field"/>.key</c> for each value that is not one of its attribute's. Null or empty values are
    /// kept as given (for the caller to read as "remove").
    /// </summary>
    public async Task<Dictionary<string, string?>?> CheckAsync(FieldErrors errors, string field, IReadOnlyDictionary<string, string?>? attributes, CancellationToken cancellationToken)
    {
        if (attributes is null)
        {
            return null;
        }

        CustomAttributes.Validate(errors, field, attributes.Where(a => !string.IsNullOrEmpty(a.Value)).ToDictionary(a => a.Key, a => a.Value!));
        var definitions = _definitions ??= await db.ContactAttributeDefinitions.AsNoTracking().ToDictionaryAsync(d => d.Key, StringComparer.Ordinal, cancellationToken);
        var checkedValues = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in attributes)
        {
            if (string.IsNullOrEmpty(value) || !definitions.TryGetValue(key, out var definition))
            {
                checkedValues[key] = value;
                continue;
            }

            checkedValues[key] = definition.Normalize(value, out var error);
            if (error is not null)
            {
                errors.Add($"{field}.{key}", error);
            }
        }

        return checkedValues;
    }
}
