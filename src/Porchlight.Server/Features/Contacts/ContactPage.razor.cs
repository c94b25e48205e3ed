using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Porchlight.Server.Components;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Privacy;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Contacts;

/// <summary>One contact: their details and attributes to edit, the team's notes on them, and their recent conversations.</summary>
public sealed partial class ContactPage
{
    private static readonly string[] FieldsShown = ["name", "email", "externalId", "companyId", "tags"];

    private readonly FormErrors _errors = new();
    private readonly FormErrors _noteErrors = new();
    private ContactResponse? _contact;
    private ContactForm _form = new();
    private List<CompanyView> _companies = [];
    private IReadOnlyList<ContactAttributeView> _definitions = [];
    private List<ContactNoteView>? _notes;
    private string? _note;
    private Guid? _agentId;
    private bool _mayManage;
    private bool _mayHandlePrivacy;
    private ContactErasurePreview? _erasure;
    private ErasureMode _eraseMode;
    private bool _notFound;
    private bool _busy;

    [Parameter]
    public Guid ContactId { get; set; }

    [Inject]
    private UseCaseRunner Runner { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private FileDownloads Downloads { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> Authentication { get; set; } = default!;

    /// <summary>Attribute errors are shown at their inputs; the others of the form here.</summary>
    private IEnumerable<string> OtherErrors => _errors.Except(FieldsShown).Except(_errors.StartingWith("attributes."));

    protected override async Task OnInitializedAsync()
    {
        var user = (await Authentication).User;
        _agentId = PorchlightClaims.AgentIdOf(user);
        _mayManage = ContactsAccess.MayManage(user);
        _mayHandlePrivacy = ContactsAccess.MayHandlePrivacyRequests(user);
    }

    protected override async Task OnParametersSetAsync()
    {
        _companies = await CompanyChoices.LoadAsync(Runner);
        _definitions = await Runner.RunAsync<ContactAttributeDefinitions, IReadOnlyList<ContactAttributeView>>(d => d.ListAsync(CancellationToken.None));
        await LoadAsync();
        await LoadNotesAsync();
    }

    private ContactAttributeView? DefinitionOf(string key) => _definitions.FirstOrDefault(d => d.Key == key);

    private bool MayDelete(ContactNoteView note) => note.AuthorAgentId == _agentId || _mayManage;

    private async Task LoadAsync()
    {
        var contactId = ContactId;
        var found = await Runner.RunAsync<ConversationQueries, Result<ContactResponse>>(q => q.ContactAsync(contactId, CancellationToken.None));
        _notFound = !found.Succeeded;
        _contact = found.Value;
        if (_contact is { } contact)
        {
            _form = ContactForm.From(contact, _definitions);
            _errors.Clear();
        }
    }

    private async Task LoadNotesAsync()
    {
        var contactId = ContactId;
        var notes = await Runner.RunAsync<ContactNotes, Result<IReadOnlyList<ContactNoteView>>>(n => n.ListAsync(contactId, CancellationToken.None));
        _notes = notes.Succeeded ? [.. notes.Value!] : [];
    }

    private async Task SaveAsync()
    {
        if (_busy || _contact is null)
        {
            return; // Enter in a field submits the form even while its button is disabled.
        }

        _busy = true;
        var contactId = ContactId;
        var request = _form.ToRequest();
        var result = await Runner.RunAsync<ContactCommands, Result<ContactView>>(c => c.UpdateAsync(contactId, request, CancellationToken.None));
        _busy = false;
        if (!result.Succeeded)
        {
            _errors.Set(result.Failure!);
            Snackbar.Add(result.Failure!.Detail, Severity.Error);
            return;
        }

        Snackbar.Add($"{result.Value!.DisplayName} saved.", Severity.Normal);
        await LoadAsync();
    }

    private async Task AddNoteAsync()
    {
        if (_busy)
        {
            return;
        }

        _busy = true;
        var contactId = ContactId;
        var request = new ContactNoteRequest(_note);
        var result = await Runner.RunAsync<ContactNotes, Result<ContactNoteView>>(n => n.WriteAsync(contactId, request, CancellationToken.None));
        _busy = false;
        if (!result.Succeeded)
        {
            _noteErrors.Set(result.Failure!);
            return;
        }

        _note = null;
        _noteErrors.Clear();
        await LoadNotesAsync();
    }

    private async Task DeleteNoteAsync(ContactNoteView note)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync("Delete note?", "The note will be deleted for everyone.", yesText: "Delete", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        var contactId = ContactId;
        var result = await Runner.RunAsync<ContactNotes, Result<bool>>(n => n.DeleteAsync(contactId, note.Id, CancellationToken.None));
        if (!result.Succeeded)
        {
            Snackbar.Add(result.Failure!.Detail, Severity.Error);
        }

        await LoadNotesAsync();
    }

    private async Task ExportAsync()
    {
        if (_busy)
        {
            return;
        }

        _busy = true;
        try
        {
            var contactId = ContactId;
            var exported = await Runner.RunAsync<PrivacyRequests, Result<ContactArchive>>(p => p.ExportAsync(contactId, CancellationToken.None));
            if (!exported.Succeeded)
            {
                Snackbar.Add(exported.Failure!.Detail, Severity.Error);
                return;
            }

            await using var archive = exported.Value!;
            await Downloads.SaveAsync(archive.FileName, archive.Content, ContactArchive.ContentType);
            Snackbar.Add($"Exported {Count(archive.Summary.Conversations, "conversation")} and {Count(archive.Summary.Attachments, "file")}.", Severity.Normal);
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task AskToEraseAsync()
    {
        var contactId = ContactId;
        var preview = await Runner.RunAsync<PrivacyRequests, Result<ContactErasurePreview>>(p => p.PreviewAsync(contactId, CancellationToken.None));
        if (!preview.Succeeded)
        {
            Snackbar.Add(preview.Failure!.Detail, Severity.Error);
            return;
        }

        _erasure = preview.Value;
        _eraseMode = preview.Value!.DefaultMode;
    }

    private async Task EraseAsync()
    {
        if (_busy || _erasure is null)
        {
            return;
        }

        _busy = true;
        var contactId = ContactId;
        var request = new ContactErasureRequest(_eraseMode);
        var result = await Runner.RunAsync<PrivacyRequests, Result<ContactErasureReport>>(p => p.EraseAsync(contactId, request, CancellationToken.None));
        _busy = false;
        if (!result.Succeeded)
        {
            Snackbar.Add(result.Failure!.Detail, Severity.Error);
            return;
        }

        _erasure = null;
        var report = result.Value!;
        if (report.ContactDeleted)
        {
            Snackbar.Add($"Contact deleted with {report.Conversations} conversations.", Severity.Normal);
            Navigation.NavigateTo("/contacts");
            return;
        }

        Snackbar.Add($"Contact anonymized: {report.Messages} messages and {report.Attachments} files erased.", Severity.Normal);
        await LoadAsync();
        await LoadNotesAsync();
    }

    /// <summary>The confirmation's list: what goes, in the mode chosen.</summary>
    private static IEnumerable<string> RemovedLines(ContactErasurePreview preview, ErasureMode mode)
    {
        yield return "Their name, email, external id, attributes, tags and company";
        yield return mode == ErasureMode.Delete
            ? $"{Count(preview.Conversations, "conversation")} with all {Count(preview.Messages, "message")}"
            : $"The text of their {Count(preview.ContactMessages, "message")} in {Count(preview.Conversations, "conversation")}, the previews and subjects";
        yield return $"{Count(preview.Attachments, "file")}, from storage too";
        yield return $"{Count(preview.EmailMessages, "email record")}";
        yield return $"{Count(preview.Notes, "note")} the team wrote about them";
        yield return mode == ErasureMode.Delete
            ? $"{Count(preview.SurveyAnswers, "survey answer")}"
            : $"The comments of {Count(preview.SurveyAnswers, "survey answer")} (the scores stay)";
        yield return $"{Count(preview.TrackedVisits, "tracked visit")} with {Count(preview.TrackedEvents, "page view and event", "page views and events")}";
        yield return "Webhook deliveries about them, and their details in pending events";
    }

    private static string Count(int count, string one, string? many = null) =>
        $"{count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} {(count == 1 ? one : many ?? one + "s")}";

    /// <summary>The contact as the form edits it: texts as typed, and every attribute it shows (defined ones too, if empty).</summary>
    private sealed class ContactForm
    {
        public string? Name { get; set; }

        public string? Email { get; set; }

        public string? ExternalId { get; set; }

        public string CompanyId { get; set; } = "";

        public string? Tags { get; set; }

        /// <summary>Key to value, "" for none: the defined attributes first, then the others the contact has.</summary>
        public Dictionary<string, string> Attributes { get; } = new(StringComparer.Ordinal);

        public string? NewKey { get; set; }

        public string? NewValue { get; set; }

        public static ContactForm From(ContactResponse contact, IReadOnlyList<ContactAttributeView> definitions)
        {
            // The response names an unnamed contact by email or visitor label; the form shows only a name given.
            var form = new ContactForm
            {
                Name = contact.Name == contact.Email || contact.Name == Contact.NameFor(contact.Id, null, null) ? null : contact.Name,
                Email = contact.Email,
                ExternalId = contact.ExternalId,
                CompanyId = contact.Company?.Id.ToString() ?? "",
                Tags = TagText.Format(contact.Tags),
            };
            foreach (var definition in definitions)
            {
                form.Attributes[definition.Key] = contact.Attributes.GetValueOrDefault(definition.Key) ?? "";
            }

            foreach (var (key, value) in contact.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                form.Attributes.TryAdd(key, value);
            }

            return form;
        }

        /// <summary>Every attribute shown is sent: "" removes one, which is how a cleared input is saved.</summary>
        public ContactRequest ToRequest()
        {
            var attributes = Attributes.ToDictionary(a => a.Key, a => (string?)a.Value, StringComparer.Ordinal);
            if (!string.IsNullOrWhiteSpace(NewKey))
            {
                attributes[NewKey.Trim()] = NewValue ?? "";
            }

            return new ContactRequest(ExternalId ?? "", Email ?? "", Name ?? "", attributes, TagText.Parse(Tags), CompanyId);
        }
    }
}
