using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Routing;

/// <summary>
/// Reads the figures again whenever a conversation or a presence changes in the workspace (at most one read at a
/// time; changes during a read cause one more), and every few seconds so waiting times keep counting.
/// </summary>
public sealed partial class SupervisionPage
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _lifetime = new();
    private SupervisionResponse? _figures;
    private IReadOnlyList<Workforce.WorkloadAlertResponse> _alerts = [];
    private IDisposable? _subscription;
    private bool _reading;
    private bool _changedWhileReading;

    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    protected override async Task OnInitializedAsync()
    {
        var user = AuthenticationState is null ? new() : (await AuthenticationState).User;
        if (RendererInfo.IsInteractive && PorchlightClaims.WorkspaceIdOf(user) is { } workspaceId)
        {
            _subscription = Feed.Subscribe(workspaceId, PorchlightClaims.AgentIdOf(user) ?? Guid.Empty, new InboxFeedListener(new WorkspaceChanges(ReadAgainAsync), InvokeAsync, Logger));
            _ = TickAsync();
        }

        await ReadAsync();
    }

    private async Task ReadAsync()
    {
        _figures = await Runner.RunAsync<SupervisorFigures, SupervisionResponse>(figures => figures.ReadAsync(_lifetime.Token));
        _alerts = await Runner.RunAsync<Workforce.WorkloadAlerts, List<Workforce.WorkloadAlertResponse>>(alerts => alerts.ListAsync(_lifetime.Token));
    }

    // Runs on the page's dispatcher, one event at a time.
    private async Task ReadAgainAsync()
    {
        if (_reading)
        {
            _changedWhileReading = true;
            return;
        }

        _reading = true;
        try
        {
            do
            {
                _changedWhileReading = false;
                await ReadAsync();
                StateHasChanged();
            }
            while (_changedWhileReading);
        }
#pragma warning disable CA1031 // A failed read (the database restarting) must not stop the page from reading again on the next change or tick.
        catch (Exception e) when (!_lifetime.IsCancellationRequested)
#pragma warning restore CA1031
        {
            Logger.LogWarning(e, "The live queues could not be read; trying again on the next change.");
        }
        finally
        {
            _reading = false;
        }
    }

    private async Task TickAsync()
    {
        using var timer = new PeriodicTimer(Tick, Clock);
        try
        {
            while (await timer.WaitForNextTickAsync(_lifetime.Token))
            {
                await InvokeAsync(ReadAgainAsync);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task AssignAsync(WaitingConversation waiting, Guid teamId, string? agent)
    {
        if (!Guid.TryParse(agent, out var agentId))
        {
            return;
        }

        // The supervisor sees each agent's load beside their name and chooses knowingly: over a cap is allowed here.
        var result = await Runner.RunAsync<AssignConversation, Result<ConversationResponse>>(
            assign => assign.HandleAsync(waiting.ConversationId, new AssignRequest(agentId, teamId, OverCap: true), _lifetime.Token));
        Report(result.Failure, $"Conversation {waiting.Number} assigned.");
        await ReadAgainAsync();
    }

    private async Task SetAvailabilityAsync(AgentFigures agent, string? value)
    {
        if (!Enum.TryParse<AgentAvailability>(value, out var availability))
        {
            return;
        }

        var result = await Runner.RunAsync<SetMyAvailability, Result<AgentResponse>>(
            set => set.ForAgentAsync(agent.AgentId, new SetAvailabilityRequest(availability), _lifetime.Token));
        Report(result.Failure, $"{agent.Name} is now {availability}.");
        await ReadAgainAsync();
    }

    private async Task SetCapAsync(AgentFigures agent, string? value)
    {
        int? cap = int.TryParse(value, out var parsed) ? parsed : null;
        var result = await Runner.RunAsync<RoutingSettings, Result<AgentCapsResponse>>(
            settings => settings.SetAgentCapsAsync(agent.AgentId, agent.OwnCaps with { All = cap }, _lifetime.Token));
        Report(result.Failure, cap switch
        {
            null => $"{agent.Name} follows the workspace's cap.",
            0 => $"{agent.Name} receives no new conversations.",
            _ => $"{agent.Name} takes up to {cap} at once.",
        });
        await ReadAgainAsync();
    }

    private void Report(Failure? failure, string success) =>
        Snackbar.Add(failure is null ? success : failure.FieldErrors?.Values.SelectMany(v => v).FirstOrDefault() ?? failure.Detail, failure is null ? Severity.Success : Severity.Error);

    private static string LoadOf(AgentFigures agent, RoutingChannel channel) =>
        agent.Load.First(l => l.Channel == channel) is var load ? $"{load.Active}/{load.Cap}" : "";

    private static string StrategyName(AssignmentStrategy strategy) => strategy switch
    {
        AssignmentStrategy.LeastLoaded => "Least loaded",
        AssignmentStrategy.RoundRobin => "Round robin",
        AssignmentStrategy.Skills => "Skills",
        _ => "Manual",
    };

    private string Since(DateTime? at) => Duration(at is { } since ? Math.Max(0, (Clock.GetUtcNow().UtcDateTime - since).TotalSeconds) : null);

    // "breached 4 min ago" or "due in 2 min": the clock of a breached promise runs on, so how late it is matters.
    private string RiskState(Sla.SlaAtRisk risk) => risk.Breached
        ? $"breached {Since(risk.BreachedAt)} ago"
        : risk.DueAt is { } due ? $"due in {Duration(Math.Max(0, (due - Clock.GetUtcNow().UtcDateTime).TotalSeconds))}" : "at risk";

    /// <summary>"—", "45 s", "3 min", "1 h 20 min".</summary>
    public static string Duration(double? seconds) => seconds switch
    {
        null => "—",
        < 60 => $"{(int)seconds} s",
        < 3600 => $"{(int)(seconds / 60)} min",
        _ => $"{(int)(seconds / 3600)} h {(int)(seconds % 3600 / 60)} min",
    };

    public void Dispose()
    {
        _subscription?.Dispose();
        _lifetime.Cancel();
        _lifetime.Dispose();
    }

    /// <summary>Anything that can move a queue or a load: conversations changing and agents coming and going.</summary>
    private sealed class WorkspaceChanges(Func<Task> changed) : IInboxEvents
    {
        public Task OnMessageCreatedAsync(MessageResponse message) => Task.CompletedTask;

        public Task OnMessageUpdatedAsync(MessageResponse message) => Task.CompletedTask;

        public Task OnConversationChangedAsync(ConversationResponse conversation) => changed();

        public Task OnTypingAsync(AgentTypingNotice notice) => Task.CompletedTask;

        public Task OnReadAsync(AgentReadNotice notice) => Task.CompletedTask;

        public Task OnMentionedAsync(MentionNotice notice) => Task.CompletedTask;

        public Task OnPresenceChangedAsync(PresenceNotice notice) => changed();

        public Task OnContactChangedAsync(ContactNotice notice) => Task.CompletedTask;

        public Task OnSlaAlertAsync(Sla.SlaAlertNotice notice) => changed();

        public Task OnEventsMissedAsync() => changed();
    }
}
