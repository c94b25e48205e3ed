using Microsoft.AspNetCore.Components;
using MudBlazor;
using Porchlight.Server.Components;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Features.Teams;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Routing;

/// <summary>Lists, orders, adds and edits an inbox's routing rules through <see cref="RoutingRules"/>, like the API.</summary>
public sealed partial class RoutingRulesSection
{
    private static readonly ConditionField[] Fields =
    [
        new("message", "Opening message"), ConditionField.Sentiment, ConditionField.Intent, new("label", "A label"), ConditionField.Priority("Priority"), ConditionField.BusinessHours("Business hours"),
        new("pageUrl", "Page the contact is on"), new("language", "Browser language (e.g. de, pt-BR)"), new("repeatContact", "Wrote before within (days)"), new("contact.name", "Contact name"), new("contact.email", "Contact email"),
        ConditionField.ContactAttribute,
    ];

    private readonly FormErrors _errors = new();
    private List<RoutingRuleResponse>? _rules;
    private RuleDraft? _editing;
    private bool _busy;
    private List<AgentResponse> _agents = [];

    [Parameter]
    [EditorRequired]
    public InboxResponse Inbox { get; set; } = null!;

    [Parameter]
    public IReadOnlyList<TeamResponse> Teams { get; set; } = [];

    [Parameter]
    public EventCallback Closed { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        var agents = await Runner.RunAsync<ListAgents, Result<Page<AgentResponse>>>(u => u.HandleAsync(new PageRequest(PageRequest.MaxLimit, null), CancellationToken.None));
        _agents = [.. (agents.Value?.Items ?? []).Where(a => a.IsActive).OrderBy(a => a.DisplayName, StringComparer.CurrentCultureIgnoreCase)];
        await LoadAsync();
    }

    private async Task LoadAsync() =>
        _rules = (await Runner.RunAsync<RoutingRules, Result<List<RoutingRuleResponse>>>(rules => rules.ListAsync(Inbox.Id, CancellationToken.None))).Value ?? [];

    private void Edit(RoutingRuleResponse? rule)
    {
        _errors.Clear();
        _editing = rule is null ? new RuleDraft() : RuleDraft.From(rule);
    }

    private async Task SaveAsync()
    {
        if (_busy || _editing is not { } draft)
        {
            return;
        }

        _busy = true;
        var request = draft.ToRequest();
        var result = draft.Id is { } id
            ? await Runner.RunAsync<RoutingRules, Result<RoutingRuleResponse>>(rules => rules.UpdateAsync(id, request, CancellationToken.None))
            : await Runner.RunAsync<RoutingRules, Result<RoutingRuleResponse>>(rules => rules.CreateAsync(Inbox.Id, request, CancellationToken.None));
        _busy = false;
        if (!result.Succeeded)
        {
            _errors.Set(result.Failure!);
            Snackbar.Add(result.Failure!.Detail, Severity.Error);
            return;
        }

        _editing = null;
        Snackbar.Add($"Rule {result.Value!.Name} saved.", Severity.Success);
        await LoadAsync();
    }

    private async Task MoveAsync(int index, int by)
    {
        var order = _rules!.Select(r => r.Id).ToList();
        (order[index], order[index + by]) = (order[index + by], order[index]);
        var result = await Runner.RunAsync<RoutingRules, Result<List<RoutingRuleResponse>>>(rules => rules.ReorderAsync(Inbox.Id, new ReorderRulesRequest(order), CancellationToken.None));
        _rules = result.Value ?? _rules;
    }

    private async Task DeleteAsync(RoutingRuleResponse rule)
    {
        await Runner.RunAsync<RoutingRules, Result<Done>>(rules => rules.DeleteAsync(rule.Id, CancellationToken.None));
        Snackbar.Add($"Rule {rule.Name} deleted.", Severity.Success);
        await LoadAsync();
    }

    private string Summary(RoutingRuleResponse rule)
    {
        var when = rule.Conditions.Count == 0 ? "Every conversation" : string.Join(" and ", rule.Conditions.Select(c => RuleConditionsEditor.Describe(c, Fields)));
        var then = new List<string>();
        if (rule.AgentIds.Count > 0)
        {
            then.Add($"{string.Join(" or ", rule.AgentIds.Select(id => _agents.FirstOrDefault(a => a.Id == id)?.DisplayName ?? "a former agent"))} if free, else");
        }

        then.Add($"team {Teams.FirstOrDefault(t => t.Id == rule.TeamId)?.Name ?? "of the inbox"}");
        if (rule.Priority is { } priority)
        {
            then.Add($"priority {priority}");
        }

        if (rule.AddLabels.Count > 0)
        {
            then.Add($"labels {string.Join(", ", rule.AddLabels)}");
        }

        return $"{when} → {string.Join(", ", then)}";
    }

    /// <summary>A rule being written in the form.</summary>
    private sealed class RuleDraft
    {
        public Guid? Id { get; private init; }

        public string Name { get; set; } = "";

        public bool IsEnabled { get; set; } = true;

        public List<RuleConditionDraft> Conditions { get; private init; } = [];

        public Guid? TeamId { get; set; }

        public ConversationPriority? Priority { get; set; }

        public string Labels { get; set; } = "";

        public IReadOnlyCollection<Guid> AgentIds { get; set; } = [];

        public static RuleDraft From(RoutingRuleResponse rule) => new()
        {
            Id = rule.Id,
            Name = rule.Name,
            IsEnabled = rule.IsEnabled,
            Conditions = [.. rule.Conditions.Select(RuleConditionDraft.From)],
            TeamId = rule.TeamId,
            Priority = rule.Priority,
            Labels = string.Join(", ", rule.AddLabels),
            AgentIds = [.. rule.AgentIds],
        };

        public RoutingRuleRequest ToRequest() => new(
            Name,
            IsEnabled,
            [.. Conditions.Select(c => c.ToCondition())],
            TeamId,
            Priority,
            [.. Labels.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)],
            [.. AgentIds]);
    }
}
