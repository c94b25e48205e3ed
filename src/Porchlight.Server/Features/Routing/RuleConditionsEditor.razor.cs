using Microsoft.AspNetCore.Components;
using Porchlight.Server.Components;
using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Features.Routing;

/// <summary>A field a rule form offers; with <see cref="Choices"/> its value is picked from them rather than typed.</summary>
public sealed record ConditionField(string Field, string Label, IReadOnlyList<ConditionChoice>? Choices = null)
{
    public static IReadOnlyList<ConditionChoice> PriorityChoices { get; } =
        [.. Enum.GetValues<ConversationPriority>().Select(p => new ConditionChoice(p.ToString(), p.ToString()))];

    public static ConditionField ContactAttribute { get; } = new(RuleConditions.ContactPrefix, "Contact attribute…");

    public static ConditionField Priority(string label) => new("priority", label, PriorityChoices);

    public static ConditionField BusinessHours(string label) => new("businessHours", label, [new("open", "open"), new("closed", "closed")]);

    /// <summary>The tone of the contact's message (Assistant.Sentiment).</summary>
    public static ConditionField Sentiment { get; } = new("sentiment", "Tone of the message", [new("negative", "negative"), new("neutral", "neutral"), new("positive", "positive")]);

    /// <summary>The intent the assistant recognised (its name, as on the Intents page).</summary>
    public static ConditionField Intent { get; } = new("intent", "Intent the assistant recognised");
}

/// <summary>One value a field can be picked to: what is saved, and what the form and the summaries show.</summary>
public sealed record ConditionChoice(string Value, string Label)
{
    /// <summary>The choice a saved value stands for, whatever its case: the API takes "open" for Open and ids in either case.</summary>
    public static ConditionChoice? For(IReadOnlyList<ConditionChoice>? choices, string? value) =>
        choices?.FirstOrDefault(c => string.Equals(c.Value, value, StringComparison.OrdinalIgnoreCase));
}

/// <summary>A condition being written in a rule form.</summary>
public sealed class RuleConditionDraft
{
    public string Field { get; set; } = "message";

    public string Operator { get; set; } = "contains";

    public string Value { get; set; } = "";

    public bool NeedsValue => Operator != "exists";

    public static RuleConditionDraft From(RuleCondition condition) => new() { Field = condition.Field, Operator = condition.Operator, Value = condition.Value };

    // A value left behind in a hidden input would be saved with "is set", which ignores it.
    public RuleCondition ToCondition() => new(Field, Operator, NeedsValue ? Value : "");
}

public sealed partial class RuleConditionsEditor
{
    internal static readonly (string Operator, string Label)[] Operators =
    [
        ("contains", "contains any of"), ("equals", "is"), ("notEquals", "is not"), ("exists", "is set"), ("atLeast", "is at least"),
    ];

    [Parameter]
    [EditorRequired]
    public List<RuleConditionDraft> Conditions { get; set; } = [];

    [Parameter]
    [EditorRequired]
    public IReadOnlyList<ConditionField> Fields { get; set; } = [];

    [Parameter]
    [EditorRequired]
    public FormErrors Errors { get; set; } = null!;

    /// <summary>The request field the conditions are saved under, which the use case's field errors name.</summary>
    [Parameter]
    public string ErrorField { get; set; } = "conditions";

    /// <summary>"Opening message contains any of return, refund", "Team is Billing": a condition in the words of the form's fields and choices.</summary>
    public static string Describe(RuleCondition condition, IReadOnlyList<ConditionField> fields)
    {
        var field = fields.FirstOrDefault(f => f.Field == condition.Field);
        var value = ConditionChoice.For(field?.Choices, condition.Value)?.Label ?? condition.Value;
        return $"{field?.Label ?? condition.Field} {Operators.First(o => o.Operator == condition.Operator).Label} {value}".Trim();
    }

    private void Add() => Conditions.Add(new());

    private void Remove(RuleConditionDraft condition) => Conditions.Remove(condition);
}
