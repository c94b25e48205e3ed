using System.Text.RegularExpressions;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Assistant;

/// <summary>
/// One step of an assistant flow. <see cref="Type"/> decides which of the other properties it reads:
/// <list type="bullet">
/// <item><c>message</c>: says <see cref="Text"/>, then <see cref="Next"/>.</item>
/// <item><c>question</c>: asks <see cref="Text"/> and keeps the answer as <see cref="Field"/> once it passes
/// <see cref="Validation"/> (<c>text</c>, <c>email</c>, <c>phone</c>, <c>number</c> or <c>pattern</c> with <see cref="Pattern"/>);
/// an answer that does not pass gets <see cref="RetryText"/> and is asked again. <c>name</c> and <c>email</c> also describe the contact.</item>
/// <item><c>choice</c>: asks <see cref="Text"/> with a quick-reply button per option; each option has its own next step.
/// Free text that names no option goes to <see cref="ElseNext"/> (asked again when there is none).</item>
/// <item><c>condition</c>: the first branch whose conditions all hold decides the next step, else <see cref="ElseNext"/>.</item>
/// <item><c>suggestArticles</c>: offers up to <see cref="MaxArticles"/> published articles for the visitor's words (or <see cref="Field"/>)
/// and the recognised intent, and asks whether that solved it: yes resolves the conversation as self-served, no goes to
/// <see cref="ElseNext"/> (or hands over). Without a match it says so and goes to <see cref="ElseNext"/>.</item>
/// <item><c>identifyIntent</c>: classifies the visitor's words; at or above <see cref="Threshold"/> the intent is set on
/// the conversation (attribute <c>intent</c> and a label) and the flow goes on to <see cref="Next"/>; below it the
/// assistant says it is not sure and offers a person or another try.</item>
/// <item><c>handover</c>: hands the conversation to people (<see cref="TeamId"/>, else routing rules), with a summary note.</item>
/// <item><c>setLabel</c> (<see cref="Label"/>) and <c>setPriority</c> (<see cref="Priority"/>), then <see cref="Next"/>.</item>
/// <item><c>end</c>: says <see cref="Text"/> (if any) and resolves the conversation.</item>
/// </list>
/// </summary>
public sealed record FlowStep(
    string Id,
    string Type,
    string? Text = null,
    string? Next = null,
    string? Field = null,
    string? Validation = null,
    string? Pattern = null,
    string? RetryText = null,
    IReadOnlyList<FlowOption>? Options = null,
    IReadOnlyList<FlowBranch>? Branches = null,
    string? ElseNext = null,
    int? MaxArticles = null,
    double? Threshold = null,
    Guid? TeamId = null,
    string? Label = null,
    string? Priority = null);

/// <summary>A quick-reply button of a choice step: what it says, and where it leads.</summary>
public sealed record FlowOption(string Label, string? Next);

/// <summary>A branch of a condition step: taken when every condition holds.</summary>
public sealed record FlowBranch(IReadOnlyList<FlowCondition> Conditions, string? Next);

/// <summary>
/// A test on what the assistant knows. <see cref="Subject"/> is <c>field.&lt;name&gt;</c> (an answer collected in this
/// conversation), <c>contact.name</c>, <c>contact.email</c>, <c>contact.&lt;attribute&gt;</c>, <c>intent</c>,
/// <c>message</c> (the visitor's latest words) or <c>businessHours</c> (<c>open</c> or <c>closed</c>); operators as
/// routing rules have them: <c>equals</c>, <c>notEquals</c>, <c>contains</c> (any of comma-separated words), <c>exists</c>.
/// </summary>
public sealed record FlowCondition(string Subject, string Operator, string? Value);

/// <summary>An assistant flow: its steps, the first of which starts it.</summary>
public sealed record FlowDefinition(IReadOnlyList<FlowStep> Steps)
{
    public const int MaxSteps = 100;
    public const int MaxTextLength = 1000;
    public const int MaxIdLength = 40;
    public const int MaxOptions = 8;
    public const int MaxOptionLength = 40;
    public const int MaxBranches = 10;
    public const int MaxConditions = 10;
    public const int MaxFieldLength = 40;
    public const double DefaultThreshold = 0.5;
    public const int DefaultArticles = 3;

