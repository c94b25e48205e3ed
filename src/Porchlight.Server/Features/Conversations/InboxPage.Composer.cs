using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;
using MudBlazor;
using Porchlight.Server.Features.Attachments;
using Porchlight.Server.Features.CannedResponses;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Conversations;

/// <summary>
/// The composer's tools: the picker that "/" opens for canned responses and "@" opens in a note for
/// teammates, files to send with the next message, and editing or deleting the agent's own messages.
/// The browser reports what is typed at the caret (inbox.js); every choice runs the same use cases the API
/// offers (render a canned response, upload and discard a file, edit and delete a message).
/// </summary>
public sealed partial class InboxPage
{
    private const int PickerSize = 8;

    // A conversation from the offline form or an email inbox has no one in the chat: replies go out by email (OfflineReplyMailer, EmailReplies).
    private string ComposerHint => _noteMode ? "Only your team sees notes · @ to mention"
        : _current is { Origin: ConversationOrigin.OfflineForm, Contact.Email: { } email } ? $"Left while you were away: replies are emailed to {email}"
        : _current is { Origin: ConversationOrigin.Email, Contact.Email: { } writer } ? $"Replies are emailed to {writer} in the same thread"
        : "/ for canned responses · Shift+Enter for a new line";

    // The emoji the composer offers in one click; any other can be typed or pasted. They are plain text.
    private static readonly string[] ComposerEmoji =
        ["😊", "🙂", "😄", "😉", "🙏", "👍", "👋", "🎉", "❤️", "🙌", "👌", "✅", "🚚", "📦", "💳", "🔧", "⏳", "😅", "🤔", "😢", "🙈", "💡", "⭐", "🔥"];

    private readonly List<PickedMention> _pickedMentions = [];
    private readonly List<ComposerFile> _files = [];
    private readonly List<Guid> _fileInputs = [Guid.NewGuid()];
    private readonly HashSet<Guid> _mentionedIn = [];

    private PickerKind _pickerKind;
    private string _pickerQuery = "";
    private int _pickerIndex;
    private List<CannedResponseResponse> _canned = [];
    private Task _cannedLoad = Task.CompletedTask;
    private bool _choosing;

    private Guid? _editingId;
    private string _editText = "";
    private List<PickedMention> _editMentions = [];
    private bool _focusEdit;
    private Guid? _confirmDeleteId;

    private enum PickerKind
    {
        None,
        Canned,
        Mention,
    }

    [Inject]
    private IOptions<ConversationOptions> ConversationSettings { get; set; } = default!;

    [Inject]
    private IOptions<AttachmentOptions> AttachmentSettings { get; set; } = default!;

    private IEnumerable<ComposerFile> OpenFiles => _files.Where(f => f.ConversationId == _openId);

    private bool Uploading => OpenFiles.Any(f => f.State == FileState.Uploading);

    private bool CanSend => !Uploading && (!string.IsNullOrWhiteSpace(_draft) || OpenFiles.Any(f => f.State == FileState.Ready));

    private string? ActiveOptionId => _pickerKind != PickerKind.None && PickerItems.Count > 0 ? $"picker-option-{_pickerIndex}" : null;

    /// <summary>What the picker offers for the text typed after its trigger, best first.</summary>
    private List<PickerItem> PickerItems => _pickerKind switch
    {
        PickerKind.Canned => [.. CannedMatches(_canned, _pickerQuery).Take(PickerSize)
            .Select(c => new PickerItem(c.Id, "/" + c.Shortcut, c.Title, OneLine(c.Text), c.Shared ? "Shared" : "Personal"))],
        PickerKind.Mention => [.. _agents.Values
            .Where(a => a.IsActive && a.Id != _me && NameMatches(a.DisplayName, _pickerQuery))
            .OrderBy(a => !a.DisplayName.StartsWith(_pickerQuery, StringComparison.CurrentCultureIgnoreCase))
            .ThenBy(a => a.DisplayName, StringComparer.CurrentCultureIgnoreCase)
            .Take(PickerSize)
            .Select(a => new PickerItem(a.Id, a.DisplayName, a.Email, "", a.Role.ToString()))],
        _ => [],
    };

    // Shortcuts that start with the term first, as the API's search orders them; then title and text.
    private static IEnumerable<CannedResponseResponse> CannedMatches(List<CannedResponseResponse> all, string query)
    {
        var term = query.Trim().ToLowerInvariant();
        return all
            .Where(c => term.Length == 0 || c.Shortcut.Contains(term, StringComparison.Ordinal)
                || c.Title.Contains(term, StringComparison.OrdinalIgnoreCase) || c.Text.Contains(term, StringComparison.OrdinalIgnoreCase))
            .OrderBy(c => !c.Shortcut.StartsWith(term, StringComparison.Ordinal))
            .ThenBy(c => !c.Shortcut.Contains(term, StringComparison.Ordinal))
            .ThenBy(c => c.Shortcut, StringComparer.Ordinal);
    }

