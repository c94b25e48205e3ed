using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Sla;

/// <summary>
/// A policy as saved: all fields. Empty <c>inboxIds</c>, <c>teamIds</c> or <c>priorities</c> cover every inbox, team
/// or priority; a target left null is no promise. <c>warnAtPercent</c> defaults to 80.
/// </summary>
public sealed record SlaPolicyRequest(
    string? Name, bool? IsEnabled, List<Guid>? InboxIds, List<Guid>? TeamIds, List<ConversationPriority>? Priorities,
    int? FirstResponseMinutes, int? NextResponseMinutes, int? ResolutionMinutes, bool? BusinessHoursOnly, int? WarnAtPercent,
    List<EscalationStep>? Escalation);

public sealed record SlaPolicyResponse(
    Guid Id, int Position, string Name, bool IsEnabled, IReadOnlyList<Guid> InboxIds, IReadOnlyList<Guid> TeamIds,
    IReadOnlyList<ConversationPriority> Priorities, int? FirstResponseMinutes, int? NextResponseMinutes, int? ResolutionMinutes,
    bool BusinessHoursOnly, int WarnAtPercent, IReadOnlyList<EscalationStep> Escalation)
{
    public static SlaPolicyResponse From(SlaPolicy p) => new(
        p.Id, p.Position, p.Name, p.IsEnabled, p.InboxIds, p.TeamIds, p.Priorities, p.FirstResponseMinutes, p.NextResponseMinutes,
        p.ResolutionMinutes, p.BusinessHoursOnly, p.WarnAtPercent, p.Escalation);
}

/// <summary>The new order of the policies: those named come first, in this order; the others keep theirs after them.</summary>
public sealed record ReorderPoliciesRequest(List<Guid>? PolicyIds);

/// <summary>
/// The workspace's SLA policies, in the order they are tried. A change applies to conversations from their next
/// change onwards (a new message, status, priority or team); running clocks keep the targets they started with.
/// </summary>
public sealed class SlaPolicies(AppDbContext db, ActingAgent actor)
{
    public async Task<List<SlaPolicyResponse>> ListAsync(CancellationToken cancellationToken) =>
        (await OrderedAsync(cancellationToken)).ConvertAll(SlaPolicyResponse.From);

    public async Task<Result<SlaPolicyResponse>> GetAsync(Guid policyId, CancellationToken cancellationToken) =>
        await db.SlaPolicies.AsNoTracking().FirstOrDefaultAsync(p => p.Id == policyId, cancellationToken) is { } policy
            ? SlaPolicyResponse.From(policy)
            : Failure.NotFound("The SLA policy");

