using MudBlazor;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Components;

/// <summary>The field errors of a use case's last answer, in the shape MudBlazor inputs want (Error, ErrorText).</summary>
public sealed class FormErrors
{
    private IReadOnlyDictionary<string, string[]> _fields = new Dictionary<string, string[]>();

    public bool Has(string field) => _fields.ContainsKey(field);

    public string? For(string field) => _fields.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    /// <summary>Errors whose field no input on the page shows, so they are not lost.</summary>
    public IEnumerable<string> Except(params string[] shown) =>
        _fields.Where(f => !shown.Contains(f.Key)).SelectMany(f => f.Value);

    /// <summary>The messages of every field under a prefix ("conditions[2]" for "conditions[2].value"), for a row of inputs.</summary>
    public IEnumerable<string> StartingWith(string prefix) =>
        _fields.Where(f => f.Key.StartsWith(prefix, StringComparison.Ordinal)).SelectMany(f => f.Value);

    /// <summary>The messages of every field not under a prefix: what a form shows apart from its rows.</summary>
    public IEnumerable<string> NotStartingWith(string prefix) =>
        _fields.Where(f => !f.Key.StartsWith(prefix, StringComparison.Ordinal)).SelectMany(f => f.Value);

    /// <summary>What to tell the person of a failure: each field's message, or else its detail.</summary>
    public static List<string> MessagesOf(Failure failure) =>
        failure.FieldErrors is { Count: > 0 } fields ? [.. fields.SelectMany(f => f.Value)] : [failure.Detail];

    /// <summary>Shows a failure: its field errors beside their inputs, or else its detail as a message.</summary>
    public void Show(Failure failure, ISnackbar snackbar, Severity severity = Severity.Warning)
    {
        Set(failure);
        if (failure.FieldErrors is null)
        {
            snackbar.Add(failure.Detail, severity);
        }
    }

    public void Set(Failure failure) => _fields = failure.FieldErrors ?? new Dictionary<string, string[]>();

    public void Clear() => _fields = new Dictionary<string, string[]>();
}
