using Microsoft.AspNetCore.Components;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Routing;

namespace Porchlight.Server.Features.Automation;

public sealed partial class AutomationActionRow
{
    private const string DefaultSnoozeMinutes = "60";

    [Parameter]
    [EditorRequired]
    public AutomationActionDraft Action { get; set; } = null!;

    [Parameter]
    public int Index { get; set; }

    [Parameter]
    public bool IsLast { get; set; }

    [Parameter]
    [EditorRequired]
    public AutomationNames Names { get; set; } = null!;

    /// <summary>What the use case said about this action when it was last saved.</summary>
    [Parameter]
    public string? Error { get; set; }

    [Parameter]
    public EventCallback<AutomationActionDraft> MovedUp { get; set; }

    [Parameter]
    public EventCallback<AutomationActionDraft> MovedDown { get; set; }

    [Parameter]
    public EventCallback<AutomationActionDraft> Removed { get; set; }

    private ActionKind Kind => AutomationNames.KindOf(Action.Type);

    // Ids saved through the API may be written in upper case, and a select shows only an exact match.
    protected override void OnParametersSet()
    {
        if ((Action.Input is ActionInput.Team or ActionInput.Agent or ActionInput.Webhook or ActionInput.Priority) && ConditionChoice.For(Choices, Action.Value) is { } choice)
        {
            Action.Value = choice.Value;
        }
    }

    private IReadOnlyList<ConditionChoice> Choices => Action.Input switch
    {
        ActionInput.Team => Names.Teams,
        ActionInput.Agent => Names.ActiveAgents,
        ActionInput.Webhook => Names.Webhooks,
        _ => ConditionField.PriorityChoices,
    };

    // Each type wants its own kind of value: start from one its input shows, so what is saved is what is seen.
    private void OnTypeChanged(ChangeEventArgs change)
    {
        if (change.Value is not string type || type == Action.Type)
        {
            return;
        }

        var keepsText = (Action.Input is ActionInput.Label or ActionInput.Text) && AutomationNames.KindOf(type).Input == Action.Input;
        Action.Type = type;
        Action.Value = Action.Input switch
        {
            _ when keepsText => Action.Value,
            ActionInput.Team or ActionInput.Agent or ActionInput.Webhook => Choices.Count > 0 ? Choices[0].Value : "",
            ActionInput.Priority => nameof(ConversationPriority.High),
            ActionInput.Minutes => DefaultSnoozeMinutes,
            _ => "",
        };
    }

    private void OnValueChanged(ChangeEventArgs change) => Action.Value = change.Value as string ?? "";

    private Task MoveUpAsync() => MovedUp.InvokeAsync(Action);

    private Task MoveDownAsync() => MovedDown.InvokeAsync(Action);

    private Task RemoveAsync() => Removed.InvokeAsync(Action);
}
