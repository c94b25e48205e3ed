namespace Porchlight.Server.Features.Conversations;

/// <summary>
/// Lets one message write (commit and announcement) through at a time on this node. Announcing before the
/// next write keeps every conversation's live events in sequence order, and on SQLite writers queue here
/// instead of in SQLite's busy handler, which sleeps up to 100 ms between retries.
/// </summary>
public sealed class MessageWriteGate : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

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
