using MudBlazor;
using Porchlight.Server.Components;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Features.Routing;
using Porchlight.Server.Features.Teams;
using Porchlight.Server.Features.Webhooks;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Automation;

/// <summary>Lists, orders, switches, writes and deletes the workspace's automation rules through <see cref="AutomationRules"/>, like the API.</summary>
public sealed partial class AutomationPage
{
    private readonly FormErrors _errors = new();
    private readonly RowHandlers _rows = new();
    private List<AutomationRuleResponse>? _rules;
    private AutomationNames _names = AutomationNames.None;
    private AutomationRuleDraft? _editing;
    private RecentRuns? _runsOf;
    private bool _busy;

    protected override async Task OnInitializedAsync()
    {
        _names = await ReadNamesAsync();
        await LoadAsync();
    }

    private async Task<AutomationNames> ReadNamesAsync()
    {
        var all = new PageRequest(PageRequest.MaxLimit, null);
        var teams = await Runner.RunAsync<ListTeams, Result<Page<TeamResponse>>>(u => u.HandleAsync(all, CancellationToken.None));
        var agents = await Runner.RunAsync<ListAgents, Result<Page<AgentResponse>>>(u => u.HandleAsync(all, CancellationToken.None));
        var inboxes = await Runner.RunAsync<ListInboxes, Result<Page<InboxResponse>>>(u => u.HandleAsync(all, CancellationToken.None));
        var webhooks = await Runner.RunAsync<WebhookSubscriptions, List<WebhookSubscriptionResponse>>(u => u.ListAsync(CancellationToken.None));
        return new AutomationNames(
            ByName(teams.Value?.Items.Select(t => new ConditionChoice(t.Id.ToString(), t.Name))),
            ByName(agents.Value?.Items.Where(a => a.IsActive).Select(a => new ConditionChoice(a.Id.ToString(), a.DisplayName))),
            ByName(inboxes.Value?.Items.Select(i => new ConditionChoice(i.Id.ToString(), i.Name))),
            ByName(webhooks.Select(w => new ConditionChoice(w.Id.ToString(), w.Description.Length > 0 ? w.Description : w.Url))));
    }

    private static ConditionChoice[] ByName(IEnumerable<ConditionChoice>? choices) =>
        [.. (choices ?? []).OrderBy(c => c.Label, StringComparer.CurrentCultureIgnoreCase)];

    private async Task LoadAsync()
    {
        _rows.Clear();
        _rules = await Runner.RunAsync<AutomationRules, List<AutomationRuleResponse>>(rules => rules.ListAsync(CancellationToken.None));
    }

    private void New() => StartEditing(new AutomationRuleDraft());

    private void Edit(AutomationRuleResponse rule) => StartEditing(AutomationRuleDraft.From(rule));

    private void StartEditing(AutomationRuleDraft draft)
    {
        _errors.Clear();
        _editing = draft;
    }

    private void CancelEdit()
    {
        _errors.Clear();
        _editing = null;
    }

    private async Task SaveAsync()
    {
        if (_busy || _editing is not { } draft)
        {
            return; // Enter in a field submits the form even while its button is disabled.
        }

        _busy = true;
        var request = draft.ToRequest();
        var result = draft.Id is { } id
            ? await Runner.RunAsync<AutomationRules, Result<AutomationRuleResponse>>(rules => rules.UpdateAsync(id, request, CancellationToken.None))
            : await Runner.RunAsync<AutomationRules, Result<AutomationRuleResponse>>(rules => rules.CreateAsync(request, CancellationToken.None));
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

    private async Task SetEnabledAsync(AutomationRuleResponse rule, bool on)
    {
        var request = new AutomationRuleRequest(rule.Name, on, rule.Trigger, [.. rule.Conditions], [.. rule.Actions]);
        var result = await Runner.RunAsync<AutomationRules, Result<AutomationRuleResponse>>(rules => rules.UpdateAsync(rule.Id, request, CancellationToken.None));
        Report(result.Failure, on ? $"{rule.Name} is on." : $"{rule.Name} is off: it does nothing until switched on again.");
        await LoadAsync();
    }

    private Task MoveUpAsync(AutomationRuleResponse rule) => MoveAsync(rule, -1);

    private Task MoveDownAsync(AutomationRuleResponse rule) => MoveAsync(rule, 1);

    private async Task MoveAsync(AutomationRuleResponse rule, int by)
    {
        var order = _rules!.ConvertAll(r => r.Id);
        var index = order.IndexOf(rule.Id);
        (order[index], order[index + by]) = (order[index + by], order[index]);
        var result = await Runner.RunAsync<AutomationRules, Result<List<AutomationRuleResponse>>>(
            rules => rules.ReorderAsync(new ReorderAutomationRequest(order), CancellationToken.None));
        if (result.Value is not { } reordered)
        {
            Snackbar.Add(result.Failure!.Detail, Severity.Error);
            return;
        }

        _rows.Clear();
        _rules = reordered;
    }

    private async Task DeleteAsync(AutomationRuleResponse rule)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync(
            "Delete rule?", $"{rule.Name} will be deleted with its log of runs.", yesText: "Delete", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        var result = await Runner.RunAsync<AutomationRules, Result<Done>>(rules => rules.DeleteAsync(rule.Id, CancellationToken.None));
        Report(result.Failure, $"Rule {rule.Name} deleted.");
        if (_runsOf?.RuleId == rule.Id)
        {
            _runsOf = null;
        }

        await LoadAsync();
    }

    private async Task ToggleRunsAsync(AutomationRuleResponse rule)
    {
        if (_runsOf?.RuleId == rule.Id)
        {
            _runsOf = null;
            return;
        }

        _runsOf = new RecentRuns(rule.Id, null, new Dictionary<Guid, ConversationResponse>());
        var runs = (await Runner.RunAsync<AutomationRules, Result<List<AutomationRunResponse>>>(rules => rules.RunsAsync(rule.Id, CancellationToken.None))).Value ?? [];
        // A run names its conversation by id only; the table shows its number and contact, as the inbox does.
        var ids = runs.Select(r => r.ConversationId).Distinct().ToList();
        var conversations = await Runner.RunAsync<ConversationQueries, Dictionary<Guid, ConversationResponse>>(async queries =>
        {
            var found = new Dictionary<Guid, ConversationResponse>();
            foreach (var id in ids)
            {
                if ((await queries.GetAsync(id, CancellationToken.None)).Value is { } conversation)
                {
                    found[id] = conversation;
                }
            }

            return found;
        });
        // Another rule's runs may have been asked for while these were read: those are the ones to show then.
        if (_runsOf?.RuleId == rule.Id)
        {
            _runsOf = new RecentRuns(rule.Id, runs, conversations);
        }
    }

    private void Report(Failure? failure, string success) =>
        Snackbar.Add(failure is null ? success : failure.FieldErrors?.Values.SelectMany(v => v).FirstOrDefault() ?? failure.Detail, failure is null ? Severity.Success : Severity.Error);

    private static string OutcomeName(AutomationOutcome outcome) => outcome switch
    {
        AutomationOutcome.Applied => "Applied",
        AutomationOutcome.NoChange => "Nothing to change",
        _ => "Stopped: a loop",
    };

    /// <summary>The runs of the rule whose log is open; null runs while they are read.</summary>
    private sealed record RecentRuns(Guid RuleId, List<AutomationRunResponse>? Runs, IReadOnlyDictionary<Guid, ConversationResponse> Conversations);
}
