using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Routing;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Automation;

/// <summary>A rule as saved: all fields; <c>conditions</c> empty matches every conversation.</summary>
public sealed record AutomationRuleRequest(
    string? Name, bool? IsEnabled, AutomationTrigger? Trigger, List<RuleCondition>? Conditions, List<AutomationAction>? Actions);

public sealed record AutomationRuleResponse(
    Guid Id, int Position, string Name, bool IsEnabled, AutomationTrigger Trigger, IReadOnlyList<RuleCondition> Conditions, IReadOnlyList<AutomationAction> Actions)
{
    public static AutomationRuleResponse From(AutomationRule r) => new(r.Id, r.Position, r.Name, r.IsEnabled, r.Trigger, r.Conditions, r.Actions);
}

/// <summary>One run of a rule on a conversation; <c>ConversationNumber</c> is the number agents know it by.</summary>
public sealed record AutomationRunResponse(
    Guid Id, Guid RuleId, Guid ConversationId, int ConversationNumber, AutomationTrigger Trigger, AutomationOutcome Outcome, string Summary, DateTime RanAt);

/// <summary>The new order of the rules: those named come first, in this order; the others keep theirs after them.</summary>
public sealed record ReorderAutomationRequest(List<Guid>? RuleIds);

/// <summary>The workspace's automation rules, in the order they run, and what they did.</summary>
public sealed class AutomationRules(AppDbContext db, ActingAgent actor)
{
    public const int MaxRunsShown = 200;

    private static readonly string[] ActionTypes =
        ["assignTeam", "assignAgent", "unassign", "addLabel", "removeLabel", "setPriority", "sendReply", "addNote", "snooze", "resolve", "sendWebhook"];

    public async Task<List<AutomationRuleResponse>> ListAsync(CancellationToken cancellationToken) =>
        (await OrderedAsync(cancellationToken)).ConvertAll(AutomationRuleResponse.From);

