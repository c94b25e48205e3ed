using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Routing;

/// <summary>
/// What routing and automation rules look at about a conversation. The page, the browser's language (both from the
/// tracker), and whether the contact had another conversation within some days, are asked for only when a rule needs them. <c>Message</c> is the contact's message
/// the rule runs for (the opening one for a new conversation).
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
    Func<int, Task<bool>>? WroteWithinDays = null,
    ConversationStatus Status = ConversationStatus.Open,
    Guid? InboxId = null,
    Guid? TeamId = null,
    Guid? AssigneeId = null,
    Func<Task<string?>>? Language = null,
    IReadOnlyDictionary<string, string>? ConversationAttributes = null);

/// <summary>Reads what rules look at about a conversation, as it is now.</summary>
public sealed class RuleSubjects(AppDbContext db, Tracking.ContactActivityQuery activity, TimeProvider clock)
{
    /// <summary>
    /// The conversation as rules see it, with <paramref name="messageId"/>'s text as the message (or, without one, the
    /// contact's first message); null when the conversation is gone.
    /// </summary>
    public async Task<RuleSubject?> ReadAsync(Guid conversationId, Guid? messageId, CancellationToken cancellationToken)
    {
        if (await db.Conversations.AsNoTracking().FirstOrDefaultAsync(c => c.Id == conversationId, cancellationToken) is not { } conversation)
        {
            return null;
        }

        var contact = await db.Contacts.AsNoTracking().Where(c => c.Id == conversation.ContactId)
            .Select(c => new { c.Name, c.Email, c.Attributes }).FirstOrDefaultAsync(cancellationToken);
        var workspace = await db.Workspaces.AsNoTracking().FirstAsync(w => w.Id == conversation.WorkspaceId, cancellationToken);
        var messages = db.Messages.AsNoTracking().Where(m => m.ConversationId == conversationId && m.Kind == MessageKind.Incoming);
        var message = await (messageId is { } id ? messages.Where(m => m.Id == id) : messages.OrderBy(m => m.Sequence))
            .Select(m => m.Text).FirstOrDefaultAsync(cancellationToken) ?? "";
        return new RuleSubject(
            message, conversation.Labels, conversation.Priority, workspace.Calendar().IsOpenAt(clock.GetUtcNow().UtcDateTime),
            contact?.Name, contact?.Email, contact?.Attributes ?? new CustomAttributes(),
            async () => (await activity.HandleAsync(conversation.ContactId, cancellationToken)).Value?.CurrentPage?.Url,
            async days =>
            {
                var since = clock.GetUtcNow().UtcDateTime.AddDays(-days);
                return await db.Conversations.AnyAsync(
                    // Only conversations before this one: rules may run after the contact has started another.
                    c => c.ContactId == conversation.ContactId && c.Number < conversation.Number && c.CreatedAt >= since, cancellationToken);
            },
            conversation.Status,
            conversation.InboxId,
            conversation.TeamId,
            conversation.AssigneeId,
            () => activity.LatestLanguageAsync(conversation.ContactId, cancellationToken),
            conversation.Attributes);
    }
}

/// <summary>How rule conditions are checked when saved and tested against a conversation.</summary>
public static class RuleConditions
{
    public const string ContactPrefix = "contact.";

    public const int MaxRepeatDays = 365;

    private static readonly string[] PlainFields =
        ["message", "label", "priority", "businessHours", "pageUrl", "language", "repeatContact", "status", "inbox", "team", "assignee", "intent", "sentiment"];
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
            var at = $"{field}[{i}]";
            if (conditions[i] is not { } condition)
            {
                errors.Add(at, "A condition: field, operator and value.");
                continue;
            }

            var (name, op, value) = (condition.Field ?? "", condition.Operator ?? "", condition.Value ?? "");
            var contactField = name.StartsWith(ContactPrefix, StringComparison.Ordinal) && name.Length > ContactPrefix.Length;
            if (!PlainFields.Contains(name) && !contactField)
            {
                errors.Add($"{at}.field",
                    "One of message, label, priority, businessHours, pageUrl, language, repeatContact, status, inbox, team, assignee, intent, sentiment, contact.name, contact.email or contact.<attribute>.");
            }