    private static bool NameMatches(string name, string query) =>
        query.Length == 0 || name.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(word => word.StartsWith(query, StringComparison.CurrentCultureIgnoreCase))
            || name.StartsWith(query, StringComparison.CurrentCultureIgnoreCase);

    private static string OneLine(string text) => string.Join(' ', text.Split((char[])['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));

    private async Task LoadCannedAsync()
    {
        var result = await Runner.RunAsync<ListCannedResponses, Result<List<CannedResponseResponse>>>(u =>
            u.HandleAsync(null, null, ListCannedResponses.MaxLimit, Lifetime));
        if (result.Succeeded)
        {
            _canned = result.Value!;
            StateHasChanged();
        }
    }

    // ----- The picker -----

    /// <summary>The browser saw a trigger at the caret ("/ref", "@ad"), or none any more (kind null).</summary>
    [JSInvokable]
    public void ComposerTrigger(string? kind, string query)
    {
        var next = kind switch
        {
            "canned" => PickerKind.Canned,
            "mention" when _noteMode => PickerKind.Mention,
            _ => PickerKind.None,
        };
        if (next == PickerKind.Canned && _pickerKind != PickerKind.Canned && _cannedLoad.IsCompleted)
        {
            // Fresh on every opening, so a response saved in another tab shows up; the old list serves meanwhile.
            _cannedLoad = LoadCannedAsync();
        }

        if (next != _pickerKind || query != _pickerQuery)
        {
            _pickerIndex = 0;
        }

        _pickerKind = next;
        _pickerQuery = query.Length > CannedResponse.MaxShortcutLength ? query[..CannedResponse.MaxShortcutLength] : query;
        StateHasChanged();
    }

    [JSInvokable]
    public void PickerMove(int step)
    {
        var count = PickerItems.Count;
        if (count > 0)
        {
            _pickerIndex = ((_pickerIndex + step) % count + count) % count;
            StateHasChanged();
        }
    }

    /// <summary>Enter or Tab while the picker is open: inserts the highlighted choice. False when there was none.</summary>
    [JSInvokable]
    public async Task<bool> PickerChoose()
    {
        if (_pickerKind == PickerKind.Canned)
        {
            await _cannedLoad;
        }

        var items = PickerItems;
        if (items.Count == 0)
        {
            ClosePicker();
            StateHasChanged();
            return false;
        }

        await ChooseAsync(items[Math.Clamp(_pickerIndex, 0, items.Count - 1)]);
        StateHasChanged();
        return true;
    }

    [JSInvokable]
    public void PickerClose()
    {
        ClosePicker();
        StateHasChanged();
    }

    private void ClosePicker()
    {
        _pickerKind = PickerKind.None;
        _pickerQuery = "";
        _pickerIndex = 0;
    }

    private async Task ChooseAsync(PickerItem item)
    {
        if (_current is not { } conversation || _choosing)
        {
            return;
        }

        var kind = _pickerKind;
        ClosePicker();
        if (kind == PickerKind.Mention)
        {
            _pickedMentions.Add(new PickedMention(item.Label, item.Id));
            await CallModuleAsync("completeTrigger", "@" + item.Label + " ");
            return;
        }

        _choosing = true;
        try
        {
            var rendered = await Runner.RunAsync<RenderCannedResponse, Result<RenderedCannedResponse>>(u =>
                u.HandleAsync(conversation.Id, item.Id, Lifetime));
            if (rendered.Succeeded)
            {
                await CallModuleAsync("completeTrigger", rendered.Value!.Text);
            }
            else
            {
                Snackbar.Add(rendered.Failure!.Detail, Severity.Error);
            }
        }
        finally
        {
            _choosing = false;
        }
    }

    // ----- Agent assist -----

    private long LatestVisitorSequence => _messages.LastOrDefault(m => m.Kind == MessageKind.Incoming)?.Sequence ?? 0;

    /// <summary>An article offered beside the conversation goes into the reply at the caret, as if typed.</summary>
    private Task InsertIntoComposerAsync(string text) => CallModuleAsync("insertIntoComposer", text);

    // ----- Files -----

    private async Task OnFilesChosenAsync(Guid input, InputFileChangeEventArgs e)
    {
        if (_current is not { } conversation)
        {
            return;
        }

        // The next choice goes to a fresh input; this one stays until its files are read.
        _fileInputs.Add(Guid.NewGuid());

        var room = Attachment.MaxPerMessage - OpenFiles.Count(f => f.State != FileState.Failed);
        var chosen = e.FileCount > room ? e.GetMultipleFiles(e.FileCount).Take(Math.Max(room, 0)).ToList() : [.. e.GetMultipleFiles(e.FileCount)];
        if (e.FileCount > room)
        {
            Snackbar.Add($"At most {Attachment.MaxPerMessage} files per message.", Severity.Warning);
        }

        var added = chosen.Select(file => new ComposerFile(conversation.Id, file.Name, file.Size)).ToList();
        _files.AddRange(added);
        StateHasChanged();
        try
        {
            for (var i = 0; i < added.Count; i++)
            {
                await UploadAsync(added[i], chosen[i]);
                StateHasChanged();
            }
        }
        finally
        {
            _fileInputs.Remove(input);
        }
    }

    private async Task UploadAsync(ComposerFile file, IBrowserFile browserFile)
    {
        var maxBytes = AttachmentSettings.Value.MaxAttachmentBytes;
        try
        {
            // A file over the limit is not transferred at all: the use case refuses it by its size alone.
            await using var content = new MemoryStream();
            if (browserFile.Size <= maxBytes)
            {
                await using var stream = browserFile.OpenReadStream(maxBytes, Lifetime);
                await stream.CopyToAsync(content, Lifetime);
                content.Position = 0;
            }

            var result = await Runner.RunAsync<UploadAttachment, Result<AttachmentResponse>>(u =>
                u.ByAgentAsync(file.ConversationId, new UploadedFile(browserFile.Name, browserFile.Size, content), Lifetime));
            if (!_files.Contains(file))
            {
                // Removed while it uploaded: take it back at once.
                if (result.Succeeded)
                {
                    await DiscardUploadAsync(file.ConversationId, result.Value!.Id);
                }

                return;
            }

            if (result.Succeeded)
            {
                file.Uploaded = result.Value;
                file.State = FileState.Ready;
            }
            else
            {
                file.State = FileState.Failed;
                file.Error = result.Failure!.FieldErrors?.Values.SelectMany(v => v).FirstOrDefault() ?? result.Failure.Detail;
            }
        }
        catch (Exception e) when (e is IOException or JSException or InvalidOperationException)
        {
            Logger.LogWarning(e, "A file could not be read from the browser.");
            file.State = FileState.Failed;
            file.Error = "The file could not be read. Try again.";
        }
    }

    private async Task RemoveFileAsync(ComposerFile file)
    {
        _files.Remove(file);
        if (file.Uploaded is { } uploaded)
        {
            await DiscardUploadAsync(file.ConversationId, uploaded.Id);
        }
    }

    private Task<Result<Done>> DiscardUploadAsync(Guid conversationId, Guid attachmentId) =>
        Runner.RunAsync<DiscardAttachment, Result<Done>>(u => u.HandleAsync(conversationId, attachmentId, Lifetime));

    /// <summary>The ready files of the open conversation, taken out of the composer for a message.</summary>
    private List<AttachmentResponse> TakeReadyFiles(Guid conversationId)
    {
        var ready = _files.Where(f => f.ConversationId == conversationId && f.State == FileState.Ready).ToList();
        _files.RemoveAll(ready.Contains);
        return [.. ready.Select(f => f.Uploaded!)];
    }

    /// <summary>A note's text as stored: each teammate picked in the composer, and left whole, becomes a mention.</summary>
    private string StoredText(string draft, bool note) => note ? MentionTokens.FromDraft(draft, _pickedMentions) : draft;

    // ----- Editing and deleting one's own messages -----

    /// <summary>The agent's own reply or note, still within the edit window: the same rule the use cases enforce.</summary>
    private bool CanChange(MessageResponse message) =>
        _canHandle && message.Author.Type == "agent" && message.Author.Id == _me
        && message.Kind is MessageKind.Outgoing or MessageKind.Note
        && message.DeletedAt is null
        && Now - message.CreatedAt < ConversationSettings.Value.MessageEditWindow;

    private void StartEdit(MessageResponse message)
    {
        _confirmDeleteId = null;
        _editingId = message.Id;
        (_editText, _editMentions) = message.Kind == MessageKind.Note
            ? MentionTokens.ToDraft(message.Text, id => _agents.GetValueOrDefault(id)?.DisplayName)
            : (message.Text, []);
        ShowText("edit-message", _editText);
        _focusEdit = true;
    }

    [JSInvokable]
    public void CancelEdit()
    {
        EndEdit();
        StateHasChanged();
    }

    private void EndEdit()
    {
        _editingId = null;
        _editText = "";
        _editMentions = [];
    }

    [JSInvokable]
    public async Task SaveEdit(string text)
    {
        _editText = text;
        await SaveEditAsync();
        StateHasChanged();
    }

    private async Task SaveEditAsync()
    {
        if (_editingId is not { } id || _current is not { } conversation || _messages.Find(m => m.Id == id) is not { } message)
        {
            return;
        }

        var text = message.Kind == MessageKind.Note ? MentionTokens.FromDraft(_editText.Trim(), _editMentions) : _editText.Trim();
        if (text == message.Text)
        {
            EndEdit();
            return;
        }

        var result = await Runner.RunAsync<EditMessage, Result<MessageResponse>>(u =>
            u.HandleAsync(conversation.Id, id, new EditMessageRequest(text), Lifetime));
        if (!ApplyOwnChange(result))
        {
            return;
        }

        EndEdit();
        await FocusComposerAsync();
    }

    private void OnEditInput(ChangeEventArgs e) => _editText = TypedText(e);

    private void CancelDelete() => _confirmDeleteId = null;

    private void AskDelete(MessageResponse message)
    {
        _editingId = null;
        _confirmDeleteId = message.Id;
    }

    private async Task DeleteAsync(MessageResponse message)
    {
        if (_current is not { } conversation)
        {
            return;
        }

        _confirmDeleteId = null;
        ApplyOwnChange(await Runner.RunAsync<DeleteMessage, Result<MessageResponse>>(u => u.HandleAsync(conversation.Id, message.Id, Lifetime)));
    }

    private bool ApplyOwnChange(Result<MessageResponse> result)
    {
        if (!result.Succeeded)
        {
            Snackbar.Add(result.Failure!.FieldErrors?.Values.SelectMany(v => v).FirstOrDefault() ?? result.Failure.Detail, Severity.Error);
            return false;
        }

        if (result.Value!.ConversationId == _openId)
        {
            Merge([result.Value]);
        }

        return true;
    }

    // ----- Mentions of this agent -----

    async Task IInboxEvents.OnMentionedAsync(MentionNotice notice)
    {
        if (notice.AgentId != _me)
        {
            return;
        }

        var looking = notice.ConversationId == _openId && _pageVisible;
        if (!looking)
        {
            _mentionedIn.Add(notice.ConversationId);
        }

        Snackbar.Add($"{notice.AuthorName} mentioned you in #{notice.ConversationNumber} · {notice.ContactName}", Severity.Info, options =>
        {
            options.Action = looking ? null : "Open";
            options.ActionColor = Color.Primary;
            options.VisibleStateDuration = 8000;
            options.OnClick = _ =>
            {
                Navigation.NavigateTo($"/inbox/{notice.ConversationId}");
                return Task.CompletedTask;
            };
        }, key: $"mention-{notice.MessageId}");
        StateHasChanged();
        await CallModuleAsync("notify", $"{notice.AuthorName} mentioned you · #{notice.ConversationNumber} {notice.ContactName}", notice.Preview,
            notice.ConversationId.ToString());
    }

    // ----- SLA alerts for this supervisor -----

    async Task IInboxEvents.OnSlaAlertAsync(Sla.SlaAlertNotice notice)
    {
        if (notice.AgentId != _me)
        {
            return;
        }

        var what = $"{Sla.EscalateConversation.Describe(notice.Metric)} {(notice.Stage == Sla.EscalationStage.Warning ? "at risk" : "breached")}";
        Snackbar.Add($"{what} in #{notice.ConversationNumber} · {notice.ContactName}", notice.Stage == Sla.EscalationStage.Warning ? Severity.Warning : Severity.Error, options =>
        {
            options.Action = notice.ConversationId == _openId ? null : "Open";
            options.ActionColor = Color.Primary;
            options.VisibleStateDuration = 10000;
            options.OnClick = _ =>
            {
                Navigation.NavigateTo($"/inbox/{notice.ConversationId}");
                return Task.CompletedTask;
            };
        }, key: $"sla-{notice.ConversationId}-{notice.Metric}-{notice.Stage}");
        StateHasChanged();
        await CallModuleAsync("notify", $"{what} · #{notice.ConversationNumber} {notice.ContactName}", $"Policy “{notice.PolicyName}”", notice.ConversationId.ToString());
    }

    private sealed record PickerItem(Guid Id, string Label, string Detail, string Preview, string Tag);

    private enum FileState
    {
        Uploading,
        Ready,
        Failed,
    }

    private sealed class ComposerFile(Guid conversationId, string name, long size)
    {
        public Guid Key { get; } = Guid.NewGuid();

        public Guid ConversationId { get; } = conversationId;

        public string Name { get; } = name;

        public long Size { get; } = size;

        public FileState State { get; set; }

        public AttachmentResponse? Uploaded { get; set; }

        public string? Error { get; set; }

        public string SizeText => Size switch
        {
            < 1024 => $"{Size} B",
            < 1024 * 1024 => $"{Size / 1024.0:0} KB",
            _ => $"{Size / (1024.0 * 1024.0):0.#} MB",
        };
    }
}
