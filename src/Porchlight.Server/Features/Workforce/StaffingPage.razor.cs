using System.Globalization;
using Microsoft.AspNetCore.Components;
using Porchlight.Server.Components;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Features.Reports;
using Porchlight.Server.Features.Teams;
using Porchlight.Server.Hosting;
using MudBlazor;

namespace Porchlight.Server.Features.Workforce;

/// <summary>
/// The staffing plan through the same use cases as the API: a day at a time, its expected chats and the agents on shift
/// they need, beside the targets it plans for and the known events that scale it.
/// </summary>
public sealed partial class StaffingPage
{
    private IReadOnlyList<InboxResponse> _inboxes = [];
    private IReadOnlyList<TeamResponse> _teams = [];
    private StaffingPlanResponse? _plan;
    private string? _problem;
    private Guid? _inboxId;
    private Guid? _teamId;
    private int _weeks = 2;
    private DateOnly _day;
    private SettingsForm? _settings;
    private List<ForecastAdjustmentResponse> _adjustments = [];
    private AdjustmentForm _newAdjustment = new();
    private IReadOnlyList<AgentResponse> _agents = [];
    private CoverageResponse? _coverage;
    private List<ShiftResponse> _shifts = [];
    private ShiftForm _newShift = new();
    private readonly FormErrors _shiftErrors = new();
    private readonly List<TemplateForm> _templates = [new()];
    private ScheduleSuggestionResponse? _suggestion;
    private DateOnly? _applyUntil;
    private readonly FormErrors _suggestionErrors = new();

