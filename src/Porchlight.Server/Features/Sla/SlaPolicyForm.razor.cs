using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Porchlight.Server.Components;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Features.Teams;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Sla;

/// <summary>Creates or updates one SLA policy through <see cref="SlaPolicies"/>, like the API, and shows its field errors where they belong.</summary>
public sealed partial class SlaPolicyForm
{
    private readonly FormErrors _errors = new();
    private readonly RowHandlers _rows = new();
    private PolicyDraft _draft = new();
    private bool _busy;

    /// <summary>The policy to change; null writes a new one.</summary>
    [Parameter]
    public SlaPolicyResponse? Policy { get; set; }

    [Parameter]
    public IReadOnlyList<InboxResponse> Inboxes { get; set; } = [];

    [Parameter]
    public IReadOnlyList<TeamResponse> Teams { get; set; } = [];

    [Parameter]
    public EventCallback<SlaPolicyResponse> Saved { get; set; }

    [Parameter]
    public EventCallback Cancelled { get; set; }

    private enum TargetUnit
    {
        Minutes = 1,
        Hours = 60,
    }

    public static string PriorityName(ConversationPriority priority) => priority == ConversationPriority.None ? "No priority" : priority.ToString();

    protected override void OnInitialized() => _draft = Policy is null ? new PolicyDraft() : PolicyDraft.From(Policy);

    private string InboxName(Guid id) => Inboxes.FirstOrDefault(i => i.Id == id)?.Name ?? "a deleted inbox";

    private string TeamName(Guid id) => Teams.FirstOrDefault(t => t.Id == id)?.Name ?? "a deleted team";

    private void AddStep() => _draft.Steps.Add(new StepDraft());

    private void RemoveStep(StepDraft step) => _draft.Steps.Remove(step);

    private async Task SaveAsync()
    {
        if (_busy)
        {
            return; // Enter in a field submits the form even while its button is disabled.
        }

        _busy = true;
        var request = _draft.ToRequest();
        var result = Policy is { } policy
            ? await Runner.RunAsync<SlaPolicies, Result<SlaPolicyResponse>>(policies => policies.UpdateAsync(policy.Id, request, CancellationToken.None))
            : await Runner.RunAsync<SlaPolicies, Result<SlaPolicyResponse>>(policies => policies.CreateAsync(request, CancellationToken.None));
        _busy = false;
        if (!result.Succeeded)
        {
            _errors.Set(result.Failure!);
            Snackbar.Add(result.Failure!.Detail, Severity.Error);
            return;
        }

        await Saved.InvokeAsync(result.Value!);
    }

    /// <summary>A policy being written in the form.</summary>
    private sealed class PolicyDraft
    {
        public string Name { get; set; } = "";

        public bool IsEnabled { get; set; } = true;

        public IReadOnlyCollection<Guid> InboxIds { get; set; } = [];

        public IReadOnlyCollection<Guid> TeamIds { get; set; } = [];

        public IReadOnlyCollection<ConversationPriority> Priorities { get; set; } = [];

        public List<TargetDraft> Targets { get; private init; } = TargetsOf(null);

        public bool BusinessHoursOnly { get; set; }

        public string? WarnAtPercent { get; set; } = SlaPolicy.DefaultWarnAtPercent.ToString(CultureInfo.InvariantCulture);

        public List<StepDraft> Steps { get; private init; } = [];

        public static PolicyDraft From(SlaPolicyResponse policy) => new()
        {
            Name = policy.Name,
            IsEnabled = policy.IsEnabled,
            InboxIds = policy.InboxIds,
            TeamIds = policy.TeamIds,
            Priorities = policy.Priorities,
            Targets = TargetsOf(policy),
            BusinessHoursOnly = policy.BusinessHoursOnly,
            WarnAtPercent = policy.WarnAtPercent.ToString(CultureInfo.InvariantCulture),
            Steps = [.. policy.Escalation.Select(StepDraft.From)],
        };

