using System.Net;
using System.Net.Sockets;

namespace Porchlight.E2E.Infrastructure;

/// <summary>
/// The network between one browser page and the server, as a TCP relay on its own port that a test can cut and
/// restore. <see cref="Cut"/> resets every open connection (a page's WebSocket sees the link die, the server sees
/// its client go) and refuses new ones, like a lost network; <see cref="Restore"/> lets connections through again.
/// The server keeps running throughout. A page reaches the server through <see cref="Url"/>; the relay listens on
/// 127.0.0.1 like the server, so the cookies of a sign-in on the server's own address go along.
/// <see cref="Split"/> makes it a load balancer without sticky sessions in front of two nodes instead: each connection
/// goes to the node its first request's path chooses.
/// </summary>
public sealed class CuttableLink : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<string, Uri> _route;
    private readonly bool _requestByRequest;
    private readonly List<TcpClient> _open = [];
    private readonly Dictionary<Uri, int> _connections = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private volatile bool _cut;

    private CuttableLink(Func<string, Uri> route, bool requestByRequest = false)
    {
        _route = route;
        _requestByRequest = requestByRequest;
        _listener.Start();
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    public Uri BaseAddress { get; }

    public static CuttableLink To(Uri server) => new(_ => server);

    /// <summary>
    /// A relay that sends the connections of the agent app's circuit hub (<c>/_blazor</c>) to <paramref name="circuits"/>
    /// and everything else, the circuit's negotiate request included, to <paramref name="pages"/>: the worst a load
    /// balancer without sticky sessions may do to a page that negotiates before it connects. Every request but a
    /// WebSocket's is asked to close its connection after the answer, so the next one is routed afresh, as a balancer
    /// that routes request by request would.
    /// </summary>
    public static CuttableLink Split(Uri pages, Uri circuits) => new(path =>
        path.StartsWith("/_blazor", StringComparison.Ordinal) && !path.StartsWith("/_blazor/negotiate", StringComparison.Ordinal) ? circuits : pages,
        requestByRequest: true);

    /// <summary>How many connections went to each node, by its address.</summary>
    public IReadOnlyDictionary<Uri, int> Connections
    {
        get
        {
            lock (_connections)
            {
                return new Dictionary<Uri, int>(_connections);
            }
        }
    }

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
            // The first request's head chooses the node; it is passed on unchanged before the rest of the stream.
            var head = await ReadHeadAsync(browser.GetStream(), _stop.Token);
            var node = _route(PathOf(head));
            lock (_connections)
            {
                _connections[node] = _connections.GetValueOrDefault(node) + 1;
            }

            await server.ConnectAsync(node.Host, node.Port, _stop.Token);
            await server.GetStream().WriteAsync(_requestByRequest ? ClosingAfterTheAnswer(head) : head, _stop.Token);
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

    /// <summary>Reads up to the end of the first request's head (the blank line), byte by byte so nothing after it is taken.</summary>
    private static async Task<byte[]> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || head[^4] != '\r' || head[^3] != '\n' || head[^2] != '\r' || head[^1] != '\n')
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                break;
            }

            head.Add(one[0]);
        }

        return [.. head];
    }

    // A WebSocket's upgrade request stays as it is; any other request's Connection header becomes "close".
    private static byte[] ClosingAfterTheAnswer(byte[] head)
    {
        var lines = System.Text.Encoding.ASCII.GetString(head).Split("\r\n").Where(line => line.Length > 0).ToList();
        if (lines.Any(line => line.StartsWith("Upgrade:", StringComparison.OrdinalIgnoreCase)))
        {
            return head;
        }

        lines.RemoveAll(line => line.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase));
        return System.Text.Encoding.ASCII.GetBytes(string.Join("\r\n", [.. lines, "Connection: close", "", ""]));
    }

    // "GET /path HTTP/1.1": the second word of the request line.
    private static string PathOf(byte[] head) => System.Text.Encoding.ASCII.GetString(head).Split(' ', 3) is [_, var path, ..] ? path : "/";

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
