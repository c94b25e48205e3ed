namespace Porchlight.Server.Components;

/// <summary>
/// Event handlers bound to one row of a list (a message, a label, a file) that stay the same delegate from
/// render to render. The renderer gives an element's handler a new id whenever a render passes a delegate that
/// is not equal to the last one, and a click the browser sent under the old id is then refused
/// (decisions/0014). A lambda in markup that closes over a loop variable is a new closure on every render, and
/// so is any lambda in a scope that has one (the compiler keeps them in one closure class); on a page that
/// re-renders with every message, a click landing just after one would be lost.
/// </summary>
public sealed class RowHandlers
{
    private readonly Dictionary<(Delegate Handler, object Row), Delegate> _bound = [];

    /// <summary>A handler that calls <paramref name="handler"/> with <paramref name="row"/>; equal rows get the same one.</summary>
    public Func<Task> For<TRow>(Func<TRow, Task> handler, TRow row) where TRow : notnull =>
        (Func<Task>)Bound(handler, row, () => () => handler(row));

    /// <inheritdoc cref="For{TRow}(Func{TRow, Task}, TRow)"/>
    public Action For<TRow>(Action<TRow> handler, TRow row) where TRow : notnull =>
        (Action)Bound(handler, row, () => () => handler(row));

    /// <summary>Forgets every row, when the list they belonged to is gone (another conversation opened).</summary>
    public void Clear() => _bound.Clear();

    // Method groups make a new delegate each time, but equal ones (same target, same method): they key the cache.
    private Delegate Bound(Delegate handler, object row, Func<Delegate> bind)
    {
        if (!_bound.TryGetValue((handler, row), out var bound))
        {
            _bound[(handler, row)] = bound = bind();
        }

        return bound;
    }
}
