namespace Porchlight.Server.Components;

/// <summary>
/// Waits for a pause in typing before a search runs, so a search box queries once per pause rather than once per key.
/// Used from a component's event handlers, which the renderer runs one at a time.
/// </summary>
public sealed class Debouncer(TimeSpan pause) : IDisposable
{
    private CancellationTokenSource? _waiting;

    /// <summary>True when no newer call came within the pause, so the caller should run its search now.</summary>
    public async Task<bool> PauseAsync(CancellationToken lifetime)
    {
        Stop();
        var waiting = _waiting = CancellationTokenSource.CreateLinkedTokenSource(lifetime);
        try
        {
            await Task.Delay(pause, waiting.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose() => Stop();

    private void Stop()
    {
        _waiting?.Cancel();
        _waiting?.Dispose();
        _waiting = null;
    }
}
