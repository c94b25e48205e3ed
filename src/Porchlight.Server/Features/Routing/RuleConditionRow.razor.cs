using Microsoft.AspNetCore.Components;

namespace Porchlight.Server.Features.Routing;

public sealed partial class RuleConditionRow
{
    [Parameter]
    [EditorRequired]
    public RuleConditionDraft Condition { get; set; } = null!;

    [Parameter]
    public int Index { get; set; }

    [Parameter]
    [EditorRequired]
    public IReadOnlyList<ConditionField> Fields { get; set; } = [];

    /// <summary>What the use case said about this condition when it was last saved.</summary>
    [Parameter]
    public IReadOnlyList<string> Errors { get; set; } = [];

    [Parameter]
    public EventCallback<RuleConditionDraft> Removed { get; set; }

    private IReadOnlyList<ConditionChoice>? Choices => Fields.FirstOrDefault(f => f.Field == Condition.Field)?.Choices;

    // "contact.plan" once its attribute is typed: not one of the offered fields, but still what the select shows.
    private bool IsNamedContactAttribute =>
        Condition.Field.StartsWith(RuleConditions.ContactPrefix, StringComparison.Ordinal) && Fields.All(f => f.Field != Condition.Field);

    // Values saved through the API may differ in case from the choices ("open"), and a select shows only an exact match.
    protected override void OnParametersSet()
    {
        if (ConditionChoice.For(Choices, Condition.Value) is { } choice)
        {
            Condition.Value = choice.Value;
        }
    }

    private void OnFieldChanged(ChangeEventArgs change)
    {
        if (change.Value is not string field)
        {
            return;
        }

        var hadChoices = Choices is not null;
        Condition.Field = field;
        // A select shows its first choice when the value is none of them: make that the value, so what is saved is what is seen.
        if (Choices is { Count: > 0 } choices)
        {
            if (choices.All(c => c.Value != Condition.Value))
            {
                Condition.Value = choices[0].Value;
            }

            if (Condition.Operator == "contains")
            {
                Condition.Operator = "equals"; // One picked value: "is" says it, "contains any of" is for typed words.
            }
        }
        else if (hadChoices)
        {
            Condition.Value = ""; // An id or a status means nothing in a typed field.
        }
    }

    private void OnAttributeChanged(ChangeEventArgs change) =>
        Condition.Field = RuleConditions.ContactPrefix + (change.Value as string ?? "").Trim();

    private void OnOperatorChanged(ChangeEventArgs change) => Condition.Operator = change.Value as string ?? Condition.Operator;

    private void OnValueChanged(ChangeEventArgs change) => Condition.Value = change.Value as string ?? "";

    private Task RemoveAsync() => Removed.InvokeAsync(Condition);
}
