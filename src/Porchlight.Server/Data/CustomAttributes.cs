using Porchlight.Server.Hosting;

namespace Porchlight.Server.Data;

/// <summary>Free-form key/value facts about a contact or a conversation (plan, order number, …), stored as one JSON column.</summary>
public sealed class CustomAttributes : Dictionary<string, string>
{
    public const int MaxCount = 50;
    public const int MaxKeyLength = 50;
    public const int MaxValueLength = 500;

    public CustomAttributes()
        : base(StringComparer.Ordinal)
    {
    }

    public CustomAttributes(IEnumerable<KeyValuePair<string, string>> values)
        : base(values, StringComparer.Ordinal)
    {
    }

    /// <summary>A copy with <paramref name="changes"/> applied over these values.</summary>
    public CustomAttributes With(IReadOnlyDictionary<string, string> changes)
    {
        var merged = new CustomAttributes(this);
        foreach (var (key, value) in changes)
        {
            merged[key] = value;
        }

        return merged;
    }

    /// <summary>Checks attributes a caller sent against the limits above; adds one error per offending key.</summary>
    public static void Validate(FieldErrors errors, string field, IReadOnlyDictionary<string, string>? attributes)
    {
        if (attributes is null)
        {
            return;
        }

        if (attributes.Count > MaxCount)
        {
            errors.Add(field, $"At most {MaxCount} attributes.");
            return;
        }

        foreach (var (key, value) in attributes)
        {
            if (string.IsNullOrWhiteSpace(key) || key.Length > MaxKeyLength || value is null || value.Length > MaxValueLength)
            {
                errors.Add($"{field}.{key}", $"Keys of 1–{MaxKeyLength} and values of at most {MaxValueLength} characters.");
            }
        }
    }
}
