using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;
using MudBlazor;
using Porchlight.Server.Components;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Attachments;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Features.Teams;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Conversations;

/// <summary>
/// The agent inbox: the filtered conversation list, the open thread with its composer, and the contact. Every
/// read and write runs as a use case in its own scope (<see cref="UseCaseRunner"/>), exactly as the REST API
/// would; live changes arrive from <see cref="LiveInboxFeed"/>, the same events the agent hub carries.
/// </summary>
public sealed partial class InboxPage : IInboxEvents, IAsyncDisposable
{
    private const int PageSize = 50;
    private const int ThreadPageSize = ConversationQueries.MaxLimit;
    private const int MaxThreadPages = 25;
    private static readonly TimeSpan TypingRepeat = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan TypingIdle = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan ContactTypingShownFor = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan SearchDebounce = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan RefreshDelay = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _lifetime = new();
    private readonly List<MessageResponse> _messages = [];
    private readonly List<PendingMessage> _pending = [];
    private readonly Dictionary<Guid, string> _drafts = [];
    private readonly Dictionary<Guid, (string Name, DateTime Until)> _contactTyping = [];
    private readonly Dictionary<Guid, (string Name, DateTime Until)> _teammateTyping = [];
    private readonly Dictionary<Guid, MessageResponse> _unannouncedIncoming = [];
    private readonly SortedSet<string> _knownLabels = new(StringComparer.Ordinal);

    // Who is looking.
    private Guid _me;
    private Guid _workspaceId;
    private string _myName = "";
    private bool _canHandle;

    // The list and its filter.
    private ConversationView _view = ConversationView.All;
    private ConversationStatus? _status = ConversationStatus.Open;
    private ConversationSort _sort = ConversationSort.Newest;
    private Guid? _inboxFilter;
    private Guid? _teamFilter;
    private ConversationPriority? _priorityFilter;
    private string _labelFilter = "";
    private string _search = "";
    private bool _showMoreFilters;

    // Handlers of the rows on screen (messages, labels, files, picker choices) that keep their ids across renders.
    private readonly RowHandlers _rows = new();
    private List<ConversationResponse>? _conversations;
    private int _total;
    private ConversationCounts _counts = new(0, 0, 0);
    private bool? _workspaceHasConversations;
    private bool _loadingMore;
    private int _listVersion;
    private bool _refreshQueued;
    private readonly Debouncer _searchDebounce = new(SearchDebounce);
    private string? _listError;

    // Pickers.
    private Dictionary<Guid, AgentResponse> _agents = [];
    private List<TeamResponse> _teams = [];
    private List<InboxResponse> _inboxes = [];

    // The open conversation.
    private Guid? _openId;
    private ConversationResponse? _current;
    private ThreadState _threadState = ThreadState.None;
    private ContactResponse? _contact;
    private Tracking.ContactActivityResponse? _activity;
    private List<Sla.SlaClockResponse> _slaClocks = [];
    private int _threadVersion;
    private long _readSent;
    private bool _busy;
    private string _newLabel = "";

    // The composer.
    private string _draft = "";
    private bool _noteMode;
    private Guid? _typingIn;
    private DateTime _typingSentAt;
    private CancellationTokenSource? _typingIdle;

    // The browser side.
    private IJSObjectReference? _module;
    private DotNetObjectReference<InboxPage>? _self;
    private TimeZoneInfo _zone = TimeZoneInfo.Utc;
    private bool _pageVisible = true;
    private bool _notificationsOn;
    private string _notificationPermission = "default";
    private bool _scrollToEnd;
    private bool _browserReady;

    private IDisposable? _subscription;
    private bool _present;

    private enum ThreadState
    {
        None,
        Loading,
        Ready,
        NotFound,
    }