        public SlaPolicyRequest ToRequest() => new(
            Name,
            IsEnabled,
            [.. InboxIds],
            [.. TeamIds],
            [.. Priorities],
            MinutesOf(SlaMetric.FirstResponse),
            MinutesOf(SlaMetric.NextResponse),
            MinutesOf(SlaMetric.Resolution),
            BusinessHoursOnly,
            int.TryParse(WarnAtPercent, NumberStyles.Integer, CultureInfo.InvariantCulture, out var percent) ? percent : null,
            [.. Steps.Select(s => s.ToStep())]);

        // Responses are counted in minutes and resolutions in hours; a saved target shows in hours when it is whole hours.
        private static List<TargetDraft> TargetsOf(SlaPolicyResponse? policy) =>
        [
            new(SlaMetric.FirstResponse, "firstResponseMinutes", policy?.FirstResponseMinutes, TargetUnit.Minutes),
            new(SlaMetric.NextResponse, "nextResponseMinutes", policy?.NextResponseMinutes, TargetUnit.Minutes),
            new(SlaMetric.Resolution, "resolutionMinutes", policy?.ResolutionMinutes, TargetUnit.Hours),
        ];

        private int? MinutesOf(SlaMetric metric) => Targets.Single(t => t.Metric == metric).Minutes;
    }

    /// <summary>One target as typed: an amount (empty for none) and its unit.</summary>
    private sealed class TargetDraft
    {
        public TargetDraft(SlaMetric metric, string field, int? minutes, TargetUnit unitWhenNew)
        {
            Metric = metric;
            Field = field;
            Unit = minutes is null ? unitWhenNew : minutes % (int)TargetUnit.Hours == 0 ? TargetUnit.Hours : TargetUnit.Minutes;
            Amount = minutes is { } m ? (m / (int)Unit).ToString(CultureInfo.InvariantCulture) : "";
        }

        public SlaMetric Metric { get; }

        /// <summary>The request's field, which names the target in field errors.</summary>
        public string Field { get; }

        public TargetUnit Unit { get; set; }

        public string? Amount { get; set; }

        // "1.5" hours is 90 minutes. Out of range stays out of range, for the use case to say so.
        public int? Minutes =>
            double.TryParse(Amount, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount)
                ? (int)Math.Clamp(Math.Round(amount * (int)Unit), int.MinValue, int.MaxValue)
                : null;
    }

    /// <summary>
    /// One escalation step as chosen. Its selects call its own methods, so each render passes them an equal delegate
    /// and a choice is never refused for a handler id a render has retired (decisions/0014).
    /// </summary>
    private sealed class StepDraft
    {
        public EscalationStage Stage { get; private set; } = EscalationStage.Breach;

        public EscalationAction Action { get; private set; } = EscalationAction.NotifySupervisors;

        public ConversationPriority Priority { get; private set; } = ConversationPriority.High;

        public Guid? TeamId { get; private set; }

        public static StepDraft From(EscalationStep step) => new()
        {
            Stage = step.Stage,
            Action = step.Action,
            Priority = step.Priority ?? ConversationPriority.High,
            TeamId = step.TeamId,
        };

        public void ChangeStage(ChangeEventArgs e) => Stage = Enum.TryParse<EscalationStage>(e.Value as string, out var stage) ? stage : Stage;

        public void ChangeAction(ChangeEventArgs e) => Action = Enum.TryParse<EscalationAction>(e.Value as string, out var action) ? action : Action;

        public void ChangePriority(ChangeEventArgs e) => Priority = Enum.TryParse<ConversationPriority>(e.Value as string, out var priority) ? priority : Priority;

        public void ChangeTeam(ChangeEventArgs e) => TeamId = Guid.TryParse(e.Value as string, out var teamId) ? teamId : null;

        public EscalationStep ToStep() => new(
            Stage, Action, Action == EscalationAction.RaisePriority ? Priority : null, Action == EscalationAction.MoveToTeam ? TeamId : null);
    }
}