    public static readonly string[] StepTypes =
        ["message", "question", "choice", "condition", "suggestArticles", "identifyIntent", "handover", "setLabel", "setPriority", "end"];

    public static readonly string[] Validations = ["text", "email", "phone", "number", "pattern"];

    private static readonly string[] Operators = ["equals", "notEquals", "contains", "exists"];

    public FlowStep? Find(string? id) => id is null ? null : Steps.FirstOrDefault(s => s.Id == id);

    /// <summary>
    /// Field errors for a flow that could not run as written: unknown types, missing texts, next steps that do not
    /// exist, patterns that do not compile. <paramref name="teamExists"/> says whether a named team is the workspace's.
    /// </summary>
    public static void Validate(FieldErrors errors, FlowDefinition? definition, Func<Guid, bool> teamExists)
    {
        if (definition?.Steps is not { Count: > 0 and <= MaxSteps } steps)
        {
            errors.Add("steps", $"1–{MaxSteps} steps; the first one starts the flow.");
            return;
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i]?.Id is not { } id || !IsValidId(id))
            {
                errors.Add($"steps[{i}].id", $"1–{MaxIdLength} letters, digits, '-' or '_'.");
            }
            else if (!ids.Add(id))
            {
                errors.Add($"steps[{i}].id", $"“{id}” is the id of another step.");
            }
        }

        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i] is { } step)
            {
                ValidateStep(errors, $"steps[{i}]", step, ids, teamExists);
            }
        }
    }

    private static void ValidateStep(FieldErrors errors, string at, FlowStep step, HashSet<string> ids, Func<Guid, bool> teamExists)
    {
        void Target(string field, string? next, bool required = false)
        {
            if (next is null ? required : !ids.Contains(next))
            {
                errors.Add($"{at}.{field}", next is null ? "The step to go to." : $"No step has the id “{next}”.");
            }
        }

        void Text(string field, string? text, bool required)
        {
            if (text is null ? required : string.IsNullOrWhiteSpace(text) || text.Length > MaxTextLength)
            {
                errors.Add($"{at}.{field}", $"1–{MaxTextLength} characters.");
            }
        }

        if (!StepTypes.Contains(step.Type))
        {
            errors.Add($"{at}.type", $"One of {string.Join(", ", StepTypes)}.");
            return;
        }

        Text("text", step.Text, required: step.Type is "message" or "question" or "choice");
        Text("retryText", step.RetryText, required: false);
        Target("next", step.Next);
        Target("elseNext", step.ElseNext);
        switch (step.Type)
        {
            case "question" when step.Field == "email" && step.Validation != "email":
                // The answer becomes the contact's email address: it must be one.
                errors.Add($"{at}.validation", "An answer kept as email is validated as an email address (validation: email).");
                break;
            case "question":
                ValidateField(errors, at, step.Field, required: true);
                if (!Validations.Contains(step.Validation ?? "text"))
                {
                    errors.Add($"{at}.validation", $"One of {string.Join(", ", Validations)}.");
                }
                else if (step.Validation == "pattern" && !IsValidPattern(step.Pattern))
                {
                    errors.Add($"{at}.pattern", "A regular expression that compiles, up to 200 characters.");
                }

                break;
            case "choice":
                ValidateField(errors, at, step.Field, required: false);
                if (step.Field == "email")
                {
                    errors.Add($"{at}.field", "A button is not an email address: keep the choice under another name.");
                }

                if (step.Options is not { Count: > 0 and <= MaxOptions } options)
                {
                    errors.Add($"{at}.options", $"1–{MaxOptions} options.");
                    break;
                }

                for (var o = 0; o < options.Count; o++)
                {
                    if (options[o] is not { Label: { } label } || string.IsNullOrWhiteSpace(label) || label.Length > MaxOptionLength)
                    {
                        errors.Add($"{at}.options[{o}].label", $"1–{MaxOptionLength} characters.");
                    }

                    Target($"options[{o}].next", options[o]?.Next, required: true);
                }

                break;
            case "condition":
                if (step.Branches is not { Count: > 0 and <= MaxBranches } branches)
                {
                    errors.Add($"{at}.branches", $"1–{MaxBranches} branches.");
                    break;
                }

                for (var b = 0; b < branches.Count; b++)
                {
                    Target($"branches[{b}].next", branches[b]?.Next, required: true);
                    ValidateConditions(errors, $"{at}.branches[{b}]", branches[b]?.Conditions);
                }

                break;
            case "suggestArticles" when step.MaxArticles is < 1 or > 5:
                errors.Add($"{at}.maxArticles", "1–5 articles.");
                break;
            case "suggestArticles":
                ValidateField(errors, at, step.Field, required: false);
                break;
            case "identifyIntent" when step.Threshold is < 0 or > 1:
                errors.Add($"{at}.threshold", "A confidence between 0 and 1.");
                break;
            case "handover" when step.TeamId is { } teamId && !teamExists(teamId):
                errors.Add($"{at}.teamId", "No team of this workspace has this id.");
                break;
            case "setLabel" when string.IsNullOrWhiteSpace(step.Label) || step.Label.Trim().Length > Conversation.MaxLabelLength:
                errors.Add($"{at}.label", $"1–{Conversation.MaxLabelLength} characters.");
                break;
            case "setPriority" when !EnumNames.TryParse<ConversationPriority>(step.Priority, out _):
                errors.Add($"{at}.priority", "One of None, Low, Medium, High, Urgent.");
                break;
        }
    }

    private static void ValidateField(FieldErrors errors, string at, string? field, bool required)
    {
        if (field is null ? required : !IsValidId(field) || field.Length > MaxFieldLength)
        {
            errors.Add($"{at}.field", $"A name for the answer: 1–{MaxFieldLength} letters, digits, '-' or '_'.");
        }
    }

    private static void ValidateConditions(FieldErrors errors, string at, IReadOnlyList<FlowCondition>? conditions)
    {
        if (conditions is not { Count: > 0 and <= MaxConditions })
        {
            errors.Add($"{at}.conditions", $"1–{MaxConditions} conditions.");
            return;
        }

        for (var c = 0; c < conditions.Count; c++)
        {
            var condition = conditions[c];
            var subject = condition?.Subject ?? "";
            var known = subject is "intent" or "message" or "businessHours" or "contact.name" or "contact.email"
                || (subject.StartsWith("field.", StringComparison.Ordinal) && IsValidId(subject["field.".Length..]))
                || (subject.StartsWith(Routing.RuleConditions.ContactPrefix, StringComparison.Ordinal) && subject.Length > Routing.RuleConditions.ContactPrefix.Length);
            if (!known)
            {
                errors.Add($"{at}.conditions[{c}].subject", "One of field.<name>, contact.name, contact.email, contact.<attribute>, intent, message, businessHours.");
            }

            if (subject == "businessHours")
            {
                if (condition!.Operator is not ("equals" or "notEquals") || condition.Value?.Trim().ToLowerInvariant() is not ("open" or "closed"))
                {
                    errors.Add($"{at}.conditions[{c}].value", "businessHours equals (or notEquals) open or closed.");
                }

                continue;
            }

            if (!Operators.Contains(condition?.Operator))
            {
                errors.Add($"{at}.conditions[{c}].operator", "One of equals, notEquals, contains, exists.");
            }
            else if (condition!.Operator != "exists" && (string.IsNullOrWhiteSpace(condition.Value) || condition.Value.Length > MaxTextLength))
            {
                errors.Add($"{at}.conditions[{c}].value", $"1–{MaxTextLength} characters.");
            }
        }
    }

    private static bool IsValidId(string? id) =>
        id is { Length: > 0 and <= MaxIdLength } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static bool IsValidPattern(string? pattern)
    {
        if (pattern is not { Length: > 0 and <= 200 })
        {
            return false;
        }

        try
        {
            _ = new Regex(pattern, RegexOptions.None, FlowRun.PatternTimeout);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