            if (!Operators.Contains(op))
            {
                errors.Add($"{at}.operator", "One of contains, equals, notEquals, exists, atLeast.");
            }
            else if (op == "atLeast" ? name != "priority" || !EnumNames.TryParse<ConversationPriority>(value, out _) : false)
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

            if (name is "inbox" or "team" or "assignee" && op != "exists" && !Guid.TryParse(value, out _))
            {
                errors.Add($"{at}.value", $"The id of the {name} (or the operator exists, for {name} set).");
            }

            if (name == "sentiment" && !(op is "equals" or "notEquals" && EnumNames.TryParse<Assistant.SentimentLabel>(value, out _)))
            {
                errors.Add($"{at}.value", "sentiment equals (or notEquals) negative, neutral or positive: how the contact's message sounds.");
            }

            if (name == "status" && op != "exists" && !EnumNames.TryParse<ConversationStatus>(value, out _))
            {
                errors.Add($"{at}.value", "One of Open, Pending, Snoozed, Resolved.");
            }

            if (value.Length > RoutingRule.MaxValueLength || (op != "exists" && string.IsNullOrWhiteSpace(value)))
            {
                errors.Add($"{at}.value", $"1–{RoutingRule.MaxValueLength} characters.");
            }
        }
    }

    // A language tag matches a value that names it or its primary language: "de" matches "de-AT"; "de-AT" only itself.
    private static bool LanguageHolds(string op, string? language, string value)
    {
        bool Names(string tag) => tag.Length > 0 && language is not null
            && (language.Equals(tag, StringComparison.OrdinalIgnoreCase) || language.StartsWith(tag + "-", StringComparison.OrdinalIgnoreCase));
        return op switch
        {
            "exists" => !string.IsNullOrWhiteSpace(language),
            "equals" => Names(value),
            "notEquals" => !Names(value),
            "contains" => value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Any(Names),
            _ => false,
        };
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
                return EnumNames.TryParse<ConversationPriority>(value, out var least) && subject.Priority >= least;
            case "businessHours":
                return subject.BusinessHoursOpen == value.Equals("open", StringComparison.OrdinalIgnoreCase);
            case "repeatContact":
                return int.TryParse(value, out var days) && subject.WroteWithinDays is { } wrote && await wrote(days);
            case "language":
                return LanguageHolds(condition.Operator, subject.Language is null ? null : await subject.Language(), value);
        }

        var actual = condition.Field switch
        {
            "message" => subject.Message,
            "priority" => subject.Priority.ToString(),
            "pageUrl" => await subject.PageUrl(),
            "status" => subject.Status.ToString(),
            "inbox" => subject.InboxId?.ToString(),
            "team" => subject.TeamId?.ToString(),
            "assignee" => subject.AssigneeId?.ToString(),
            "intent" => subject.ConversationAttributes?.GetValueOrDefault("intent"),
            "sentiment" => Assistant.Sentiment.Of(subject.Message).Label.ToString(),
            "contact.name" => subject.ContactName,
            "contact.email" => subject.ContactEmail,
            _ => subject.ContactAttributes.GetValueOrDefault(condition.Field[ContactPrefix.Length..]),
        };
        return Compare(condition.Operator, actual, value);
    }

    /// <summary>Compares a value as rule conditions do: case-insensitive, trimmed; <c>contains</c> any of comma-separated words.</summary>
    public static bool Compare(string op, string? actual, string value) => op switch
    {
        "exists" => !string.IsNullOrWhiteSpace(actual),
        "equals" => string.Equals(actual?.Trim(), value, StringComparison.OrdinalIgnoreCase),
        "notEquals" => !string.Equals(actual?.Trim(), value, StringComparison.OrdinalIgnoreCase),
        "contains" => actual is not null && value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Any(word => actual.Contains(word, StringComparison.OrdinalIgnoreCase)),
        _ => false,
    };
}
