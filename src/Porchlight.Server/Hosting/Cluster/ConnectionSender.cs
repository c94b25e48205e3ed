using Microsoft.AspNetCore.SignalR;

namespace Porchlight.Server.Hosting.Cluster;

/// <summary>
/// Sends to one hub connection without making the sender wait for it. SignalR's own send waits while the
/// connection's output is full, so one client on a slow link (or a laptop gone to sleep without closing its socket)
/// would hold up every broadcast behind it, and with them every other client. Here a write the connection cannot
/// take at once is finished in the background and what follows waits in a bounded queue, in order; a connection
/// that falls further behind than the queue holds is closed, and its client reconnects and catches up by sequence
/// like after any dropped network.
/// </summary>
public sealed class ConnectionSender(HubConnectionContext connection, int capacity, Action<HubConnectionContext> overflowed)
{
    private readonly Queue<SerializedHubMessage> _waiting = new();
    private bool _writing;
    private bool _closed;

    public HubConnectionContext Connection { get; } = connection;

    /// <summary>The groups this connection is in, so leaving takes it out of each; guarded by the manager.</summary>
    public HashSet<string> Groups { get; } = [];

    public void Send(SerializedHubMessage message)
    {
        lock (_waiting)
        {
            if (_closed)
            {
                return;
            }

            if (_writing)
            {
                if (_waiting.Count < capacity)
                {
                    _waiting.Enqueue(message);
                    return;
                }

                _closed = true;
                _waiting.Clear();
                overflowed(Connection);
                return;
            }

            // Under the lock, so a write started here never overtakes one that is queued.
            var write = Connection.WriteAsync(message);
            if (write.IsCompletedSuccessfully)
            {
                return;
            }

            _writing = true;
            _ = DrainAsync(write);
        }
    }

    private async Task DrainAsync(ValueTask pending)
    {
        while (true)
        {
            try
            {
                await pending;
            }
#pragma warning disable CA1031 // A failed write means the connection is gone; SignalR has logged and aborted it.
            catch (Exception)
#pragma warning restore CA1031
            {
                lock (_waiting)
                {
                    _closed = true;
                    _waiting.Clear();
                    _writing = false;
                }

                return;
            }

            lock (_waiting)
            {
                if (_closed || !_waiting.TryDequeue(out var next))
                {
                    _writing = false;
                    return;
                }

                pending = Connection.WriteAsync(next);
            }
        }
    }
}
