using System.Globalization;

namespace Porchlight.Server.Features.Assistant;

/// <summary>
/// A step as the flow editor edits it: every property settable, text where the form has text. It becomes a
/// <see cref="FlowStep"/> again for saving and previewing, with the properties its type does not read left out.
/// </summary>
public sealed class FlowStepModel
{
    public string Id { get; set; } = "";

    public string Type { get; set; } = "message";

    public string Text { get; set; } = "";

    public string Next { get; set; } = "";

    public string Field { get; set; } = "";

    public string Validation { get; set; } = "text";

    public string Pattern { get; set; } = "";

    public string RetryText { get; set; } = "";

    public List<FlowOptionModel> Options { get; set; } = [];

    public List<FlowBranchModel> Branches { get; set; } = [];

    public string ElseNext { get; set; } = "";

    public string MaxArticles { get; set; } = "";

    public string Threshold { get; set; } = "";

    public string TeamId { get; set; } = "";

    public string Label { get; set; } = "";

    public string Priority { get; set; } = "High";

    /// <summary>The step types and what the editor calls them.</summary>
    public static readonly IReadOnlyList<(string Type, string Name)> Types =
    [
        ("message", "Say something"), ("question", "Ask a question"), ("choice", "Offer buttons"), ("condition", "Branch on a condition"),
        ("suggestArticles", "Suggest articles"), ("identifyIntent", "Identify intent"), ("handover", "Hand over to a person"),
        ("setLabel", "Add a label"), ("setPriority", "Set priority"), ("end", "End and resolve"),
    ];

    public static string NameOf(string type) => Types.FirstOrDefault(t => t.Type == type).Name ?? type;

    /// <summary>Whether the step goes on to one next step (the others branch, wait for a yes/no, or finish).</summary>
    public bool HasNext => Type is "message" or "question" or "identifyIntent" or "setLabel" or "setPriority";

    public bool HasElse => Type is "choice" or "condition" or "suggestArticles";

    public static FlowStepModel From(FlowStep step) => new()
    {
        Id = step.Id,
        Type = step.Type,
        Text = step.Text ?? "",
        Next = step.Next ?? "",
        Field = step.Field ?? "",
        Validation = step.Validation ?? "text",
        Pattern = step.Pattern ?? "",
        RetryText = step.RetryText ?? "",
        Options = [.. (step.Options ?? []).Select(o => new FlowOptionModel { Label = o.Label, Next = o.Next ?? "" })],
        Branches = [.. (step.Branches ?? []).Select(b => new FlowBranchModel
        {
            Next = b.Next ?? "",
            Conditions = [.. b.Conditions.Select(c => new FlowConditionModel { Subject = c.Subject, Operator = c.Operator, Value = c.Value ?? "" })],
        })],
        ElseNext = step.ElseNext ?? "",
        MaxArticles = step.MaxArticles?.ToString(CultureInfo.InvariantCulture) ?? "",
        Threshold = step.Threshold?.ToString(CultureInfo.InvariantCulture) ?? "",
        TeamId = step.TeamId?.ToString() ?? "",
        Label = step.Label ?? "",
        Priority = step.Priority ?? "High",
    };

    public FlowStep ToStep() => new(
        Id.Trim(),
        Type,
        Text: Blank(Text),
        Next: HasNext ? Blank(Next) : null,
        Field: Type is "question" or "choice" or "suggestArticles" ? Blank(Field) : null,
        Validation: Type == "question" ? Validation : null,
        Pattern: Type == "question" && Validation == "pattern" ? Blank(Pattern) : null,
        RetryText: Type is "question" or "choice" or "identifyIntent" ? Blank(RetryText) : null,
        Options: Type == "choice" ? [.. Options.Select(o => new FlowOption(o.Label, Blank(o.Next)))] : null,
        Branches: Type == "condition"
            ? [.. Branches.Select(b => new FlowBranch([.. b.Conditions.Select(c => new FlowCondition(c.Subject.Trim(), c.Operator, Blank(c.Value)))], Blank(b.Next)))]
            : null,
        ElseNext: HasElse ? Blank(ElseNext) : null,
        MaxArticles: Type == "suggestArticles" && int.TryParse(MaxArticles, CultureInfo.InvariantCulture, out var max) ? max : null,
        Threshold: Type == "identifyIntent" && double.TryParse(Threshold, CultureInfo.InvariantCulture, out var threshold) ? threshold : null,
        TeamId: Type == "handover" && Guid.TryParse(TeamId, out var teamId) ? teamId : null,
        Label: Type == "setLabel" ? Blank(Label) : null,
        Priority: Type == "setPriority" ? Priority : null);

    private static string? Blank(string value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

public sealed class FlowOptionModel
{
    public string Label { get; set; } = "";

    public string Next { get; set; } = "";
}

public sealed class FlowBranchModel
{
    public List<FlowConditionModel> Conditions { get; set; } = [new()];

    public string Next { get; set; } = "";
}

public sealed class FlowConditionModel
{
    public string Subject { get; set; } = "intent";

    public string Operator { get; set; } = "equals";

    public string Value { get; set; } = "";
}
