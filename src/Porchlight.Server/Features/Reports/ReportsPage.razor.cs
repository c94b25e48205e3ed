using Microsoft.AspNetCore.Components;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Features.Teams;
using Porchlight.Server.Components;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Reports;

/// <summary>
/// The reports: an overview with the previous period for comparison, and tables by agent, team and inbox, read through
/// the same use case as the API. While the period includes today the figures are read again every little while, so
/// today's numbers keep up without a reload.
/// </summary>
public sealed partial class ReportsPage : IAsyncDisposable
{
    internal static readonly (int Days, string Label)[] Periods = [(1, "Today"), (7, "Last 7 days"), (30, "Last 30 days"), (90, "Last 90 days"), (0, "Custom…")];

    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _lifetime = new();
    private IReadOnlyList<InboxResponse> _inboxes = [];
    private IReadOnlyList<TeamResponse> _teams = [];
    private IReadOnlyList<AgentResponse> _agents = [];
    private ReportResponse? _overview;
    private BreakdownResponse? _breakdown;
    private SlaReportResponse? _sla;
    private SurveyReportResponse? _surveys;
    private RepeatContactsResponse? _repeat;
    private InsightsResponse? _insights;
    private SelfServiceResponse? _selfService;
    private DigestResponse? _digest;
    private CustomerActivityResponse? _activity;
    private string? _activityAttribute;
    private string? _problem;

    [Inject]
    private UseCaseRunner Runner { get; set; } = default!;

    [Inject]
    private TimeProvider Clock { get; set; } = default!;

    [Inject]
    private FileDownloads Downloads { get; set; } = default!;

    [Inject]
    private ILogger<ReportsPage> Logger { get; set; } = default!;

    /// <summary>overview, agents, teams or inboxes.</summary>
    [SupplyParameterFromQuery(Name = "view")]
    private string? View { get; set; }

    /// <summary>The last so many days, or 0 for the custom period <see cref="From"/>–<see cref="To"/>.</summary>
    private int Days { get; set; } = 30;

    /// <summary>How many survey answers the page lists (the export has them all).</summary>
    private const int ShownAnswers = 50;

    private bool CommentsOnly { get; set; }

    private DateOnly? From { get; set; }

    private DateOnly? To { get; set; }

    private Guid? InboxId { get; set; }

    private Guid? TeamId { get; set; }

    private Guid? AgentId { get; set; }

    /// <summary>Times in business hours instead of on the clock.</summary>
    private bool Business { get; set; }

    private ReportBreakdown? Breakdown => View switch
    {
        "agents" => ReportBreakdown.Agent,
        "teams" => ReportBreakdown.Team,
        "inboxes" => ReportBreakdown.Inbox,
        "labels" => ReportBreakdown.Label,
        "intents" => ReportBreakdown.Intent,
        _ => null,
    };

    public async ValueTask DisposeAsync()
    {
        await _lifetime.CancelAsync();
        _lifetime.Dispose();
    }

    protected override async Task OnInitializedAsync()
    {
        var all = new PageRequest(PageRequest.MaxLimit, null);
        _inboxes = (await Runner.RunAsync<ListInboxes, Result<Page<InboxResponse>>>(q => q.HandleAsync(all, CancellationToken.None))).Value?.Items ?? [];
        _teams = (await Runner.RunAsync<ListTeams, Result<Page<TeamResponse>>>(q => q.HandleAsync(all, CancellationToken.None))).Value?.Items ?? [];
        _agents = (await Runner.RunAsync<ListAgents, Result<Page<AgentResponse>>>(q => q.HandleAsync(all, CancellationToken.None))).Value?.Items ?? [];
        if (RendererInfo.IsInteractive)
        {
            _ = KeepTodayFreshAsync();
        }
    }

    protected override Task OnParametersSetAsync() => LoadAsync();

    private ReportQuery Query() => Days == 0
        ? new ReportQuery(From: From, To: To, InboxId: InboxId, TeamId: TeamId, AgentId: AgentId)
        : new ReportQuery(Days: Days, InboxId: InboxId, TeamId: TeamId, AgentId: AgentId);

    private async Task LoadAsync()
    {
        var query = Query();
        var overview = await Runner.RunAsync<GetReport, Result<ReportResponse>>(r => r.OverviewAsync(query, _lifetime.Token));
        (_overview, _problem, _breakdown, _sla, _surveys, _insights, _selfService) = (overview.Value, overview.Failure?.Detail, null, null, null, null, null);
        if (_overview is null)
        {
            return;
        }

        if (Breakdown is { } by)
        {
            var breakdown = await Runner.RunAsync<GetReport, Result<BreakdownResponse>>(r => r.BreakdownAsync(by, query, _lifetime.Token));
            (_breakdown, _problem) = (breakdown.Value, breakdown.Failure?.Detail);
        }
        else if (View == "sla")
        {
            var sla = await Runner.RunAsync<GetServiceReports, Result<SlaReportResponse>>(r => r.SlaAsync(query, _lifetime.Token));
            (_sla, _problem) = (sla.Value, sla.Failure?.Detail);
        }
        else if (View == "surveys")
        {
            _surveys = await Runner.RunAsync<GetServiceReports, SurveyReportResponse>(r => r.SurveysAsync(overview.Value!, query, _lifetime.Token));
        }
        else if (View == "self-service")
        {
            _selfService = await Runner.RunAsync<GetServiceReports, SelfServiceResponse>(r => r.SelfServiceAsync(overview.Value!, query, _lifetime.Token));
        }
        else if (View == "insights")
        {
            _insights = await Runner.RunAsync<GetServiceReports, InsightsResponse>(r => r.InsightsAsync(overview.Value!, query, _lifetime.Token));
            await LoadActivityAsync();
        }
        else
        {
            _repeat = (await Runner.RunAsync<GetServiceReports, Result<RepeatContactsResponse>>(r => r.RepeatContactsAsync(query, _lifetime.Token))).Value;
        }
    }

