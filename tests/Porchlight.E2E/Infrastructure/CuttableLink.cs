using System.Net;
using System.Net.Sockets;

namespace Porchlight.E2E.Infrastructure;

/// <summary>
/// The network between one browser page and the server, as a TCP relay on its own port that a test can cut and
/// restore. <see cref="Cut"/> resets every open connection (a page's WebSocket sees the link die, the server sees
/// its client go) and refuses new ones, like a lost network; <see cref="Restore"/> lets connections through again.
/// The server keeps running throughout. A page reaches the server through <see cref="Url"/>; the relay listens on
/// 127.0.0.1 like the server, so the cookies of a sign-in on the server's own address go along.
/// </summary>
public sealed class CuttableLink : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _server;
    private readonly List<TcpClient> _open = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private volatile bool _cut;

    private CuttableLink(Uri server)
    {
        _server = server;
        _listener.Start();
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    public Uri BaseAddress { get; }

    public static CuttableLink To(Uri server) => new(server);

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    /// <summary>Resets every connection through the link and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        _cut = true;
        lock (_open)
        {
            foreach (var client in _open)
            {
                Reset(client);
            }

            _open.Clear();
        }
    }

    public void Restore() => _cut = false;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient browser;
            try
            {
                browser = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            if (_cut)
            {
                Reset(browser);
                continue;
            }

            _ = RelayAsync(browser);
        }
    }

    private async Task RelayAsync(TcpClient browser)
    {
        var server = new TcpClient();
        lock (_open)
        {
            _open.Add(browser);
            _open.Add(server);
        }

        try
        {
            await server.ConnectAsync(_server.Host, _server.Port, _stop.Token);
            using var done = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var up = CopyAsync(browser, server, done.Token);
            var down = CopyAsync(server, browser, done.Token);
            await Task.WhenAny(up, down);
            await done.CancelAsync();
            await Task.WhenAll(up, down);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or IOException or InvalidOperationException)
        {
        }
        finally
        {
            lock (_open)
            {
                _open.Remove(browser);
                _open.Remove(server);
            }

            browser.Dispose();
            server.Dispose();
        }
    }

    private static async Task CopyAsync(TcpClient from, TcpClient to, CancellationToken cancellationToken)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), cancellationToken);
            // One side ended its half; end ours to the other, as a plain TCP path would.
            to.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or IOException or InvalidOperationException)
        {
        }
    }

    // Closing with a zero linger time sends RST: both ends learn at once that the connection is gone.
    private static void Reset(TcpClient client)
    {
        try
        {
            client.Client.LingerState = new LingerOption(true, 0);
            client.Client.Close();
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        Cut();
        _accepting.Wait(TimeSpan.FromSeconds(5));
        _listener.Dispose();
        _stop.Dispose();
    }
}
