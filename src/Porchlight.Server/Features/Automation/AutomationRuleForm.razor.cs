using Microsoft.AspNetCore.Components;
using Porchlight.Server.Components;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Routing;

namespace Porchlight.Server.Features.Automation;

/// <summary>What an action's value is, and so which input the form shows for it.</summary>
public enum ActionInput
{
    None,
    Team,
    Agent,
    Label,
    Priority,
    Text,
    Minutes,
    Webhook,
}

/// <summary>An action type as the form offers it; its label, lower-cased and followed by the value, is how summaries say it.</summary>
public sealed record ActionKind(string Type, string Label, ActionInput Input);

/// <summary>
/// The words the automation page uses for triggers and actions, and the workspace's teams, agents and inboxes by
/// name, so the form offers them to pick and the summaries name them instead of showing ids.
/// </summary>
public sealed class AutomationNames(
    IReadOnlyList<ConditionChoice> teams, IReadOnlyList<ConditionChoice> activeAgents, IReadOnlyList<ConditionChoice> inboxes, IReadOnlyList<ConditionChoice>? webhooks = null)
{
    public static IReadOnlyList<(AutomationTrigger Trigger, string Label)> Triggers { get; } =
    [
        (AutomationTrigger.ConversationCreated, "a conversation is created"),
        (AutomationTrigger.MessageReceived, "a message is received"),
        (AutomationTrigger.StatusChanged, "the status changes"),
        (AutomationTrigger.AssignmentChanged, "the assignee or team changes"),
        (AutomationTrigger.PriorityChanged, "the priority changes"),
        (AutomationTrigger.SlaWarning, "an SLA target is near"),
        (AutomationTrigger.SlaBreached, "an SLA target is missed"),
    ];

    public static IReadOnlyList<ActionKind> Actions { get; } =
    [
        new("addLabel", "Add label", ActionInput.Label),
        new("removeLabel", "Remove label", ActionInput.Label),
        new("setPriority", "Set priority", ActionInput.Priority),
        new("assignTeam", "Send to team", ActionInput.Team),
        new("assignAgent", "Assign to", ActionInput.Agent),
        new("unassign", "Unassign", ActionInput.None),
        new("sendReply", "Send a reply", ActionInput.Text),
        new("addNote", "Add a private note", ActionInput.Text),
        new("snooze", "Snooze for", ActionInput.Minutes),
        new("resolve", "Resolve", ActionInput.None),
        new("sendWebhook", "Send to webhook", ActionInput.Webhook),
    ];

    public static AutomationNames None { get; } = new([], [], []);

    public IReadOnlyList<ConditionChoice> Teams { get; } = teams;

    public IReadOnlyList<ConditionChoice> ActiveAgents { get; } = activeAgents;

    public IReadOnlyList<ConditionChoice> Webhooks { get; } = webhooks ?? [];

    /// <summary>The conditions an automation rule can test; a message-received rule's "message" is the message just received.</summary>
    public IReadOnlyList<ConditionField> ConditionFields { get; } =
    [
        new("message", "Message"), ConditionField.Sentiment, ConditionField.Intent, new("label", "A label"), ConditionField.Priority("Priority"),
        new("status", "Status", [.. Enum.GetValues<ConversationStatus>().Select(s => new ConditionChoice(s.ToString(), s.ToString()))]),
        new("inbox", "Inbox", inboxes), new("team", "Team", teams), new("assignee", "Assignee", activeAgents),
        ConditionField.BusinessHours("Business hours"), new("pageUrl", "Page the contact is on"), new("language", "Browser language (e.g. de, pt-BR)"), new("repeatContact", "Wrote before within (days)"),
        new("contact.name", "Contact name"), new("contact.email", "Contact email"), ConditionField.ContactAttribute,
    ];

    public static ActionKind KindOf(string type) => Actions.FirstOrDefault(a => a.Type == type) ?? new(type, type, ActionInput.Text);

    /// <summary>"When a message is received, if message contains any of refund → add label billing, send a reply".</summary>
    public string Summary(AutomationRuleResponse rule)
    {
        var when = $"When {Triggers.First(t => t.Trigger == rule.Trigger).Label}";
        var conditions = rule.Conditions.Select(c => RuleConditionsEditor.Describe(c, ConditionFields)).Select(c => char.ToLowerInvariant(c[0]) + c[1..]);
        var then = rule.Actions.Select(a => $"{KindOf(a.Type).Label.ToLowerInvariant()} {ValueOf(a)}".Trim());
        return $"{when}{(rule.Conditions.Count == 0 ? "" : $", if {string.Join(" and ", conditions)}")} → {string.Join(", ", then)}";
    }

    // The value as the summary says it: replies and notes are too long for a line, so only their kind is named.
    private string ValueOf(AutomationAction action) => KindOf(action.Type).Input switch
    {
        ActionInput.Team => NameIn(Teams, action.Value, "a team no longer here"),
        ActionInput.Agent => NameIn(ActiveAgents, action.Value, "an agent no longer active"),
        ActionInput.Webhook => NameIn(Webhooks, action.Value, "a webhook no longer here"),
        ActionInput.Minutes => $"{action.Value} min",
        ActionInput.Label or ActionInput.Priority => action.Value ?? "",
        _ => "",
    };

    private static string NameIn(IReadOnlyList<ConditionChoice> choices, string? id, string missing) => ConditionChoice.For(choices, id)?.Label ?? missing;
}

