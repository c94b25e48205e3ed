using Microsoft.AspNetCore.Components;
using MudBlazor;
using Porchlight.Server.Components;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Features.Teams;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Assistant;

public sealed partial class AssistantFlowPage
{
    private List<InboxResponse>? _inboxes;
    private List<TeamResponse> _teams = [];
    private List<Webhooks.WebhookSubscriptionResponse> _webhooks = [];
    private string _botWebhookId = "";
    private Guid _inboxId;
    private bool _enabled;
    private int _version;
    private DateTime? _updatedAt;
    private List<FlowStepModel> _steps = [];
    private bool _busy;
    private readonly FormErrors _errors = new();

    private readonly List<PreviewLine> _preview = [];
    private FlowState? _previewState;
    private string _previewText = "";

    /// <summary>A line of the preview chat: the visitor's words, the assistant's, or what the turn changed.</summary>
    private sealed record PreviewLine(string Kind, string Text, IReadOnlyList<string>? QuickReplies = null);

    private string VersionText => _version == 0 ? "Not saved yet: a starter flow" : $"Version {_version}, saved {Timestamps.Format(_updatedAt!.Value)}";

    protected override async Task OnInitializedAsync()
    {
        var inboxes = await Runner.RunAsync<ListInboxes, Result<Page<InboxResponse>>>(u => u.HandleAsync(new PageRequest(PageRequest.MaxLimit, null), CancellationToken.None));
        var teams = await Runner.RunAsync<ListTeams, Result<Page<TeamResponse>>>(u => u.HandleAsync(new PageRequest(PageRequest.MaxLimit, null), CancellationToken.None));
        _teams = [.. teams.Value?.Items ?? []];
        _webhooks = await Runner.RunAsync<Webhooks.WebhookSubscriptions, List<Webhooks.WebhookSubscriptionResponse>>(u => u.ListAsync(CancellationToken.None));
        _inboxes = [.. (inboxes.Value?.Items ?? []).Where(i => i.Channel == InboxChannel.WebWidget)];
        if (_inboxes.Count > 0)
        {
            await LoadAsync(_inboxes[0].Id);
        }
    }

    private async Task InboxChangedAsync(ChangeEventArgs e)
    {
        if (Guid.TryParse(e.Value?.ToString(), out var inboxId))
        {
            await LoadAsync(inboxId);
        }
    }

    private async Task LoadAsync(Guid inboxId)
    {
        var flow = await Runner.RunAsync<AssistantFlows, Result<AssistantFlowResponse>>(u => u.GetAsync(inboxId, CancellationToken.None));
        if (flow.Value is not { } loaded)
        {
            Snackbar.Add(flow.Failure!.Detail, Severity.Error);
            return;
        }

        _inboxId = inboxId;
        Show(loaded);
        RestartPreview();
    }

    private void Show(AssistantFlowResponse flow)
    {
        (_enabled, _version, _updatedAt) = (flow.IsEnabled, flow.Version, flow.UpdatedAt);
        _botWebhookId = flow.BotWebhookId?.ToString() ?? "";
        _steps = [.. flow.Definition.Steps.Select(FlowStepModel.From)];
        _errors.Clear();
    }

    private FlowDefinition Definition() => new([.. _steps.Select(s => s.ToStep())]);

    private async Task SaveAsync()
    {
        _busy = true;
        var request = new AssistantFlowRequest(_enabled, Definition(), Guid.TryParse(_botWebhookId, out var botWebhookId) ? botWebhookId : null);
        var saved = await Runner.RunAsync<AssistantFlows, Result<AssistantFlowResponse>>(u => u.SaveAsync(_inboxId, request, CancellationToken.None));
        _busy = false;
        if (saved.Value is not { } flow)
        {
            _errors.Set(saved.Failure!);
            Snackbar.Add(saved.Failure!.FieldErrors is null ? saved.Failure.Detail : "Some steps need a look: see the marked fields.", Severity.Error);
            return;
        }

        Show(flow);
        Snackbar.Add(flow.IsEnabled ? $"Saved as version {flow.Version}; new chats meet it now." : $"Saved as version {flow.Version}; switched off.", Severity.Normal);
    }

    private void AddStep(ChangeEventArgs e)
    {
        var type = e.Value?.ToString();
        if (string.IsNullOrEmpty(type))
        {
            return;
        }

        var id = Enumerable.Range(_steps.Count + 1, 200).Select(n => $"{type}-{n}").First(candidate => _steps.All(s => s.Id != candidate));
        var step = new FlowStepModel { Id = id, Type = type };
        if (type == "choice")
        {
            step.Options.Add(new());
        }
        else if (type == "condition")
        {
            step.Branches.Add(new());
        }

        _steps.Add(step);
    }

    private void Move(int index, int by)
    {
        var step = _steps[index];
        _steps.RemoveAt(index);
        _steps.Insert(index + by, step);
    }

    private void RestartPreview()
    {
        _preview.Clear();
        _previewState = null;
        _previewText = "";
    }

    private async Task SayAsync(string text)
    {
        if (string.IsNullOrWhiteSpace(text) || _busy)
        {
            return;
        }

        _busy = true;
        var request = new FlowPreviewRequest(Definition(), _previewState, text);
        var turn = await Runner.RunAsync<AssistantFlows, Result<FlowPreviewResponse>>(u => u.PreviewAsync(_inboxId, request, CancellationToken.None));
        _busy = false;
        if (turn.Value is not { } answered)
        {
            _errors.Set(turn.Failure!);
            Snackbar.Add(turn.Failure!.FieldErrors is null ? turn.Failure.Detail : "The flow has mistakes to fix before it can run: see the marked fields.", Severity.Warning);
            return;
        }

        _errors.Clear();
        _preview.Add(new PreviewLine("visitor", text.Trim()));
        _preview.AddRange(answered.Replies.Select(r => new PreviewLine("bot", r.Text, r.QuickReplies)));
        _preview.AddRange(answered.Effects.Select(effect => new PreviewLine("effect", effect)));
        _previewState = answered.State;
        _previewText = "";
    }

    private static string TextPlaceholder(string type) => type switch
    {
        "question" => "The question, e.g. What's your order number?",
        "choice" => "The question above the buttons",
        "suggestArticles" => "Before the articles (optional), e.g. These may help:",
        "handover" => "Before handing over (optional)",
        "end" => "Goodbye (optional)",
        _ => "What the assistant says",
    };

    private static string ElseLabel(string type) => type switch
    {
        "choice" => "Other answers go to",
        "condition" => "Otherwise",
        _ => "If it did not help (or nothing was found)",
    };
}
