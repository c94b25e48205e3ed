using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Porchlight.E2E.Infrastructure;

/// <summary>
/// A customer's own website on another origin (localhost on its own port, while Porchlight answers on
/// 127.0.0.1): one page with the embed snippet pasted in, as a site owner would.
/// </summary>
public sealed class HostSite : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string _page;
    private readonly Task _serving;

    private HostSite(string snippet, int port)
    {
        _page = $$"""
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <title>Acme Outdoor – Boots</title>
              <meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' {{Origin(snippet)}}; connect-src {{Origin(snippet)}}; frame-src {{Origin(snippet)}}; style-src 'self'">
            </head>
            <body>
              <h1>Ridgeline hiking boots</h1>
              <p>Waterproof, 1.1 kg a pair, sizes 36–47.</p>
              {{snippet}}
            </body>
            </html>
            """;
        Url = $"http://localhost:{port}/boots.html";
        _listener.Prefixes.Add($"http://localhost:{port}/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public string Url { get; }

    public static HostSite Start(string snippet)
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new HostSite(snippet, port);
    }

    private static string Origin(string snippet)
    {
        var src = snippet[(snippet.IndexOf("src=\"", StringComparison.Ordinal) + 5)..];
        return new Uri(src[..src.IndexOf('"', StringComparison.Ordinal)]).GetLeftPart(UriPartial.Authority);
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            var body = Encoding.UTF8.GetBytes(_page);
            context.Response.StatusCode = context.Request.Url?.AbsolutePath == "/boots.html" ? 200 : 404;
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _serving.Wait(TimeSpan.FromSeconds(5));
    }
}
