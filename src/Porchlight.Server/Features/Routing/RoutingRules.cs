using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Routing;

/// <summary>
/// A rule as saved: all fields; <c>conditions</c> empty matches every conversation. <c>agentIds</c> (optional) names
/// agents who get its conversations first when one of them is online with room.
/// </summary>
public sealed record RoutingRuleRequest(
    string? Name, bool? IsEnabled, List<RuleCondition>? Conditions, Guid? TeamId, ConversationPriority? Priority, List<string>? AddLabels,
    List<Guid>? AgentIds = null);

public sealed record RoutingRuleResponse(
    Guid Id, Guid InboxId, int Position, string Name, bool IsEnabled, IReadOnlyList<RuleCondition> Conditions, Guid? TeamId,
    ConversationPriority? Priority, IReadOnlyList<string> AddLabels, IReadOnlyList<Guid> AgentIds)
{
    public static RoutingRuleResponse From(RoutingRule r) =>
        new(r.Id, r.InboxId, r.Position, r.Name, r.IsEnabled, r.Conditions, r.TeamId, r.Priority, r.AddLabels, r.AgentIds);
}

/// <summary>The new order of an inbox's rules: the rules named come first, in this order; the others keep theirs after them.</summary>
public sealed record ReorderRulesRequest(List<Guid>? RuleIds);

/// <summary>An inbox's routing rules, in the order they are tried.</summary>
public sealed class RoutingRules(AppDbContext db, ActingAgent actor)
{
    public async Task<Result<List<RoutingRuleResponse>>> ListAsync(Guid inboxId, CancellationToken cancellationToken)
    {
        if (!await db.Inboxes.AnyAsync(i => i.Id == inboxId, cancellationToken))
        {
            return Failure.NotFound("The inbox");
        }

        return (await RulesOfAsync(inboxId, cancellationToken)).ConvertAll(RoutingRuleResponse.From);
    }

    /// <summary>Adds a rule after the inbox's others.</summary>
    public async Task<Result<RoutingRuleResponse>> CreateAsync(Guid inboxId, RoutingRuleRequest request, CancellationToken cancellationToken)
    {
        if (!await db.Inboxes.AnyAsync(i => i.Id == inboxId, cancellationToken))
        {
            return Failure.NotFound("The inbox");
        }

        var rules = await RulesOfAsync(inboxId, cancellationToken);
        if (rules.Count >= RoutingRule.MaxRulesPerInbox)
        {
            return Failure.Conflict($"An inbox has at most {RoutingRule.MaxRulesPerInbox} rules.");
        }

        var rule = RoutingRule.Create(actor.WorkspaceId, inboxId, rules.Count == 0 ? 1 : rules.Max(r => r.Position) + 1);
        if (await ApplyAsync(rule, request, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        db.RoutingRules.Add(rule);
        await db.SaveChangesAsync(cancellationToken);
        return RoutingRuleResponse.From(rule);
    }

    public async Task<Result<RoutingRuleResponse>> UpdateAsync(Guid ruleId, RoutingRuleRequest request, CancellationToken cancellationToken)
    {
        if (await db.RoutingRules.FirstOrDefaultAsync(r => r.Id == ruleId, cancellationToken) is not { } rule)
        {
            return Failure.NotFound("The rule");
        }

        if (await ApplyAsync(rule, request, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        await db.SaveChangesAsync(cancellationToken);
        return RoutingRuleResponse.From(rule);
    }

    public async Task<Result<Done>> DeleteAsync(Guid ruleId, CancellationToken cancellationToken)
    {
        if (await db.RoutingRules.FirstOrDefaultAsync(r => r.Id == ruleId, cancellationToken) is not { } rule)
        {
            return Failure.NotFound("The rule");
        }

        db.RoutingRules.Remove(rule);
        await db.SaveChangesAsync(cancellationToken);
        return new Done();
    }

    public async Task<Result<List<RoutingRuleResponse>>> ReorderAsync(Guid inboxId, ReorderRulesRequest request, CancellationToken cancellationToken)
    {
        if (!await db.Inboxes.AnyAsync(i => i.Id == inboxId, cancellationToken))
        {
            return Failure.NotFound("The inbox");
        }

        var rules = await RulesOfAsync(inboxId, cancellationToken);
        if (request.RuleIds is not { } first || first.Distinct().Count() != first.Count || first.Any(id => rules.All(r => r.Id != id)))
        {
            return Failure.Invalid("ruleIds", "Rules of this inbox, each once, in the order they should come first.");
        }

        var order = first.Concat(rules.Select(r => r.Id).Except(first)).ToList();
        for (var i = 0; i < order.Count; i++)
        {
            rules.Single(r => r.Id == order[i]).MoveTo(i + 1);
        }

        await db.SaveChangesAsync(cancellationToken);
        return (await RulesOfAsync(inboxId, cancellationToken)).ConvertAll(RoutingRuleResponse.From);
    }

    private Task<List<RoutingRule>> RulesOfAsync(Guid inboxId, CancellationToken cancellationToken) =>
        db.RoutingRules.Where(r => r.InboxId == inboxId).OrderBy(r => r.Position).ThenBy(r => r.Id).ToListAsync(cancellationToken);

    private async Task<Failure?> ApplyAsync(RoutingRule rule, RoutingRuleRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().Required("name", request.Name, RoutingRule.MaxNameLength);
        RuleConditions.Validate(errors, "conditions", request.Conditions);
        if (request.Priority is { } priority && !Enum.IsDefined(priority))
        {
            errors.Add("priority", "One of None, Low, Medium, High, Urgent, or null to leave it.");
        }

        if (request.AddLabels is { } labels && (labels.Count > Conversation.MaxLabels
            || labels.Any(l => string.IsNullOrWhiteSpace(l) || l.Trim().Length > Conversation.MaxLabelLength)))
        {
            errors.Add("addLabels", $"Up to {Conversation.MaxLabels} labels of 1–{Conversation.MaxLabelLength} characters.");
        }

        if (request.TeamId is { } teamId && !await db.Teams.AnyAsync(t => t.Id == teamId, cancellationToken))
        {
            errors.Add("teamId", "No team of this workspace has this id.");
        }

        var agentIds = (request.AgentIds ?? []).Distinct().ToList();
        if (agentIds.Count > RoutingRule.MaxAgents
            || await db.Agents.CountAsync(a => agentIds.Contains(a.Id) && a.IsActive, cancellationToken) != agentIds.Count)
        {
            errors.Add("agentIds", $"Up to {RoutingRule.MaxAgents} active agents of this workspace.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        rule.Change(
            request.Name!,
            request.IsEnabled ?? true,
            request.Conditions!.Select(c => c with { Value = c.Value?.Trim() ?? "" }),
            request.TeamId,
            request.Priority,
            (request.AddLabels ?? []).Select(l => l.Trim().ToLowerInvariant()).Distinct(StringComparer.Ordinal),
            agentIds);
        return null;
    }
}
