using System.Diagnostics;

namespace Porchlight.E2E.Infrastructure;

/// <summary>
/// Stops and resumes a server process over and over until disposed (SIGSTOP, SIGCONT): what a busy
/// machine does to a server, made certain, so a page's behaviour under a slow server can be tested.
/// </summary>
public sealed class ServerStalls : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private ServerStalls(int processId) => _loop = Task.Run(() => StallAsync(processId, _stop.Token));

    public static ServerStalls Start(int processId) => new(processId);

    private static async Task StallAsync(int processId, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await SignalAsync(processId, "STOP");
                await Task.Delay(TimeSpan.FromMilliseconds(250), CancellationToken.None);
                await SignalAsync(processId, "CONT");
                await Task.Delay(TimeSpan.FromMilliseconds(60), cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            await SignalAsync(processId, "CONT");
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _loop.GetAwaiter().GetResult();
        _stop.Dispose();
    }

    /// <summary>Sends the server process one signal: STOP holds it still until CONT.</summary>
    public static async Task SignalAsync(int processId, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, processId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync(CancellationToken.None);
    }
}
