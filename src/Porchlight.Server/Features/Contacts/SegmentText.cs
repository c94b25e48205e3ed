namespace Porchlight.Server.Features.Contacts;

/// <summary>A segment's rules in words, for its row on the contacts page.</summary>
public static class SegmentText
{
    public static readonly (AttributeOperator Operator, string Label)[] Operators =
    [
        (AttributeOperator.Equals, "is"), (AttributeOperator.NotEquals, "is not"), (AttributeOperator.Contains, "contains"),
        (AttributeOperator.Exists, "is set"), (AttributeOperator.NotExists, "is not set"),
        (AttributeOperator.GreaterThan, "is more than"), (AttributeOperator.LessThan, "is less than"),
    ];

    /// <summary>"Text “acme” · tags vip, reseller · at Summit Guides · identified · plan is Business".</summary>
    public static string Describe(SegmentRules rules, IReadOnlyList<CompanyView> companies)
    {
        var parts = new List<string>();
        if (!string.IsNullOrWhiteSpace(rules.Query))
        {
            parts.Add($"text “{rules.Query}”");
        }

        if (rules.Tags is { Count: > 0 } tags)
        {
            parts.Add($"{(tags.Count == 1 ? "tag" : "tags")} {string.Join(", ", tags)}");
        }

        if (rules.CompanyId is { } companyId)
        {
            parts.Add($"at {companies.FirstOrDefault(c => c.Id == companyId)?.Name ?? "a company since deleted"}");
        }

        if (rules.Identified is { } identified)
        {
            parts.Add(identified ? "identified" : "anonymous");
        }

        foreach (var condition in rules.Attributes ?? [])
        {
            var label = Operators.FirstOrDefault(o => o.Operator == condition.Operator).Label ?? condition.Operator.ToString();
            parts.Add($"{condition.Key} {label}{(string.IsNullOrEmpty(condition.Value) ? "" : " " + condition.Value)}");
        }

        var text = string.Join(" · ", parts);
        return text.Length == 0 ? "" : char.ToUpperInvariant(text[0]) + text[1..];
    }
}

/// <summary>A segment being written in the form: texts as typed, turned into rules when it is saved.</summary>
public sealed class SegmentDraft
{
    public string? Name { get; set; }

    public string? Query { get; set; }

    public string? Tags { get; set; }

    /// <summary>"" for any company.</summary>
    public string CompanyId { get; set; } = "";

    /// <summary>"" either, "yes" identified, "no" anonymous.</summary>
    public string Identified { get; set; } = "";

    public List<ConditionDraft> Conditions { get; } = [];

    public static SegmentDraft From(SegmentView segment)
    {
        var draft = new SegmentDraft
        {
            Name = segment.Name,
            Query = segment.Rules.Query,
            Tags = TagText.Format(segment.Rules.Tags),
            CompanyId = segment.Rules.CompanyId?.ToString() ?? "",
            Identified = segment.Rules.Identified switch { true => "yes", false => "no", null => "" },
        };
        draft.Conditions.AddRange((segment.Rules.Attributes ?? []).Select(c => new ConditionDraft
        {
            Key = c.Key ?? "",
            Operator = c.Operator ?? AttributeOperator.Equals,
            Value = c.Value ?? "",
        }));
        return draft;
    }

    public SegmentRequest ToRequest()
    {
        var tags = TagText.Parse(Tags);
        return new SegmentRequest(Name, new SegmentRules(
            Query,
            tags.Count > 0 ? tags : null,
            Guid.TryParse(CompanyId, out var companyId) ? companyId : null,
            Identified switch { "yes" => true, "no" => false, _ => null },
            Conditions.Count > 0 ? [.. Conditions.Select(c => c.ToCondition())] : null));
    }

    public sealed class ConditionDraft
    {
        public string Key { get; set; } = "";

        public AttributeOperator Operator { get; set; } = AttributeOperator.Equals;

        public string Value { get; set; } = "";

        public bool NeedsValue => Operator is not (AttributeOperator.Exists or AttributeOperator.NotExists);

        // A value left in a hidden input would be refused with "is set", which takes none.
        public AttributeCondition ToCondition() => new(Key, Operator, NeedsValue ? Value : null);
    }
}