    /// <summary>Adds a policy after the others.</summary>
    public async Task<Result<SlaPolicyResponse>> CreateAsync(SlaPolicyRequest request, CancellationToken cancellationToken)
    {
        var policies = await OrderedAsync(cancellationToken);
        if (policies.Count >= SlaPolicy.MaxPolicies)
        {
            return Failure.Conflict($"A workspace has at most {SlaPolicy.MaxPolicies} SLA policies.");
        }

        var policy = SlaPolicy.Create(actor.WorkspaceId, policies.Count == 0 ? 1 : policies.Max(p => p.Position) + 1);
        if (await ApplyAsync(policy, request, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        db.SlaPolicies.Add(policy);
        await db.SaveChangesAsync(cancellationToken);
        return SlaPolicyResponse.From(policy);
    }

    public async Task<Result<SlaPolicyResponse>> UpdateAsync(Guid policyId, SlaPolicyRequest request, CancellationToken cancellationToken)
    {
        if (await db.SlaPolicies.FirstOrDefaultAsync(p => p.Id == policyId, cancellationToken) is not { } policy)
        {
            return Failure.NotFound("The SLA policy");
        }

        if (await ApplyAsync(policy, request, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        await db.SaveChangesAsync(cancellationToken);
        return SlaPolicyResponse.From(policy);
    }

    /// <summary>Deletes the policy; its clocks stay as history, and running ones follow the next policy that covers them.</summary>
    public async Task<Result<Done>> DeleteAsync(Guid policyId, CancellationToken cancellationToken)
    {
        if (await db.SlaPolicies.FirstOrDefaultAsync(p => p.Id == policyId, cancellationToken) is not { } policy)
        {
            return Failure.NotFound("The SLA policy");
        }

        db.SlaPolicies.Remove(policy);
        await db.SaveChangesAsync(cancellationToken);
        return new Done();
    }

    public async Task<Result<List<SlaPolicyResponse>>> ReorderAsync(ReorderPoliciesRequest request, CancellationToken cancellationToken)
    {
        var policies = await OrderedAsync(cancellationToken);
        if (request.PolicyIds is not { } first || first.Distinct().Count() != first.Count || first.Any(id => policies.All(p => p.Id != id)))
        {
            return Failure.Invalid("policyIds", "SLA policies of this workspace, each once, in the order they should come first.");
        }

        var order = first.Concat(policies.Select(p => p.Id).Except(first)).ToList();
        for (var i = 0; i < order.Count; i++)
        {
            policies.Single(p => p.Id == order[i]).MoveTo(i + 1);
        }

        await db.SaveChangesAsync(cancellationToken);
        return (await OrderedAsync(cancellationToken)).ConvertAll(SlaPolicyResponse.From);
    }

    private Task<List<SlaPolicy>> OrderedAsync(CancellationToken cancellationToken) =>
        db.SlaPolicies.OrderBy(p => p.Position).ThenBy(p => p.Id).ToListAsync(cancellationToken);

    private async Task<Failure?> ApplyAsync(SlaPolicy policy, SlaPolicyRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().Required("name", request.Name, SlaPolicy.MaxNameLength);
        Target(errors, "firstResponseMinutes", request.FirstResponseMinutes);
        Target(errors, "nextResponseMinutes", request.NextResponseMinutes);
        Target(errors, "resolutionMinutes", request.ResolutionMinutes);
        if (request is { FirstResponseMinutes: null, NextResponseMinutes: null, ResolutionMinutes: null })
        {
            errors.Add("firstResponseMinutes", "Set at least one target: first response, next response or resolution.");
        }

        if (request.WarnAtPercent is { } percent && percent is < 10 or > 99)
        {
            errors.Add("warnAtPercent", "Between 10 and 99: the share of a target after which the conversation is at risk.");
        }

        if (request.Priorities is { } priorities && priorities.Any(p => !Enum.IsDefined(p)))
        {
            errors.Add("priorities", "Each one of None, Low, Medium, High, Urgent.");
        }

        var inboxIds = request.InboxIds ?? [];
        if (inboxIds.Count > 0 && await db.Inboxes.CountAsync(i => inboxIds.Contains(i.Id), cancellationToken) != inboxIds.Distinct().Count())
        {
            errors.Add("inboxIds", "Inboxes of this workspace.");
        }

        var steps = request.Escalation ?? [];
        var teamIds = (request.TeamIds ?? []).Concat(steps.Where(s => s?.TeamId is not null).Select(s => s.TeamId!.Value)).Distinct().ToList();
        var knownTeams = await db.Teams.Where(t => teamIds.Contains(t.Id)).Select(t => t.Id).ToListAsync(cancellationToken);
        if ((request.TeamIds ?? []).Any(id => !knownTeams.Contains(id)))
        {
            errors.Add("teamIds", "Teams of this workspace.");
        }

        ValidateEscalation(errors, steps, knownTeams);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        policy.Change(
            request.Name!, request.IsEnabled ?? true, inboxIds, request.TeamIds ?? [], request.Priorities ?? [],
            request.FirstResponseMinutes, request.NextResponseMinutes, request.ResolutionMinutes, request.BusinessHoursOnly ?? false,
            request.WarnAtPercent ?? SlaPolicy.DefaultWarnAtPercent, steps);
        return null;
    }

    private static void Target(FieldErrors errors, string field, int? minutes)
    {
        if (minutes is { } value && value is < 1 or > SlaPolicy.MaxTargetMinutes)
        {
            errors.Add(field, $"Minutes from 1 to {SlaPolicy.MaxTargetMinutes} (90 days), or null for no target.");
        }
    }

    private static void ValidateEscalation(FieldErrors errors, List<EscalationStep> steps, List<Guid> knownTeams)
    {
        if (steps.Count > SlaPolicy.MaxEscalationSteps)
        {
            errors.Add("escalation", $"At most {SlaPolicy.MaxEscalationSteps} steps.");
            return;
        }

        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var field = $"escalation[{i}]";
            if (step is null || !Enum.IsDefined(step.Stage) || !Enum.IsDefined(step.Action))
            {
                errors.Add(field, "A step: stage Warning or Breach, action RaisePriority, MoveToTeam or NotifySupervisors.");
            }
            else if (step.Action == EscalationAction.RaisePriority
                && (step.Priority is not { } priority || priority <= ConversationPriority.None || !Enum.IsDefined(priority)))
            {
                errors.Add($"{field}.priority", "RaisePriority needs the priority to raise to: Low, Medium, High or Urgent.");
            }
            else if (step.Action == EscalationAction.MoveToTeam && (step.TeamId is not { } teamId || !knownTeams.Contains(teamId)))
            {
                errors.Add($"{field}.teamId", "MoveToTeam needs a team of this workspace.");
            }
        }
    }
}