    private async Task LoadActivityAsync() =>
        _activity = (await Runner.RunAsync<CustomerActivityReport, Result<CustomerActivityResponse>>(r => r.HandleAsync(Query(), null, _activityAttribute, _lifetime.Token))).Value;

    private static string PerConversation(int count, int conversations) =>
        conversations == 0 ? ReportFormat.None : Math.Round((double)count / conversations, 1).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);

    private async Task ShowDigestAsync() =>
        _digest = (await Runner.RunAsync<Digests, Result<DigestResponse>>(d => d.ComposeAsync(null, _lifetime.Token))).Value;

    private async Task KeepTodayFreshAsync()
    {
        using var timer = new PeriodicTimer(Refresh, Clock);
        try
        {
            while (await timer.WaitForNextTickAsync(_lifetime.Token))
            {
                await InvokeAsync(async () =>
                {
                    try
                    {
                        await LoadAsync();
                        StateHasChanged();
                    }
#pragma warning disable CA1031 // A failed read (the database restarting) must not stop the page from reading again on the next tick.
                    catch (Exception e) when (!_lifetime.IsCancellationRequested)
#pragma warning restore CA1031
                    {
                        Logger.LogWarning(e, "The reports could not be read again; trying on the next tick.");
                    }
                });
            }
        }
        catch (OperationCanceledException)
        {
            // The page closed.
        }
    }

    private async Task OnPeriodChanged(ChangeEventArgs e)
    {
        Days = int.Parse((string)e.Value!, System.Globalization.CultureInfo.InvariantCulture);
        if (Days == 0)
        {
            // A custom period starts as the one shown, to change from there.
            (From, To) = (_overview?.From, _overview?.To);
        }

        await LoadAsync();
    }

    private Task OnFromChanged(ChangeEventArgs e) => Filter(() => From = ParseDay(e) ?? From);

    private Task OnToChanged(ChangeEventArgs e) => Filter(() => To = ParseDay(e) ?? To);

    private static DateOnly? ParseDay(ChangeEventArgs e) =>
        DateOnly.TryParseExact(e.Value as string, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day) ? day : null;

    private Task OnInboxChanged(ChangeEventArgs e) => Filter(() => InboxId = ParseId(e));

    private Task OnTeamChanged(ChangeEventArgs e) => Filter(() => TeamId = ParseId(e));

    private Task OnAgentChanged(ChangeEventArgs e) => Filter(() => AgentId = ParseId(e));

    private async Task Filter(Action change)
    {
        change();
        await LoadAsync();
    }

    private static Guid? ParseId(ChangeEventArgs e) => Guid.TryParse(e.Value as string, out var id) ? id : null;

    private async Task ExportAsync()
    {
        if (_overview is not { } overview)
        {
            return;
        }

        var text = (_breakdown, _sla, _surveys, _selfService) switch
        {
            ({ } breakdown, _, _, _) => ReportCsv.Breakdown(breakdown),
            (_, { } sla, _, _) => ReportCsv.Sla(sla),
            (_, _, { } surveys, _) => ReportCsv.Surveys(surveys),
            (_, _, _, { } self) => ReportCsv.SelfService(self),
            _ => ReportCsv.Days(overview),
        };
        var name = $"{View ?? "overview"}-{overview.From:yyyy-MM-dd}-{overview.To:yyyy-MM-dd}.csv";
        await Downloads.SaveAsync(name, text, "text/csv");
    }

    private double? Average(TimeFigure figure) => Business ? figure.AverageBusinessSeconds : figure.AverageSeconds;

    private List<ChartPoint> PerDay(Func<ReportFigures, double?> value) =>
        _overview is { } o ? [.. o.Days.Select(d => new ChartPoint(ReportFormat.Day(d.Day), value(d.Figures)))] : [];

    private static List<ChartPoint> Scores(ScoreFigure figure, int lowest) =>
        [.. figure.Distribution.Select((count, i) => new ChartPoint((lowest + i).ToString(System.Globalization.CultureInfo.InvariantCulture), count))];

    private static List<ChartPoint> Distribution(TimeFigure figure) =>
        [.. figure.Distribution.Select((count, i) => new ChartPoint(ReportBuckets.Labels[i], count))];
}
