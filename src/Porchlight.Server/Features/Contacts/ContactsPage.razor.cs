using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Porchlight.Server.Components;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Contacts;

/// <summary>
/// The contacts list with its filters (the company and segment ones in the address, so other views link to them), and
/// the tabs of companies, segments and attribute definitions.
/// </summary>
public sealed partial class ContactsPage : IDisposable
{
    private const string CompaniesView = "companies";
    private const string SegmentsView = "segments";
    private const string AttributesView = "attributes";
    private static readonly TimeSpan SearchDebounce = TimeSpan.FromMilliseconds(300);

    private readonly Debouncer _searchDebounce = new(SearchDebounce);
    private readonly FormErrors _errors = new();
    private List<ContactView>? _contacts;
    private string? _nextCursor;
    private List<CompanyView> _companies = [];
    private IReadOnlyList<SegmentView> _segments = [];
    private IReadOnlyList<ContactAttributeView> _definitions = [];
    private string _search = "";
    private string _tag = "";
    private string? _problem;
    private bool _mayManage;
    private bool _creating;
    private bool _busy;
    private bool _loadingMore;
    private bool _exporting;
    private bool _importing;
    private bool _reviewingDuplicates;
    private NewContact _new = new();
    private int _version;

    [Inject]
    private UseCaseRunner Runner { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private FileDownloads Downloads { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> Authentication { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "view")]
    public string? View { get; set; }

    [SupplyParameterFromQuery(Name = "companyId")]
    public Guid? CompanyId { get; set; }

    [SupplyParameterFromQuery(Name = "segmentId")]
    public Guid? SegmentId { get; set; }

    private IEnumerable<(string View, string Label)> Views =>
        _mayManage
            ? [("", "People"), (CompaniesView, "Companies"), (SegmentsView, "Segments"), (AttributesView, "Attributes")]
            : [("", "People"), (CompaniesView, "Companies"), (SegmentsView, "Segments")];

    private bool IsFiltered => _search.Trim().Length > 0 || _tag.Trim().Length > 0 || CompanyId is not null || SegmentId is not null;

    private ContactListFilter Filter => new(
        _search.Trim().Length == 0 ? null : _search.Trim(), _tag.Trim().Length == 0 ? null : _tag.Trim(), CompanyId, SegmentId);

    protected override async Task OnInitializedAsync() =>
        _mayManage = ContactsAccess.MayManage((await Authentication).User);

    protected override async Task OnParametersSetAsync()
    {
        // The choices are read afresh with each view: a company or segment added on its tab is offered on the list.
        _companies = await CompanyChoices.LoadAsync(Runner);
        _segments = await Runner.RunAsync<SegmentCommands, IReadOnlyList<SegmentView>>(s => s.ListAsync(CancellationToken.None));
        _definitions = await Runner.RunAsync<ContactAttributeDefinitions, IReadOnlyList<ContactAttributeView>>(d => d.ListAsync(CancellationToken.None));
        if (View is null or "")
        {
            await LoadAsync();
        }
    }

    private string CompanyName(Guid companyId) => _companies.Find(c => c.Id == companyId)?.Name ?? "A company";

    private string CompanyFilterUrl(Guid companyId) => Navigation.GetUriWithQueryParameters("/contacts", new Dictionary<string, object?> { ["companyId"] = companyId });

    private async Task LoadAsync()
    {
        var version = ++_version;
        var filter = Filter;
        var result = await Runner.RunAsync<ContactCommands, Result<Page<ContactView>>>(c => c.ListAsync(filter, PageRequest.First, CancellationToken.None));
        if (version != _version)
        {
            return; // a newer search has started; its answer is the one to show
        }

        _problem = result.Succeeded ? null : string.Join(" ", FormErrors.MessagesOf(result.Failure!));
        _contacts = result.Succeeded ? [.. result.Value!.Items] : [];
        _nextCursor = result.Value?.NextCursor;
    }

    private async Task LoadMoreAsync()
    {
        if (_nextCursor is not { } cursor || _loadingMore)
        {
            return;
        }

        _loadingMore = true;
        var version = _version;
        var filter = Filter;
        var page = new PageRequest(PageRequest.DefaultLimit, Guid.Parse(cursor));
        var result = await Runner.RunAsync<ContactCommands, Result<Page<ContactView>>>(c => c.ListAsync(filter, page, CancellationToken.None));
        _loadingMore = false;
        if (version == _version && result.Succeeded)
        {
            _contacts = [.. _contacts ?? [], .. result.Value!.Items];
            _nextCursor = result.Value.NextCursor;
        }
    }

    private async Task OnSearchInput(ChangeEventArgs input)
    {
        _search = input.Value as string ?? "";
        await ReloadAfterPauseAsync();
    }

    private async Task OnTagInput(ChangeEventArgs input)
    {
        _tag = input.Value as string ?? "";
        await ReloadAfterPauseAsync();
    }

    private async Task ReloadAfterPauseAsync()
    {
        if (await _searchDebounce.PauseAsync(CancellationToken.None))
        {
            await LoadAsync();
        }
    }

    private void OnCompanyFilterChanged(ChangeEventArgs change) => Refilter("companyId", change.Value as string);

    private void OnSegmentFilterChanged(ChangeEventArgs change) => Refilter("segmentId", change.Value as string);

    /// <summary>Puts the filter in the address, so it can be shared and Back returns to the one before.</summary>
    private void Refilter(string name, string? value) =>
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameter(name, Guid.TryParse(value, out var id) ? id : null));

    private void ToggleImport() => _importing = !_importing;

    private void ToggleDuplicates() => _reviewingDuplicates = !_reviewingDuplicates;

    private void StartCreating()
    {
        _new = new NewContact();
        _errors.Clear();
        _creating = true;
    }

    private void StopCreating()
    {
        _creating = false;
        _errors.Clear();
    }

    private async Task CreateAsync()
    {
        if (_busy)
        {
            return; // Enter in a field submits the form even while its button is disabled.
        }

        _busy = true;
        var request = new ContactRequest(_new.ExternalId, _new.Email, _new.Name, Tags: TagText.Parse(_new.Tags), CompanyId: _new.CompanyId);
        var result = await Runner.RunAsync<ContactCommands, Result<ContactView>>(c => c.CreateAsync(request, CancellationToken.None));
        _busy = false;
        if (!result.Succeeded)
        {
            _errors.Set(result.Failure!);
            Snackbar.Add(result.Failure!.Detail, Severity.Error);
            return;
        }

        Snackbar.Add($"{result.Value!.DisplayName} added.", Severity.Normal);
        StopCreating();
        await LoadAsync();
    }

    // The API answers only to API tokens (the app's cookie is refused there, which keeps other sites from using it),
    // so the app exports through its own connection, as the reports page does.
    private async Task ExportAsync()
    {
        if (_exporting)
        {
            return;
        }

        _exporting = true;
        var filter = Filter;
        var result = await Runner.RunAsync<ContactCommands, Result<string>>(c => c.ExportAsync(filter, CancellationToken.None));
        _exporting = false;
        if (!result.Succeeded)
        {
            Snackbar.Add(result.Failure!.Detail, Severity.Error);
            return;
        }

        await Downloads.SaveAsync("contacts.csv", result.Value!, "text/csv");
    }

    public void Dispose() => _searchDebounce.Dispose();

    private sealed class NewContact
    {
        public string? Name { get; set; }

        public string? Email { get; set; }

        public string? ExternalId { get; set; }

        public string CompanyId { get; set; } = "";

        public string? Tags { get; set; }
    }
}