    private static readonly DayOfWeek[] Weekdays =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday];
    private readonly FormErrors _errors = new();
    private readonly FormErrors _adjustmentErrors = new();
    private bool _busy;

    [Inject]
    private UseCaseRunner Runner { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        var all = new PageRequest(PageRequest.MaxLimit, null);
        _inboxes = (await Runner.RunAsync<ListInboxes, Result<Page<InboxResponse>>>(q => q.HandleAsync(all, CancellationToken.None))).Value?.Items ?? [];
        _teams = (await Runner.RunAsync<ListTeams, Result<Page<TeamResponse>>>(q => q.HandleAsync(all, CancellationToken.None))).Value?.Items ?? [];
        _agents = (await Runner.RunAsync<ListAgents, Result<Page<AgentResponse>>>(q => q.HandleAsync(all, CancellationToken.None))).Value?.Items ?? [];
        await LoadShiftsAsync();
        _settings = SettingsForm.From(await Runner.RunAsync<StaffingTargets, StaffingSettingsResponse>(u => u.GetAsync(CancellationToken.None)));
        await LoadAdjustmentsAsync();
        await ReloadAsync(null, null);
    }

    private async Task ReloadAsync(Guid? inboxId, Guid? teamId)
    {
        (_inboxId, _teamId) = (inboxId, teamId);
        var query = new StaffingPlanQuery(inboxId, teamId, _weeks);
        var result = await Runner.RunAsync<GetStaffingPlan, Result<StaffingPlanResponse>>(u => u.HandleAsync(query, CancellationToken.None));
        (_plan, _problem) = (result.Value, result.Failure?.Detail);
        var coverageQuery = new CoverageQuery(inboxId, teamId, Math.Min(GetCoverage.MaxDays, 7 * _weeks));
        _coverage = (await Runner.RunAsync<GetCoverage, Result<CoverageResponse>>(u => u.HandleAsync(coverageQuery, CancellationToken.None))).Value;
        if (_plan is { } plan && (_day < plan.FirstDay || _day > plan.FirstDay.AddDays(7 * plan.Weeks - 1)))
        {
            // Today is mostly behind us by the time a plan is read; tomorrow is the first whole day ahead.
            _day = plan.FirstDay.AddDays(1);
        }
    }

    private async Task LoadAdjustmentsAsync() =>
        _adjustments = await Runner.RunAsync<ForecastAdjustments, List<ForecastAdjustmentResponse>>(u => u.ListAsync(CancellationToken.None));

    private async Task SaveSettingsAsync()
    {
        if (_busy || _settings is null)
        {
            return;
        }

        _busy = true;
        var request = _settings.ToRequest();
        var result = await Runner.RunAsync<StaffingTargets, Result<StaffingSettingsResponse>>(u => u.SetAsync(request, CancellationToken.None));
        _busy = false;
        if (!result.Succeeded)
        {
            _errors.Set(result.Failure!);
            return;
        }

        _errors.Clear();
        _settings = SettingsForm.From(result.Value!);
        Snackbar.Add("Targets saved; the plan follows them.", Severity.Success);
        await ReloadAsync(_inboxId, _teamId);
    }

    private async Task AddAdjustmentAsync()
    {
        if (_busy)
        {
            return;
        }

        _busy = true;
        var request = _newAdjustment.ToRequest();
        var result = await Runner.RunAsync<ForecastAdjustments, Result<ForecastAdjustmentResponse>>(u => u.AddAsync(request, CancellationToken.None));
        _busy = false;
        if (!result.Succeeded)
        {
            _adjustmentErrors.Show(result.Failure!, Snackbar);

            return;
        }

        _adjustmentErrors.Clear();
        _newAdjustment = new AdjustmentForm();
        await LoadAdjustmentsAsync();
        await ReloadAsync(_inboxId, _teamId);
    }

    private async Task DeleteAdjustmentAsync(Guid adjustmentId)
    {
        await Runner.RunAsync<ForecastAdjustments, Result<bool>>(u => u.DeleteAsync(adjustmentId, CancellationToken.None));
        await LoadAdjustmentsAsync();
        await ReloadAsync(_inboxId, _teamId);
    }

    private async Task LoadShiftsAsync() =>
        _shifts = await Runner.RunAsync<Shifts, List<ShiftResponse>>(u => u.ListAsync(null, CancellationToken.None));

    private async Task AddShiftAsync()
    {
        if (_busy)
        {
            return;
        }

        _busy = true;
        var request = _newShift.ToRequest();
        var result = await Runner.RunAsync<Shifts, Result<ShiftResponse>>(u => u.CreateAsync(request, CancellationToken.None));
        _busy = false;
        if (!result.Succeeded)
        {
            _shiftErrors.Show(result.Failure!, Snackbar);

            return;
        }

        _shiftErrors.Clear();
        _newShift = new ShiftForm();
        await LoadShiftsAsync();
        await ReloadAsync(_inboxId, _teamId);
    }

    private async Task DeleteShiftAsync(Guid shiftId)
    {
        await Runner.RunAsync<Shifts, Result<bool>>(u => u.DeleteAsync(shiftId, CancellationToken.None));
        await LoadShiftsAsync();
        await ReloadAsync(_inboxId, _teamId);
    }

    private async Task SuggestAsync()
    {
        if (_busy)
        {
            return;
        }

        _busy = true;
        // No agents named: the team chosen above, or everyone.
        var request = new ScheduleSuggestionRequest(_inboxId, _teamId, null, _templates.ConvertAll(t => (ShiftTemplateRequest?)t.ToRequest()), null);
        var result = await Runner.RunAsync<SuggestSchedule, Result<ScheduleSuggestionResponse>>(u => u.HandleAsync(request, CancellationToken.None));
        _busy = false;
        _suggestion = result.Value;
        if (!result.Succeeded)
        {
            _suggestionErrors.Show(result.Failure!, Snackbar);

            return;
        }

        _suggestionErrors.Clear();
    }

    private async Task ApplyAsync()
    {
        if (_busy || _suggestion is not { } suggestion)
        {
            return;
        }

        _busy = true;
        var request = new ApplyScheduleRequest(
            [.. suggestion.Shifts.Where(s => s.AgentId is not null)
                .Select(s => (ScheduledShiftRequest?)new ScheduledShiftRequest(s.AgentId, s.Day, s.StartTime, s.EndTime, s.BreakStart, s.BreakMinutes))],
            _applyUntil);
        var result = await Runner.RunAsync<ApplySchedule, Result<List<ShiftResponse>>>(u => u.HandleAsync(request, CancellationToken.None));
        _busy = false;
        if (!result.Succeeded)
        {
            Snackbar.Add(string.Join(" ", FormErrors.MessagesOf(result.Failure!)), Severity.Warning);
            return;
        }

        Snackbar.Add($"{result.Value!.Count} weekly runs of shifts created from {ReportFormat.Day(suggestion.FirstDay)}.", Severity.Success);
        _suggestion = null;
        await LoadShiftsAsync();
        await ReloadAsync(_inboxId, _teamId);
    }

    /// <summary>The gaps as runs of half hours of a day with the same shortfall: "Mon 07:00–08:00: 1 agent short".</summary>
    private static IEnumerable<string> GapRuns(IReadOnlyList<ScheduleGap> gaps)
    {
        var index = 0;
        while (index < gaps.Count)
        {
            var first = gaps[index];
            var last = first;
            while (index + 1 < gaps.Count && gaps[index + 1] is var next && next.Day == first.Day
                   && next.LocalStart == last.LocalStart.AddMinutes(30) && next.Required - next.Scheduled == first.Required - first.Scheduled)
            {
                last = next;
                index++;
            }

            index++;
            var end = last.LocalStart.AddMinutes(30);
            var missing = first.Required - first.Scheduled;
            yield return $"{first.Day.ToString("ddd d MMM", CultureInfo.CurrentCulture)} {first.LocalStart.ToString("HH:mm", CultureInfo.InvariantCulture)}–{end.ToString("HH:mm", CultureInfo.InvariantCulture)}: {missing} {(missing == 1 ? "agent" : "agents")} short";
        }
    }

    private static string Hours(int agentIntervals) => (agentIntervals / 2.0).ToString("0.#", CultureInfo.CurrentCulture);

    private void Toggle(DayOfWeek weekday, bool on)
    {
        if (on)
        {
            _newShift.Weekdays.Add(weekday);
        }
        else
        {
            _newShift.Weekdays.Remove(weekday);
        }
    }

    /// <summary>Agents scheduled in the plan's half hour, by the coverage of the same days.</summary>
    private double Scheduled(StaffingPlanInterval interval) =>
        _coverage?.Intervals.FirstOrDefault(c => c.Day == interval.Day && c.LocalStart == interval.LocalStart)?.Scheduled ?? 0;

    private string AgentName(Guid agentId) => _agents.FirstOrDefault(a => a.Id == agentId)?.DisplayName ?? "A former agent";

    private static Guid? ParseId(object? value) => Guid.TryParse(value as string, out var id) ? id : null;

    private static string Time(StaffingPlanInterval interval) => interval.LocalStart.ToString("HH:mm", CultureInfo.InvariantCulture);

    private static string HandleTimeNote(string source) => source switch
    {
        "setting" => "as set",
        "measured" => "measured over the history",
        _ => "nothing measured yet: 10 min assumed",
    };

    private static int? ParseNumber(object? value) =>
        int.TryParse(value as string, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : null;

    private sealed class SettingsForm
    {
        public int? ServiceLevelPercent { get; set; }
        public int? AnswerWithinSeconds { get; set; }
        public int? MaxAverageWaitSeconds { get; set; }
        public int? MaxOccupancyPercent { get; set; }
        public int? ShrinkagePercent { get; set; }
        public int? ChatsPerAgent { get; set; }
        public int? HandleTimeSeconds { get; set; }
        public int? HistoryWeeks { get; set; }
        public int? OverloadMinutes { get; set; }
        public int? DifficultRun { get; set; }
        public bool ReduceCapOnOverload { get; set; }

        public static SettingsForm From(StaffingSettingsResponse s) => new()
        {
            ServiceLevelPercent = s.ServiceLevelPercent, AnswerWithinSeconds = s.AnswerWithinSeconds, MaxAverageWaitSeconds = s.MaxAverageWaitSeconds,
            MaxOccupancyPercent = s.MaxOccupancyPercent, ShrinkagePercent = s.ShrinkagePercent, ChatsPerAgent = s.ChatsPerAgent,
            HandleTimeSeconds = s.HandleTimeSeconds, HistoryWeeks = s.HistoryWeeks,
            OverloadMinutes = s.OverloadMinutes, DifficultRun = s.DifficultRun, ReduceCapOnOverload = s.ReduceCapOnOverload,
        };

        public StaffingSettingsRequest ToRequest() => new(
            ServiceLevelPercent, AnswerWithinSeconds, MaxAverageWaitSeconds, MaxOccupancyPercent, ShrinkagePercent, ChatsPerAgent, HandleTimeSeconds, HistoryWeeks,
            OverloadMinutes, DifficultRun, ReduceCapOnOverload);
    }

    private sealed class ShiftForm
    {
        public string? AgentId { get; set; }
        public TimeOnly? StartTime { get; set; } = new(9, 0);
        public TimeOnly? EndTime { get; set; } = new(17, 0);
        public TimeOnly? BreakStart { get; set; }
        public int? BreakMinutes { get; set; }
        public DateOnly? FirstDay { get; set; }
        public DateOnly? LastDay { get; set; }
        public string? TimeZone { get; set; }
        public HashSet<DayOfWeek> Weekdays { get; } = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];

        public ShiftRequest ToRequest() => new(
            ParseId(AgentId), FirstDay, LastDay, [.. Weekdays], StartTime, EndTime, BreakStart, BreakMinutes,
            string.IsNullOrWhiteSpace(TimeZone) ? null : TimeZone.Trim());
    }

    private sealed class TemplateForm
    {
        public string? Name { get; set; } = "Day";
        public TimeOnly? EarliestStart { get; set; } = new(8, 0);
        public TimeOnly? LatestStart { get; set; } = new(12, 0);
        public double? Hours { get; set; } = 8;
        public int? BreakMinutes { get; set; } = 30;
        public HashSet<DayOfWeek> Weekdays { get; private init; } = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];

        /// <summary>A second template to start from: a weekend day.</summary>
        public static TemplateForm Weekend() => new() { Name = "Weekend", Weekdays = [DayOfWeek.Saturday, DayOfWeek.Sunday] };

        public void Toggle(DayOfWeek weekday, bool on)
        {
            if (on)
            {
                Weekdays.Add(weekday);
            }
            else
            {
                Weekdays.Remove(weekday);
            }
        }

        // Hours are shown, minutes sent: a half hour that is not one is left for the use case to refuse.
        public ShiftTemplateRequest ToRequest() => new(
            Name, EarliestStart, LatestStart, Hours is { } hours ? (int)Math.Round(hours * 60) : null, BreakMinutes, [.. Weekdays]);
    }

    private sealed class AdjustmentForm
    {
        public DateOnly? FirstDay { get; set; }
        public DateOnly? LastDay { get; set; }
        public double? Multiplier { get; set; } = 1.5;
        public string? InboxId { get; set; }
        public string? Note { get; set; }

        public ForecastAdjustmentRequest ToRequest() => new(ParseId(InboxId), FirstDay, LastDay, Multiplier, Note);
    }
}
