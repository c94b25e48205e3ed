using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Routing;

/// <summary>
/// What routing rules look at about a new conversation. The page, and whether the contact had another conversation
/// within some days, are asked for only when a rule needs them.
/// </summary>
public sealed record RuleSubject(
    string Message,
    IReadOnlyCollection<string> Labels,
    ConversationPriority Priority,
    bool BusinessHoursOpen,
    string? ContactName,
    string? ContactEmail,
    IReadOnlyDictionary<string, string> ContactAttributes,
    Func<Task<string?>> PageUrl,
    Func<int, Task<bool>>? WroteWithinDays = null);

/// <summary>How rule conditions are checked when saved and tested against a new conversation.</summary>
public static class RuleConditions
{
    public const string ContactPrefix = "contact.";

    public const int MaxRepeatDays = 365;

    private static readonly string[] PlainFields = ["message", "label", "priority", "businessHours", "pageUrl", "repeatContact"];
    private static readonly string[] Operators = ["contains", "equals", "notEquals", "exists", "atLeast"];

    /// <summary>Whether every condition of the rule holds (a rule without conditions matches everything).</summary>
    public static async Task<bool> MatchAsync(IEnumerable<RuleCondition> conditions, RuleSubject subject)
    {
        foreach (var condition in conditions)
        {
            if (!await HoldsAsync(condition, subject))
            {
                return false;
            }
        }

        return true;
    }

    public static void Validate(FieldErrors errors, string field, IReadOnlyList<RuleCondition>? conditions)
    {
        if (conditions is null || conditions.Count > RoutingRule.MaxConditions)
        {
            errors.Add(field, $"A list of up to {RoutingRule.MaxConditions} conditions (empty: every conversation).");
            return;
        }

        for (var i = 0; i < conditions.Count; i++)
        {
            var (name, op, value) = (conditions[i].Field ?? "", conditions[i].Operator ?? "", conditions[i].Value ?? "");
            var at = $"{field}[{i}]";
            var contactField = name.StartsWith(ContactPrefix, StringComparison.Ordinal) && name.Length > ContactPrefix.Length;
            if (!PlainFields.Contains(name) && !contactField)
            {
                errors.Add($"{at}.field", "One of message, label, priority, businessHours, pageUrl, repeatContact, contact.name, contact.email or contact.<attribute>.");
            }

            if (!Operators.Contains(op))
            {
                errors.Add($"{at}.operator", "One of contains, equals, notEquals, exists, atLeast.");
            }
            else if (op == "atLeast" ? name != "priority" || !Enum.TryParse<ConversationPriority>(value, ignoreCase: true, out _) : false)
            {
                errors.Add($"{at}.value", "atLeast compares priorities: None, Low, Medium, High or Urgent.");
            }

            if (name == "businessHours" && !(op == "equals" && value.ToLowerInvariant() is "open" or "closed"))
            {
                errors.Add($"{at}.value", "businessHours equals open or closed.");
            }

            if (name == "repeatContact" && !(op == "equals" && int.TryParse(value, out var days) && days is >= 1 and <= MaxRepeatDays))
            {
                errors.Add($"{at}.value", $"repeatContact equals a number of days, 1–{MaxRepeatDays}: the contact had another conversation that recently.");
            }

            if (value.Length > RoutingRule.MaxValueLength || (op != "exists" && string.IsNullOrWhiteSpace(value)))
            {
                errors.Add($"{at}.value", $"1–{RoutingRule.MaxValueLength} characters.");
            }
        }
    }

    private static async Task<bool> HoldsAsync(RuleCondition condition, RuleSubject subject)
    {
        var value = condition.Value.Trim();
        switch (condition.Field)
        {
            case "label":
                return condition.Operator switch
                {
                    "notEquals" => !subject.Labels.Contains(value.ToLowerInvariant()),
                    "exists" => subject.Labels.Count > 0,
                    _ => subject.Labels.Any(label => Compare(condition.Operator, label, value)),
                };
            case "priority" when condition.Operator == "atLeast":
                return Enum.TryParse<ConversationPriority>(value, ignoreCase: true, out var least) && subject.Priority >= least;
            case "businessHours":
                return subject.BusinessHoursOpen == value.Equals("open", StringComparison.OrdinalIgnoreCase);
            case "repeatContact":
                return int.TryParse(value, out var days) && subject.WroteWithinDays is { } wrote && await wrote(days);
        }

        var actual = condition.Field switch
        {
            "message" => subject.Message,
            "priority" => subject.Priority.ToString(),
            "pageUrl" => await subject.PageUrl(),
            "contact.name" => subject.ContactName,
            "contact.email" => subject.ContactEmail,
            _ => subject.ContactAttributes.GetValueOrDefault(condition.Field[ContactPrefix.Length..]),
        };
        return Compare(condition.Operator, actual, value);
    }

    private static bool Compare(string op, string? actual, string value) => op switch
    {
        "exists" => !string.IsNullOrWhiteSpace(actual),
        "equals" => string.Equals(actual?.Trim(), value, StringComparison.OrdinalIgnoreCase),
        "notEquals" => !string.Equals(actual?.Trim(), value, StringComparison.OrdinalIgnoreCase),
        "contains" => actual is not null && value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Any(word => actual.Contains(word, StringComparison.OrdinalIgnoreCase)),
        _ => false,
    };
}