/// <summary>An action being written in the form.</summary>
public sealed class AutomationActionDraft
{
    public string Type { get; set; } = "addLabel";

    public string Value { get; set; } = "";

    public ActionInput Input => AutomationNames.KindOf(Type).Input;
}

/// <summary>A rule being written in the form.</summary>
public sealed class AutomationRuleDraft
{
    public Guid? Id { get; private init; }

    public string Name { get; set; } = "";

    public bool IsEnabled { get; set; } = true;

    public AutomationTrigger Trigger { get; set; } = AutomationTrigger.MessageReceived;

    public List<RuleConditionDraft> Conditions { get; private init; } = [];

    public List<AutomationActionDraft> Actions { get; private init; } = [new()];

    public static AutomationRuleDraft From(AutomationRuleResponse rule) => new()
    {
        Id = rule.Id,
        Name = rule.Name,
        IsEnabled = rule.IsEnabled,
        Trigger = rule.Trigger,
        Conditions = [.. rule.Conditions.Select(RuleConditionDraft.From)],
        Actions = [.. rule.Actions.Select(a => new AutomationActionDraft { Type = a.Type, Value = a.Value ?? "" })],
    };

    public AutomationRuleRequest ToRequest() => new(
        Name,
        IsEnabled,
        Trigger,
        [.. Conditions.Select(c => c.ToCondition())],
        [.. Actions.Select(a => new AutomationAction(a.Type, a.Input == ActionInput.None ? null : a.Value))]);
}

/// <summary>Writes an automation rule: its trigger, the shared condition rows, and its actions in order.</summary>
public sealed partial class AutomationRuleForm
{
    [Parameter]
    [EditorRequired]
    public AutomationRuleDraft Draft { get; set; } = null!;

    [Parameter]
    [EditorRequired]
    public AutomationNames Names { get; set; } = null!;

    [Parameter]
    [EditorRequired]
    public FormErrors Errors { get; set; } = null!;

    [Parameter]
    public bool Busy { get; set; }

    [Parameter]
    public EventCallback Saved { get; set; }

    [Parameter]
    public EventCallback Cancelled { get; set; }

    // Methods, not the parent's callbacks or lambdas, so the handlers keep their ids across renders (decisions/0014).
    private Task SubmitAsync() => Saved.InvokeAsync();

    private Task CancelAsync() => Cancelled.InvokeAsync();

    private void OnTriggerChanged(ChangeEventArgs change)
    {
        if (Enum.TryParse<AutomationTrigger>(change.Value as string, out var trigger))
        {
            Draft.Trigger = trigger;
        }
    }

    private void AddAction() => Draft.Actions.Add(new());

    private void MoveUp(AutomationActionDraft action) => Swap(Draft.Actions.IndexOf(action), -1);

    private void MoveDown(AutomationActionDraft action) => Swap(Draft.Actions.IndexOf(action), 1);

    private void Remove(AutomationActionDraft action) => Draft.Actions.Remove(action);

    private void Swap(int index, int by) =>
        (Draft.Actions[index], Draft.Actions[index + by]) = (Draft.Actions[index + by], Draft.Actions[index]);
}