    [Parameter]
    public Guid? ConversationId { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    [Inject]
    private UseCaseRunner Runner { get; set; } = default!;

    [Inject]
    private LiveInboxFeed Feed { get; set; } = default!;

    [Inject]
    private AgentPresence Presence { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private TimeProvider Clock { get; set; } = default!;

    [Inject]
    private ILogger<InboxPage> Logger { get; set; } = default!;

    private DateTime Now => Clock.GetUtcNow().UtcDateTime;

    private CancellationToken Lifetime => _lifetime.Token;

    private ConversationFilter Filter => new(
        _view, _status, _inboxFilter, _teamFilter, string.IsNullOrWhiteSpace(_labelFilter) ? null : _labelFilter.Trim(), _priorityFilter,
        string.IsNullOrWhiteSpace(_search) ? null : _search.Trim(), _sort);

    private int MoreFilterCount =>
        (_inboxFilter is null ? 0 : 1) + (_teamFilter is null ? 0 : 1) + (_priorityFilter is null ? 0 : 1) + (string.IsNullOrWhiteSpace(_labelFilter) ? 0 : 1);

    private bool IsFiltered => MoreFilterCount > 0 || !string.IsNullOrWhiteSpace(_search) || _view != ConversationView.All || _status != ConversationStatus.Open;

    /// <summary>What the dashboard apps beside the conversation are told: the open conversation, its contact, and who looks.</summary>
    private DashboardApps.DashboardAppContext? AppContext => DashboardApps.DashboardAppContext.Of(
        _current, _contact, _inboxes.Find(i => i.Id == _current?.InboxId),
        _current?.AssigneeId is { } assignee && _agents.TryGetValue(assignee, out var agent) ? agent.DisplayName : null,
        _teams.Find(t => t.Id == _current?.TeamId)?.Name, new(_me, _myName));

    private string Title
    {
        get
        {
            var unread = _conversations?.Count(c => c.Unread > 0) ?? 0;
            return unread > 0 ? $"({unread}) Inbox · Porchlight" : "Inbox · Porchlight";
        }
    }

    protected override async Task OnInitializedAsync()
    {
        var user = AuthenticationState is null ? new() : (await AuthenticationState).User;
        _me = PorchlightClaims.AgentIdOf(user) ?? Guid.Empty;
        _workspaceId = PorchlightClaims.WorkspaceIdOf(user) ?? Guid.Empty;
        _myName = user.FindFirst(PorchlightClaims.DisplayName)?.Value ?? "";
        _canHandle = PorchlightClaims.Grants(user, Permission.HandleConversations);
        if (!RendererInfo.IsInteractive)
        {
            // The prerendered page shows the layout with placeholders; the circuit loads the data once.
            return;
        }

        // While this page is open the agent counts as online, so the widget offers live chat.
        await Presence.ConnectedAsync(_workspaceId, _me);
        _present = true;
        _subscription = Feed.Subscribe(_workspaceId, _me, new InboxFeedListener(this, InvokeAsync, Logger));
        _ = TickAsync();
        await Task.WhenAll(LoadPickersAsync(), LoadListAsync());
    }

    protected override async Task OnParametersSetAsync()
    {
        if (RendererInfo.IsInteractive && ConversationId != _openId)
        {
            await OpenAsync(ConversationId);
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!RendererInfo.IsInteractive)
        {
            return;
        }

        if (firstRender)
        {
            try
            {
                _self = DotNetObjectReference.Create(this);
                _module = await JS.InvokeAsync<IJSObjectReference>("import", Lifetime, "/" + Assets["inbox.js"].TrimStart('/'));
                var alerts = await Runner.RunAsync<MyAlerts, Result<AlertsResponse>>(u => u.GetAsync(Lifetime));
                var browser = await _module.InvokeAsync<BrowserState>("start", Lifetime, _self, alerts.Value?.Enabled ?? false);
                _zone = InboxTime.Zone(browser.TimeZone);
                _pageVisible = browser.Visible;
                _notificationsOn = browser.Notifications;
                _notificationPermission = browser.Permission;
            }
            catch (Exception e) when (e is JSException or JSDisconnectedException or TaskCanceledException or OperationCanceledException)
            {
                Logger.LogDebug(e, "The inbox's browser module did not start.");
            }

            _browserReady = true;
            StateHasChanged();
        }

        if (_scrollToEnd && _module is not null)
        {
            _scrollToEnd = false;
            await CallModuleAsync("scrollThreadToEnd");
        }

        if (_textToShow.Count > 0 && _module is not null)
        {
            await ShowPendingTextAsync();
        }

        if (_focusEdit && _module is not null)
        {
            _focusEdit = false;
            await CallModuleAsync("focusEdit");
        }
    }

    // Relative times ("4m") and typing indicators age without any event; a quiet tick keeps them honest.
    private async Task TickAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(20));
        try
        {
            while (await timer.WaitForNextTickAsync(Lifetime))
            {
                await InvokeAsync(StateHasChanged);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // ----- The list -----

    private async Task LoadPickersAsync()
    {
        var agents = Runner.RunAsync<ListAgents, Result<Page<AgentResponse>>>(u => u.HandleAsync(new PageRequest(PageRequest.MaxLimit, null), Lifetime));
        var teams = Runner.RunAsync<ListTeams, Result<Page<TeamResponse>>>(u => u.HandleAsync(new PageRequest(PageRequest.MaxLimit, null), Lifetime));
        var inboxes = Runner.RunAsync<ListInboxes, Result<Page<InboxResponse>>>(u => u.HandleAsync(new PageRequest(PageRequest.MaxLimit, null), Lifetime));
        _cannedLoad = LoadCannedAsync();
        _agents = ((await agents).Value?.Items ?? []).ToDictionary(a => a.Id);
        _teams = [.. ((await teams).Value?.Items ?? []).OrderBy(t => t.Name, StringComparer.CurrentCultureIgnoreCase)];
        _inboxes = [.. ((await inboxes).Value?.Items ?? []).OrderBy(i => i.Name, StringComparer.CurrentCultureIgnoreCase)];
    }

    /// <summary>Reads the list for the current filter; a refresh keeps as many rows as are shown.</summary>
    private async Task LoadListAsync(bool refresh = false)
    {
        var version = ++_listVersion;
        var limit = refresh ? Math.Clamp(_conversations?.Count ?? PageSize, PageSize, ConversationQueries.MaxLimit) : PageSize;
        var filter = Filter with { Limit = limit };
        try
        {
            var result = await Runner.RunAsync<ConversationQueries, Result<ConversationList>>(q => q.ListAsync(filter, Lifetime));
            if (version != _listVersion)
            {
                return;
            }

            if (!result.Succeeded)
            {
                _listError = result.Failure!.FieldErrors?.Values.SelectMany(v => v).FirstOrDefault() ?? result.Failure.Detail;
                _conversations ??= [];
                return;
            }

            _listError = null;
            _conversations = [.. result.Value!.Items];
            _total = result.Value.Total;
            _counts = result.Value.Counts;
            Remember(_conversations);
            if (_total > 0 || _counts.All > 0)
            {
                _workspaceHasConversations = true;
            }
            else if (_workspaceHasConversations is null)
            {
                var any = await Runner.RunAsync<ConversationQueries, Result<ConversationList>>(q =>
                    q.ListAsync(new ConversationFilter(Status: null, Limit: 1), Lifetime));
                _workspaceHasConversations = any.Value?.Total > 0;
            }
        }
        catch (OperationCanceledException) when (Lifetime.IsCancellationRequested)
        {
        }
    }

    private async Task LoadMoreAsync()
    {
        if (_conversations is null || _loadingMore)
        {
            return;
        }

        _loadingMore = true;
        var version = _listVersion;
        var filter = Filter with { Limit = PageSize, Offset = _conversations.Count };
        var result = await Runner.RunAsync<ConversationQueries, Result<ConversationList>>(q => q.ListAsync(filter, Lifetime));
        _loadingMore = false;
        if (version != _listVersion || !result.Succeeded)
        {
            return;
        }

        var known = _conversations.Select(c => c.Id).ToHashSet();
        _conversations.AddRange(result.Value!.Items.Where(c => !known.Contains(c.Id)));
        _total = result.Value.Total;
        _counts = result.Value.Counts;
        Remember(result.Value.Items);
    }

    private void Remember(IEnumerable<ConversationResponse> conversations)
    {
        foreach (var label in conversations.SelectMany(c => c.Labels))
        {
            _knownLabels.Add(label);
        }
    }

    /// <summary>Live events update the list at once; the database has the last word a moment later (counts, search).</summary>
    private void QueueRefresh()
    {
        if (_refreshQueued)
        {
            return;
        }

        _refreshQueued = true;
        _ = InvokeAsync(async () =>
        {
            try
            {
                await Task.Delay(RefreshDelay, Lifetime);
                _refreshQueued = false;
                await LoadListAsync(refresh: true);
                await ReadSlaClocksAsync();
                StateHasChanged();
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    private async Task SetViewAsync(ConversationView view)
    {
        _view = view;
        await LoadListAsync();
    }

    private void ToggleMoreFilters() => _showMoreFilters = !_showMoreFilters;

    private async Task OnStatusFilterChanged(ChangeEventArgs e)
    {
        _status = Enum.TryParse<ConversationStatus>(e.Value as string, out var status) ? status : null;
        await LoadListAsync();
    }

    private async Task OnSortChanged(ChangeEventArgs e)
    {
        _sort = Enum.TryParse<ConversationSort>(e.Value as string, out var sort) ? sort : ConversationSort.Newest;
        await LoadListAsync();
    }

    private async Task OnInboxFilterChanged(ChangeEventArgs e)
    {
        _inboxFilter = Guid.TryParse(e.Value as string, out var id) ? id : null;
        await LoadListAsync();
    }

    private async Task OnTeamFilterChanged(ChangeEventArgs e)
    {
        _teamFilter = Guid.TryParse(e.Value as string, out var id) ? id : null;
        await LoadListAsync();
    }

    private async Task OnPriorityFilterChanged(ChangeEventArgs e)
    {
        _priorityFilter = Enum.TryParse<ConversationPriority>(e.Value as string, out var priority) ? priority : null;
        await LoadListAsync();
    }

    private Task OnSearchInput(ChangeEventArgs e)
    {
        _search = e.Value as string ?? "";
        return DebouncedReloadAsync();
    }

    private Task OnLabelFilterInput(ChangeEventArgs e)
    {
        _labelFilter = e.Value as string ?? "";
        return DebouncedReloadAsync();
    }

    private async Task DebouncedReloadAsync()
    {
        if (await _searchDebounce.PauseAsync(Lifetime))
            await LoadListAsync();
    }

    private async Task ClearFiltersAsync()
    {
        _view = ConversationView.All;
        _status = ConversationStatus.Open;
        _inboxFilter = _teamFilter = null;
        _priorityFilter = null;
        _labelFilter = _search = "";
        ShowText("label-filter", "");
        ShowText("conversation-search", "");
        await LoadListAsync();
    }

    private int CountFor(ConversationView view) => view switch
    {
        ConversationView.Mine => _counts.Mine,
        ConversationView.Unassigned => _counts.Unassigned,
        _ => _counts.All,
    };

    private void Move(int step)
    {
        if (_conversations is not { Count: > 0 } list)
        {
            return;
        }

        var index = list.FindIndex(c => c.Id == _openId);
        var next = index < 0 ? 0 : Math.Clamp(index + step, 0, list.Count - 1);
        if (list[next].Id != _openId)
        {
            Navigation.NavigateTo($"/inbox/{list[next].Id}");
        }
    }

    // ----- The thread -----

    private async Task OpenAsync(Guid? conversationId)
    {
        var version = ++_threadVersion;
        if (_openId is { } previous)
        {
            _drafts[previous] = _draft;
        }

        var composerText = _draft;

        await StopTypingAsync();
        _openId = conversationId;
        _messages.Clear();
        (_contact, _activity) = (null, null);
        _slaClocks = [];
        _readSent = 0;
        _newLabel = "";
        _editingId = _confirmDeleteId = null;
        ClosePicker();
        _rows.Clear();
        _draft = conversationId is { } next && _drafts.TryGetValue(next, out var draft) ? draft : "";
        ShowText("composer", _draft, replacing: composerText);
        ShowText("label-input", "");
        if (conversationId is not { } id)
        {
            _current = null;
            _threadState = ThreadState.None;
            return;
        }

        // The row already says who and what: show the header at once while the thread loads.
        _current = _conversations?.FirstOrDefault(c => c.Id == id);
        _threadState = ThreadState.Loading;
        try
        {
            var found = await Runner.RunAsync<ConversationQueries, Result<ConversationResponse>>(q => q.GetAsync(id, Lifetime));
            if (version != _threadVersion)
            {
                return;
            }

            if (!found.Succeeded)
            {
                _current = null;
                _threadState = ThreadState.NotFound;
                return;
            }

            _current = found.Value;
            _mentionedIn.Remove(id);
            await Runner.RunAsync<ConversationViews, bool>(v => v.RecordAsync(found.Value!, Lifetime));
            var contact = LoadContactAsync(found.Value!.Contact.Id, version);
            var clocks = ReadSlaClocksAsync();
            var loaded = await ReadMessagesAsync(id, after: 0);
            if (version != _threadVersion)
            {
                return;
            }

            Merge(loaded);
            _threadState = ThreadState.Ready;
            _scrollToEnd = true;
            await CatchUpIfGappedAsync(version);
            await MarkReadAsync();
            await contact;
            await clocks;
        }
        catch (OperationCanceledException) when (Lifetime.IsCancellationRequested)
        {
        }
    }

    private async Task LoadContactAsync(Guid contactId, int version)
    {
        var contact = await Runner.RunAsync<ConversationQueries, Result<ContactResponse>>(q => q.ContactAsync(contactId, Lifetime));
        var activity = await Runner.RunAsync<Tracking.ContactActivityQuery, Result<Tracking.ContactActivityResponse>>(q => q.HandleAsync(contactId, Lifetime));
        if (version == _threadVersion)
        {
            (_contact, _activity) = (contact.Value, activity.Value);
            StateHasChanged();
        }
    }

    // The clocks are synced just after the commit that moves them, so the refresh that follows a change a moment
    // later reads them too; between changes the chips count down from the due times on their own.
    private async Task ReadSlaClocksAsync()
    {
        if (_openId is not { } id)
        {
            return;
        }

        var version = _threadVersion;
        var clocks = await Runner.RunAsync<Sla.SlaQueries, Result<List<Sla.SlaClockResponse>>>(q => q.ClocksAsync(id, Lifetime));
        if (version == _threadVersion)
        {
            _slaClocks = clocks.Value ?? [];
        }
    }

    private async Task<List<MessageResponse>> ReadMessagesAsync(Guid conversationId, long after)
    {
        var all = new List<MessageResponse>();
        for (var page = 0; page < MaxThreadPages; page++)
        {
            var from = all.Count == 0 ? after : all[^1].Sequence;
            var result = await Runner.RunAsync<ConversationQueries, Result<List<MessageResponse>>>(q =>
                q.MessagesAsync(conversationId, from, ThreadPageSize, Lifetime));
            var batch = result.Value ?? [];
            all.AddRange(batch);
            if (batch.Count < ThreadPageSize)
            {
                break;
            }
        }

        return all;
    }

    /// <summary>Adds or replaces messages by sequence; a stored message replaces its "sending" placeholder.</summary>
    private void Merge(IEnumerable<MessageResponse> messages)
    {
        foreach (var message in messages)
        {
            var index = _messages.BinarySearch(message, BySequence.Instance);
            if (index >= 0)
            {
                _messages[index] = message;
            }
            else
            {
                _messages.Insert(~index, message);
            }

            _pending.RemoveAll(p => p.ConversationId == message.ConversationId && p.ClientId == message.ClientId);
        }
    }

    // Sequences are gap-free for agents; a hole means an event was missed, so read what is missing.
    private async Task CatchUpIfGappedAsync(int version)
    {
        if (_openId is not { } id || _messages.Count == 0)
        {
            return;
        }

        var expected = _messages[0].Sequence;
        long? gapAfter = null;
        foreach (var message in _messages)
        {
            if (message.Sequence != expected)
            {
                gapAfter = expected - 1;
                break;
            }

            expected++;
        }

        if (gapAfter is { } after)
        {
            var missing = await ReadMessagesAsync(id, after);
            if (version == _threadVersion)
            {
                Merge(missing);
            }
        }
    }

    private long LastSequence => _messages.Count == 0 ? 0 : _messages[^1].Sequence;

    private async Task MarkReadAsync()
    {
        if (_current is not { } conversation || !_canHandle || !_pageVisible || _threadState != ThreadState.Ready)
        {
            return;
        }

        var sequence = LastSequence;
        if (sequence <= conversation.AgentReadSequence || sequence <= _readSent)
        {
            return;
        }

        _readSent = sequence;
        var result = await Runner.RunAsync<ChangeConversation, Result<Done>>(u => u.ReadAsync(conversation.Id, new AgentReadRequest(sequence), Lifetime));
        if (result.Succeeded)
        {
            ApplyRead(conversation.Id, agentSequence: sequence, contactSequence: null);
        }
    }

    private void ApplyRead(Guid conversationId, long? agentSequence, long? contactSequence)
    {
        ConversationResponse Update(ConversationResponse c) => c with
        {
            AgentReadSequence = Math.Max(c.AgentReadSequence, agentSequence ?? 0),
            ContactReadSequence = Math.Max(c.ContactReadSequence, contactSequence ?? 0),
        };

        if (_current?.Id == conversationId)
        {
            _current = Update(_current);
        }

        if (_conversations?.FindIndex(c => c.Id == conversationId) is { } index and >= 0)
        {
            _conversations[index] = Update(_conversations[index]);
        }
    }

    private void ApplyConversation(ConversationResponse conversation)
    {
        if (_current?.Id == conversation.Id)
        {
            var contactChanged = _current.Contact.Id != conversation.Contact.Id;
            _current = conversation;
            if (contactChanged)
            {
                // An anonymous visitor identified themselves: the conversation now belongs to the known contact.
                (_contact, _activity) = (null, null);
                _ = LoadContactAsync(conversation.Contact.Id, _threadVersion);
            }
        }

        if (_conversations is not null)
        {
            _conversations = InboxList.Apply(_conversations, conversation, Filter, _me);
        }

        Remember([conversation]);
        _workspaceHasConversations = true;
    }

    // ----- Live events -----

    async Task IInboxEvents.OnMessageCreatedAsync(MessageResponse message)
    {
        if (message.Kind == MessageKind.Incoming)
        {
            _contactTyping.Remove(message.ConversationId);
            _unannouncedIncoming[message.ConversationId] = message;
        }
        else if (message.Author.Type == "agent")
        {
            _teammateTyping.Remove(message.ConversationId);
        }

        if (message.ConversationId == _openId && _threadState != ThreadState.NotFound)
        {
            var version = _threadVersion;
            var gap = _threadState == ThreadState.Ready && _messages.Count > 0 && message.Sequence > LastSequence + 1;
            // The reversed thread keeps an agent who is at the newest message there; one reading history stays put.
            Merge([message]);
            if (gap)
            {
                await CatchUpIfGappedAsync(version);
            }

            StateHasChanged();
            await MarkReadAsync();
        }

        StateHasChanged();
    }

    // The nodes were apart, and events published on the others did not reach this page: the list, the open
    // conversation and its messages after the last one shown are read again.
    async Task IInboxEvents.OnEventsMissedAsync()
    {
        await LoadListAsync(refresh: true);
        if (_openId is { } id && _threadState == ThreadState.Ready)
        {
            var version = _threadVersion;
            var found = await Runner.RunAsync<ConversationQueries, Result<ConversationResponse>>(q => q.GetAsync(id, Lifetime));
            var missed = await ReadMessagesAsync(id, LastSequence);
            if (version == _threadVersion)
            {
                if (found.Succeeded)
                {
                    ApplyConversation(found.Value!);
                }

                Merge(missed);
                await ReadSlaClocksAsync();
                await MarkReadAsync();
            }
        }

        StateHasChanged();
    }

    Task IInboxEvents.OnMessageUpdatedAsync(MessageResponse message)
    {
        if (message.ConversationId == _openId)
        {
            var index = _messages.BinarySearch(message, BySequence.Instance);
            if (index >= 0)
            {
                _messages[index] = message;
                if (message.DeletedAt is not null && _editingId == message.Id)
                {
                    _editingId = null;
                }

                StateHasChanged();
            }
        }

        return Task.CompletedTask;
    }

    async Task IInboxEvents.OnConversationChangedAsync(ConversationResponse conversation)
    {
        ApplyConversation(conversation);
        QueueRefresh();
        StateHasChanged();
        if (_unannouncedIncoming.Remove(conversation.Id, out var message)
            && (conversation.AssigneeId is null || conversation.AssigneeId == _me))
        {
            var first = conversation.LastSequence <= 1 || message.Sequence == 1;
            var title = first ? $"New conversation from {conversation.Contact.Name}" : conversation.Contact.Name;
            await CallModuleAsync("notify", title, message.Text, conversation.Id.ToString());
        }
    }

    Task IInboxEvents.OnTypingAsync(AgentTypingNotice notice)
    {
        var until = Now + ContactTypingShownFor;
        var typing = notice.Who == "contact" ? _contactTyping : notice.AgentId != _me ? _teammateTyping : null;
        if (typing is null)
        {
            return Task.CompletedTask;
        }

        if (notice.IsTyping)
        {
            typing[notice.ConversationId] = (notice.Name, until);
            _ = ForgetTypingLaterAsync();
        }
        else
        {
            typing.Remove(notice.ConversationId);
        }

        StateHasChanged();
        return Task.CompletedTask;
    }

    Task IInboxEvents.OnReadAsync(AgentReadNotice notice)
    {
        ApplyRead(notice.ConversationId,
            agentSequence: notice.Reader == "agent" ? notice.Sequence : null,
            contactSequence: notice.Reader == "contact" ? notice.Sequence : null);
        StateHasChanged();
        return Task.CompletedTask;
    }

    // The contact beside the thread was identified or given new attributes: show it as it is now.
    Task IInboxEvents.OnContactChangedAsync(ContactNotice notice) =>
        _current?.Contact.Id == notice.ContactId ? LoadContactAsync(notice.ContactId, _threadVersion) : Task.CompletedTask;

    Task IInboxEvents.OnPresenceChangedAsync(PresenceNotice notice)
    {
        if (_agents.TryGetValue(notice.AgentId, out var agent))
        {
            _agents[notice.AgentId] = agent with { Presence = notice.Presence };
            StateHasChanged();
        }

        return Task.CompletedTask;
    }

    // A "stopped typing" can be lost with a closed tab: an indicator disappears on its own after a while.
    private async Task ForgetTypingLaterAsync()
    {
        try
        {
            await Task.Delay(ContactTypingShownFor + TimeSpan.FromMilliseconds(100), Lifetime);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await InvokeAsync(StateHasChanged);
    }

    private string? TypingIn(Dictionary<Guid, (string Name, DateTime Until)> typing, Guid conversationId) =>
        typing.TryGetValue(conversationId, out var who) && who.Until > Now ? who.Name : null;

    // ----- Writing -----

    private Task OnDraftInputAsync(ChangeEventArgs e)
    {
        _draft = TypedText(e);
        return OnDraftChangedAsync();
    }

    private async Task OnDraftChangedAsync()
    {
        if (_current is not { } conversation || !_canHandle || _noteMode)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(_draft))
        {
            await StopTypingAsync();
            return;
        }

        _typingIdle?.Cancel();
        _typingIdle?.Dispose();
        var idle = _typingIdle = CancellationTokenSource.CreateLinkedTokenSource(Lifetime);
        _ = StopTypingWhenIdleAsync(idle.Token);
        if (_typingIn != conversation.Id || Now - _typingSentAt >= TypingRepeat)
        {
            _typingIn = conversation.Id;
            _typingSentAt = Now;
            await SendTypingAsync(conversation.Id, isTyping: true);
        }
    }

    private async Task StopTypingWhenIdleAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(TypingIdle, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await InvokeAsync(StopTypingAsync);
    }

    private async Task StopTypingAsync()
    {
        _typingIdle?.Cancel();
        if (_typingIn is { } conversationId)
        {
            _typingIn = null;
            _typingSentAt = default;
            await SendTypingAsync(conversationId, isTyping: false);
        }
    }

    private async Task SendTypingAsync(Guid conversationId, bool isTyping)
    {
        try
        {
            await Runner.RunAsync<ConversationBroadcaster, bool>(async broadcaster =>
            {
                await broadcaster.AgentTypingAsync(conversationId, _me, _myName, isTyping, Lifetime);
                return true;
            });
        }
        catch (OperationCanceledException)
        {
        }
    }

    private Task ReplyModeAsync() => SetNoteModeAsync(false);

    private Task ToggleNoteModeAsync() => SetNoteModeAsync(!_noteMode);

    private async Task SetNoteModeAsync(bool note)
    {
        if (note && !_noteMode)
        {
            // A note is for teammates: the contact must not see "typing…" for it.
            await StopTypingAsync();
        }

        _noteMode = note;
        if (!note && _pickerKind == PickerKind.Mention)
        {
            ClosePicker();
        }

        await FocusComposerAsync();
    }

    [JSInvokable]
    public async Task SendFromComposer(string text)
    {
        _draft = text;
        await SendAsync();
        StateHasChanged();
    }

    private async Task SendAsync()
    {
        if (_current is not { } conversation || !_canHandle || !CanSend)
        {
            return;
        }

        // The client id is chosen once per message, so a retry of this message can never post it twice.
        var pending = new PendingMessage(
            conversation.Id, Guid.NewGuid().ToString("N"), StoredText(_draft.Trim(), _noteMode), _noteMode, Now, TakeReadyFiles(conversation.Id));
        _pending.Add(pending);
        ClosePicker();
        // What the agent typed after pressing Enter (while this was on its way) stays in the composer.
        await CallModuleAsync("takeSentText", _draft);
        _draft = "";
        _drafts.Remove(conversation.Id);
        _scrollToEnd = true;
        await StopTypingAsync();
        await DeliverAsync(pending);
    }

    private async Task DeliverAsync(PendingMessage pending)
    {
        pending.Failed = false;
        try
        {
            var result = await Runner.RunAsync<SendAgentMessage, Result<Posted<MessageResponse>>>(u =>
                u.HandleAsync(pending.ConversationId, new SendMessageRequest(pending.Text, pending.Note, pending.ClientId, [.. pending.Files.Select(f => f.Id)]), Lifetime));
            if (!result.Succeeded)
            {
                pending.Failed = true;
                Snackbar.Add(result.Failure!.FieldErrors?.Values.SelectMany(v => v).FirstOrDefault() ?? result.Failure.Detail, Severity.Error);
                return;
            }

            if (result.Value!.Value.ConversationId == _openId)
            {
                // The stored reply can come after messages this page has not heard of (announced on another node):
                // fill the hole now, as a gap in the live stream does, or the new last sequence would hide it.
                var gap = _messages.Count > 0 && result.Value.Value.Sequence > LastSequence + 1;
                Merge([result.Value.Value]);
                if (gap)
                {
                    await CatchUpIfGappedAsync(_threadVersion);
                }
            }

            _pending.Remove(pending);
        }
        catch (OperationCanceledException) when (Lifetime.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // The message stays on screen marked "not sent", with a retry that reuses its client id.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Logger.LogWarning(e, "A message could not be sent.");
            pending.Failed = true;
        }
    }

    private async Task RetryAsync(PendingMessage pending) => await DeliverAsync(pending);

    private void Discard(PendingMessage pending) => _pending.Remove(pending);

    private Task ReopenAsync() => ChangeStatusAsync(ConversationStatus.Open);

    private Task ResolveAsync() => ChangeStatusAsync(ConversationStatus.Resolved);

    private async Task ChangeStatusAsync(ConversationStatus status, DateTime? snoozedUntil = null)
    {
        if (_current is not { } conversation)
        {
            return;
        }

        await ChangeAsync(u => u.StatusAsync(conversation.Id, new ChangeStatusRequest(status, snoozedUntil), Lifetime));
    }

    private async Task OnAssigneeChanged(ChangeEventArgs e)
    {
        if (_current is { } conversation)
        {
            var assignee = Guid.TryParse(e.Value as string, out var id) ? id : (Guid?)null;
            await ChangeAsync(u => u.AssignAsync(conversation.Id, new AssignRequest(assignee, conversation.TeamId), Lifetime));
        }
    }

    private async Task OnTeamChanged(ChangeEventArgs e)
    {
        if (_current is { } conversation)
        {
            var team = Guid.TryParse(e.Value as string, out var id) ? id : (Guid?)null;
            await ChangeAsync(u => u.AssignAsync(conversation.Id, new AssignRequest(conversation.AssigneeId, team), Lifetime));
        }
    }

    private async Task AssignToMeAsync()
    {
        if (_current is { } conversation)
        {
            await ChangeAsync(u => u.AssignAsync(conversation.Id, new AssignRequest(_me, conversation.TeamId), Lifetime));
        }
    }

    private async Task OnPriorityChanged(ChangeEventArgs e)
    {
        if (_current is { } conversation && Enum.TryParse<ConversationPriority>(e.Value as string, out var priority))
        {
            await ChangeAsync(u => u.PriorityAsync(conversation.Id, new ChangePriorityRequest(priority), Lifetime));
        }
    }

    private async Task AddLabelAsync()
    {
        var label = _newLabel.Trim().ToLowerInvariant();
        if (_current is not { } conversation || label.Length == 0)
        {
            return;
        }

        _newLabel = "";
        ShowText("label-input", "");
        if (!conversation.Labels.Contains(label))
        {
            await ChangeAsync(u => u.LabelsAsync(conversation.Id, new ChangeLabelsRequest([.. conversation.Labels, label]), Lifetime));
        }
    }

    private async Task OnLabelKeyDown(KeyboardEventArgs e)
    {
        if (e.Key == "Enter")
        {
            await AddLabelAsync();
        }
    }

    private void OnNewLabelInput(ChangeEventArgs e) => _newLabel = TypedText(e);

    private async Task RemoveLabelAsync(string label)
    {
        if (_current is { } conversation)
        {
            await ChangeAsync(u => u.LabelsAsync(conversation.Id, new ChangeLabelsRequest([.. conversation.Labels.Where(l => l != label)]), Lifetime));
        }
    }

    private async Task ChangeAsync(Func<ChangeConversation, Task<Result<ConversationResponse>>> change)
    {
        if (!_canHandle || _busy)
        {
            return;
        }

        _busy = true;
        try
        {
            var result = await Runner.RunAsync(change);
            if (result.Succeeded)
            {
                ApplyConversation(result.Value!);
                QueueRefresh();
            }
            else
            {
                Snackbar.Add(result.Failure!.FieldErrors?.Values.SelectMany(v => v).FirstOrDefault() ?? result.Failure.Detail, Severity.Error);
            }
        }
        finally
        {
            _busy = false;
        }
    }

    // ----- Browser: keyboard, visibility, notifications -----

    [JSInvokable]
    public async Task Shortcut(string name)
    {
        switch (name)
        {
            case "next":
                Move(1);
                break;
            case "previous":
                Move(-1);
                break;
            case "note":
                await SetNoteModeAsync(true);
                break;
            case "reply":
                await SetNoteModeAsync(false);
                break;
            case "resolve" when _current is { Status: not ConversationStatus.Resolved }:
                await ChangeStatusAsync(ConversationStatus.Resolved);
                break;
        }

        StateHasChanged();
    }

    [JSInvokable]
    public async Task Active() => await Presence.ActiveAsync(_workspaceId, _me);

    [JSInvokable]
    public async Task VisibilityChanged(bool visible)
    {
        _pageVisible = visible;
        await MarkReadAsync();
        StateHasChanged();
    }

    [JSInvokable]
    public void OpenFromNotification(string conversationId)
    {
        if (Guid.TryParse(conversationId, out var id))
        {
            Navigation.NavigateTo($"/inbox/{id}");
        }
    }

    private async Task ToggleNotificationsAsync()
    {
        if (_module is null)
        {
            return;
        }

        try
        {
            var stored = await Runner.RunAsync<MyAlerts, Result<AlertsResponse>>(u => u.SetAsync(new SetAlertsRequest(!_notificationsOn), Lifetime));
            if (!stored.Succeeded)
            {
                return;
            }

            var state = await _module.InvokeAsync<BrowserState>("setAlerts", Lifetime, stored.Value!.Enabled);
            _notificationsOn = state.Notifications;
            _notificationPermission = state.Permission;
        }
        catch (Exception e) when (e is JSException or JSDisconnectedException or TaskCanceledException)
        {
            Logger.LogDebug(e, "Notifications could not be switched.");
        }
    }

    private Task FocusComposerAsync() => CallModuleAsync("focusComposer");

    // ----- Text boxes -----
    // What an agent types belongs to the browser: the page's text boxes render no value, so a render can never
    // put back an older text than the one on screen (Blazor does when the server falls behind the keystrokes,
    // and typed characters vanish). The page replaces a box's text only on purpose, through ShowText: the
    // draft of the conversation just opened, an edited message, cleared filters. Applied after the next render,
    // when the box exists; kept until it does.
    // With Replacing, the text goes in only if the box still holds that: what the page knew it held when it
    // decided, so that what the agent types meanwhile is kept (inbox.js, showTexts).
    private readonly Dictionary<string, TextToShow> _textToShow = [];

    private sealed record TextToShow(string Text, string? Replacing);

    private static string TypedText(ChangeEventArgs e) => e.Value as string ?? "";

    private void ShowText(string elementId, string text, string? replacing = null) => _textToShow[elementId] = new(text, replacing);

    private async Task ShowPendingTextAsync()
    {
        var shown = new Dictionary<string, TextToShow>(_textToShow);
        try
        {
            // One call for every box; the ones not on the page yet are kept for a later render.
            var missing = await _module!.InvokeAsync<string[]>("showTexts", Lifetime, shown);
            foreach (var elementId in shown.Keys.Except(missing))
            {
                if (_textToShow.TryGetValue(elementId, out var text) && text == shown[elementId])
                {
                    _textToShow.Remove(elementId);
                }
            }
        }
        catch (Exception e) when (e is JSException or JSDisconnectedException or TaskCanceledException or OperationCanceledException)
        {
            Logger.LogDebug(e, "The inbox's browser module did not answer a call.");
        }
    }

    private async Task CallModuleAsync(string identifier, params object?[] args)
    {
        if (_module is null)
        {
            return;
        }

        try
        {
            await _module.InvokeVoidAsync(identifier, Lifetime, args);
        }
        catch (Exception e) when (e is JSException or JSDisconnectedException or TaskCanceledException or OperationCanceledException)
        {
            Logger.LogDebug(e, "The inbox's browser module did not answer a call.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _subscription?.Dispose();
        if (_present)
        {
            await Presence.DisconnectedAsync(_workspaceId, _me);
            _present = false;
        }

        if (_typingIn is { } conversationId)
        {
            // The contact should not keep seeing "typing…" from a page that was closed.
            _typingIn = null;
            try
            {
                await SendTypingAsync(conversationId, isTyping: false);
            }
#pragma warning disable CA1031 // Best effort while the circuit goes away; the widget also forgets typing after a while.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        await _lifetime.CancelAsync();
        _searchDebounce.Dispose();
        _typingIdle?.Dispose();
        if (_module is not null)
        {
            try
            {
                await _module.InvokeVoidAsync("stop");
                await _module.DisposeAsync();
            }
            catch (Exception e) when (e is JSException or JSDisconnectedException or TaskCanceledException)
            {
            }
        }

        _self?.Dispose();
        _lifetime.Dispose();
    }

    private sealed record BrowserState(string? TimeZone, bool Visible, bool Notifications, string Permission);

    private sealed class PendingMessage(Guid conversationId, string clientId, string text, bool note, DateTime createdAt, List<AttachmentResponse> files)
    {
        public Guid ConversationId { get; } = conversationId;

        public string ClientId { get; } = clientId;

        public string Text { get; } = text;

        public bool Note { get; } = note;

        public DateTime CreatedAt { get; } = createdAt;

        public List<AttachmentResponse> Files { get; } = files;

        public bool Failed { get; set; }
    }

    private sealed class BySequence : IComparer<MessageResponse>
    {
        public static readonly BySequence Instance = new();

        public int Compare(MessageResponse? x, MessageResponse? y) => (x?.Sequence ?? 0).CompareTo(y?.Sequence ?? 0);
    }
}
