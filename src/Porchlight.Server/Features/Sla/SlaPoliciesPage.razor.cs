using MudBlazor;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Features.Teams;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Sla;

/// <summary>Lists the workspace's SLA policies in the order they are tried, and orders, adds, edits and deletes them through <see cref="SlaPolicies"/>, like the API.</summary>
public sealed partial class SlaPoliciesPage
{
    private List<SlaPolicyResponse>? _policies;
    private List<InboxResponse> _inboxes = [];
    private List<TeamResponse> _teams = [];
    private Guid? _editingId;
    private bool _adding;

    protected override async Task OnInitializedAsync()
    {
        var inboxes = await Runner.RunAsync<ListInboxes, Result<Page<InboxResponse>>>(u => u.HandleAsync(new PageRequest(PageRequest.MaxLimit, null), CancellationToken.None));
        _inboxes = [.. (inboxes.Value?.Items ?? []).OrderBy(i => i.Name, StringComparer.CurrentCultureIgnoreCase)];
        var teams = await Runner.RunAsync<ListTeams, Result<Page<TeamResponse>>>(u => u.HandleAsync(new PageRequest(PageRequest.MaxLimit, null), CancellationToken.None));
        _teams = [.. (teams.Value?.Items ?? []).OrderBy(t => t.Name, StringComparer.CurrentCultureIgnoreCase)];
        await LoadAsync();
    }

    private async Task LoadAsync() => _policies = await Runner.RunAsync<SlaPolicies, List<SlaPolicyResponse>>(policies => policies.ListAsync(CancellationToken.None));

    private void New()
    {
        _editingId = null;
        _adding = true;
    }

    private void Edit(SlaPolicyResponse policy)
    {
        _adding = false;
        _editingId = policy.Id;
    }

    private void StopEditing()
    {
        _adding = false;
        _editingId = null;
    }

    private async Task SavedAsync(SlaPolicyResponse policy)
    {
        StopEditing();
        Snackbar.Add($"Policy {policy.Name} saved.", Severity.Success);
        await LoadAsync();
    }

    private async Task MoveAsync(int index, int by)
    {
        var order = _policies!.Select(p => p.Id).ToList();
        (order[index], order[index + by]) = (order[index + by], order[index]);
        var result = await Runner.RunAsync<SlaPolicies, Result<List<SlaPolicyResponse>>>(policies => policies.ReorderAsync(new ReorderPoliciesRequest(order), CancellationToken.None));
        _policies = result.Value ?? _policies;
    }

    private async Task DeleteAsync(SlaPolicyResponse policy)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync(
            "Delete policy?", $"{policy.Name} will be deleted. Running clocks follow the next policy that covers their conversation, from its next change.",
            yesText: "Delete", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        var result = await Runner.RunAsync<SlaPolicies, Result<Done>>(policies => policies.DeleteAsync(policy.Id, CancellationToken.None));
        Snackbar.Add(result.Succeeded ? $"Policy {policy.Name} deleted." : result.Failure!.Detail, result.Succeeded ? Severity.Normal : Severity.Error);
        await LoadAsync();
    }

    /// <summary>"First response 15 min · Next response 30 min · Resolution 8 h (business hours)".</summary>
    private static string Targets(SlaPolicyResponse policy)
    {
        var targets = new[]
        {
            (Metric: SlaMetric.FirstResponse, Minutes: policy.FirstResponseMinutes),
            (Metric: SlaMetric.NextResponse, Minutes: policy.NextResponseMinutes),
            (Metric: SlaMetric.Resolution, Minutes: policy.ResolutionMinutes),
        }.Where(t => t.Minutes is not null).Select(t => $"{EscalateConversation.Describe(t.Metric)} {SlaClockChips.Duration(t.Minutes!.Value)}");
        return $"{string.Join(" · ", targets)} ({(policy.BusinessHoursOnly ? "business hours" : "calendar time")})";
    }

    /// <summary>"Inboxes: Website chat · Priorities: High, Urgent · at risk at 80% · when breached: notify supervisors".</summary>
    private string Scope(SlaPolicyResponse policy)
    {
        var parts = new[]
        {
            Listed("Inboxes", policy.InboxIds.Select(id => _inboxes.Find(i => i.Id == id)?.Name ?? "a deleted inbox")),
            Listed("Teams", policy.TeamIds.Select(TeamName)),
            Listed("Priorities", policy.Priorities.Select(SlaPolicyForm.PriorityName)),
        }.OfType<string>().DefaultIfEmpty("Everything").ToList();
        parts.Add($"at risk at {policy.WarnAtPercent}%");
        parts.AddRange(policy.Escalation.GroupBy(s => s.Stage)
            .Select(stage => $"when {(stage.Key == EscalationStage.Warning ? "at risk" : "breached")}: {string.Join(", ", stage.Select(Describe))}"));
        return string.Join(" · ", parts);
    }

    private static string? Listed(string what, IEnumerable<string> names) => string.Join(", ", names) is { Length: > 0 } list ? $"{what}: {list}" : null;

    private string Describe(EscalationStep step) => step.Action switch
    {
        EscalationAction.RaisePriority => $"raise priority to {step.Priority}",
        EscalationAction.MoveToTeam => $"move to {(step.TeamId is { } teamId ? TeamName(teamId) : "a team")}",
        _ => "notify supervisors",
    };

    private string TeamName(Guid teamId) => _teams.Find(t => t.Id == teamId)?.Name ?? "a deleted team";
}
