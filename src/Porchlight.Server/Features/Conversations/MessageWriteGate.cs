namespace Porchlight.Server.Features.Conversations;

/// <summary>
/// Lets one message write through at a time on this node, and puts the announcements of the writes in the
/// order of their commits: every conversation's live events leave in sequence order. On SQLite writers
/// also queue here instead of in SQLite's busy handler, which sleeps up to 100 ms between retries.
/// </summary>
public sealed class MessageWriteGate : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    // The announcements of the holders so far, chained. Read and replaced only by the gate's holder.
    private Task _announced = Task.CompletedTask;

    /// <summary>
    /// Called by the gate's holder after its commit: runs <paramref name="announce"/> once every announcement
    /// of earlier holders has run. The returned task may be left running after the gate is released, so the
    /// next write commits while this one is announced; whoever announces next still goes after it.
    /// </summary>
    public Task Announce(Func<Task> announce)
    {
        _announced = AfterAsync(_announced, announce);
        return _announced;
    }

    private static async Task AfterAsync(Task earlier, Func<Task> announce)
    {
        try
        {
            await earlier;
        }
#pragma warning disable CA1031 // An earlier announcement that failed must not hold back the later ones; it was logged where it ran.
        catch
#pragma warning restore CA1031
        {
        }

        await announce();
    }

    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        return new Release(_gate);
    }

    public void Dispose() => _gate.Dispose();

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