    public async Task<Result<AutomationRuleResponse>> CreateAsync(AutomationRuleRequest request, CancellationToken cancellationToken)
    {
        var rules = await OrderedAsync(cancellationToken);
        if (rules.Count >= AutomationRule.MaxRules)
        {
            return Failure.Conflict($"A workspace has at most {AutomationRule.MaxRules} automation rules.");
        }

        var rule = AutomationRule.Create(actor.WorkspaceId, rules.Count == 0 ? 1 : rules.Max(r => r.Position) + 1);
        if (await ApplyAsync(rule, request, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        db.AutomationRules.Add(rule);
        await db.SaveChangesAsync(cancellationToken);
        return AutomationRuleResponse.From(rule);
    }

    public async Task<Result<AutomationRuleResponse>> UpdateAsync(Guid ruleId, AutomationRuleRequest request, CancellationToken cancellationToken)
    {
        if (await db.AutomationRules.FirstOrDefaultAsync(r => r.Id == ruleId, cancellationToken) is not { } rule)
        {
            return Failure.NotFound("The automation rule");
        }

        if (await ApplyAsync(rule, request, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        await db.SaveChangesAsync(cancellationToken);
        return AutomationRuleResponse.From(rule);
    }

    public async Task<Result<Done>> DeleteAsync(Guid ruleId, CancellationToken cancellationToken)
    {
        if (await db.AutomationRules.FirstOrDefaultAsync(r => r.Id == ruleId, cancellationToken) is not { } rule)
        {
            return Failure.NotFound("The automation rule");
        }

        db.AutomationRules.Remove(rule);
        await db.SaveChangesAsync(cancellationToken);
        return new Done();
    }

    public async Task<Result<List<AutomationRuleResponse>>> ReorderAsync(ReorderAutomationRequest request, CancellationToken cancellationToken)
    {
        var rules = await OrderedAsync(cancellationToken);
        if (request.RuleIds is not { } first || first.Distinct().Count() != first.Count || first.Any(id => rules.All(r => r.Id != id)))
        {
            return Failure.Invalid("ruleIds", "Automation rules of this workspace, each once, in the order they should come first.");
        }

        var order = first.Concat(rules.Select(r => r.Id).Except(first)).ToList();
        for (var i = 0; i < order.Count; i++)
        {
            rules.Single(r => r.Id == order[i]).MoveTo(i + 1);
        }

        await db.SaveChangesAsync(cancellationToken);
        return (await OrderedAsync(cancellationToken)).ConvertAll(AutomationRuleResponse.From);
    }

    /// <summary>The rule's latest executions, newest first.</summary>
    public async Task<Result<List<AutomationRunResponse>>> RunsAsync(Guid ruleId, CancellationToken cancellationToken)
    {
        if (!await db.AutomationRules.AnyAsync(r => r.Id == ruleId, cancellationToken))
        {
            return Failure.NotFound("The automation rule");
        }

        return await db.AutomationRuns.AsNoTracking().Where(r => r.RuleId == ruleId)
            .Join(db.Conversations, r => r.ConversationId, c => c.Id, (r, c) => new { Run = r, c.Number })
            .OrderByDescending(x => x.Run.RanAt).ThenByDescending(x => x.Run.Id)
            .Take(MaxRunsShown)
            .Select(x => new AutomationRunResponse(x.Run.Id, x.Run.RuleId, x.Run.ConversationId, x.Number, x.Run.Trigger, x.Run.Outcome, x.Run.Summary, x.Run.RanAt))
            .ToListAsync(cancellationToken);
    }

    private Task<List<AutomationRule>> OrderedAsync(CancellationToken cancellationToken) =>
        db.AutomationRules.OrderBy(r => r.Position).ThenBy(r => r.Id).ToListAsync(cancellationToken);

    private async Task<Failure?> ApplyAsync(AutomationRule rule, AutomationRuleRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().Required("name", request.Name, AutomationRule.MaxNameLength);
        if (request.Trigger is not { } trigger || !Enum.IsDefined(trigger))
        {
            errors.Add("trigger", "One of ConversationCreated, MessageReceived, StatusChanged, AssignmentChanged, PriorityChanged, SlaWarning, SlaBreached.");
        }

        RuleConditions.Validate(errors, "conditions", request.Conditions);
        await ValidateActionsAsync(errors, request.Actions, cancellationToken);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        rule.Change(
            request.Name!,
            request.IsEnabled ?? true,
            request.Trigger!.Value,
            request.Conditions!.Select(c => c with { Value = c.Value?.Trim() ?? "" }),
            request.Actions!.Select(a => a with { Value = a.Value?.Trim() }));
        return null;
    }

    private async Task ValidateActionsAsync(FieldErrors errors, List<AutomationAction>? actions, CancellationToken cancellationToken)
    {
        if (actions is null || actions.Count == 0 || actions.Count > AutomationRule.MaxActions)
        {
            errors.Add("actions", $"1 to {AutomationRule.MaxActions} actions.");
            return;
        }

        for (var i = 0; i < actions.Count; i++)
        {
            var at = $"actions[{i}]";
            var value = actions[i]?.Value?.Trim() ?? "";
            var ok = actions[i]?.Type switch
            {
                "assignTeam" => Guid.TryParse(value, out var teamId) && await db.Teams.AnyAsync(t => t.Id == teamId, cancellationToken),
                "assignAgent" => Guid.TryParse(value, out var agentId) && await db.Agents.AnyAsync(a => a.Id == agentId && a.IsActive, cancellationToken),
                "unassign" or "resolve" => true,
                "addLabel" or "removeLabel" => value.Length is > 0 and <= Conversation.MaxLabelLength,
                "setPriority" => EnumNames.TryParse<ConversationPriority>(value, out _),
                "sendReply" or "addNote" => value.Length is > 0 and <= AutomationRule.MaxValueLength,
                "snooze" => int.TryParse(value, out var minutes) && minutes is >= 1 and <= 60 * 24 * 90,
                "sendWebhook" => Guid.TryParse(value, out var webhookId) && await db.WebhookSubscriptions.AnyAsync(w => w.Id == webhookId, cancellationToken),
                _ => false,
            };
            if (!ok)
            {
                errors.Add(at, ActionTypes.Contains(actions[i]?.Type)
                    ? $"{actions[i]!.Type} needs {Needs(actions[i]!.Type)}."
                    : $"type is one of {string.Join(", ", ActionTypes)}.");
            }
        }
    }

    private static string Needs(string type) => type switch
    {
        "assignTeam" => "the id of a team of this workspace",
        "assignAgent" => "the id of an active agent of this workspace",
        "addLabel" or "removeLabel" => $"a label of 1–{Conversation.MaxLabelLength} characters",
        "setPriority" => "a priority: None, Low, Medium, High or Urgent",
        "sendReply" or "addNote" => $"a text of 1–{AutomationRule.MaxValueLength} characters",
        "snooze" => "a number of minutes, 1 to 129600 (90 days)",
        "sendWebhook" => "the id of a webhook of this workspace",
        _ => "no value",
    };
}
