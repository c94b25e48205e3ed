using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Porchlight.E2E.Infrastructure;

/// <summary>
/// A customer's own website on another origin (localhost on its own port, while Porchlight answers on
/// 127.0.0.1), with the embed snippet pasted into every page, as a site owner would: a product page
/// (<see cref="Url"/>), a cart page, and a single-page app (<c>/app</c>) whose links navigate with
/// history.pushState and set the title, as such apps do.
/// </summary>
public sealed class HostSite : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, (string ContentType, string Body)> _files;
    private readonly Task _serving;

    // The app's own script: a file, because the pages' policy allows no inline script.
    private const string AppScript = """
        document.addEventListener("click", (event) => {
          const link = event.target.closest("a[data-route]");
          if (!link) return;
          event.preventDefault();
          history.pushState({}, "", link.getAttribute("href"));
          document.title = link.dataset.route;
          document.querySelector("h1").textContent = link.dataset.route;
        });
        """;

    private HostSite(string snippet, int port)
    {
        var origin = Origin(snippet);
        string Page(string title, string body, string script = "") => $$"""
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <title>{{title}}</title>
              <meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' {{origin}}; connect-src {{origin}}; frame-src {{origin}}; style-src 'self'">
            </head>
            <body>
              {{body}}
              {{script}}
              {{snippet}}
            </body>
            </html>
            """;
        const string Html = "text/html; charset=utf-8";
        _files = new Dictionary<string, (string, string)>(StringComparer.Ordinal)
        {
            ["/boots.html"] = (Html, Page("Acme Outdoor – Boots", """
                <h1>Ridgeline hiking boots</h1>
                <p>Waterproof, 1.1 kg a pair, sizes 36–47.</p>
                <p><a href="/cart.html" id="to-cart">Go to cart</a></p>
                """)),
            ["/cart.html"] = (Html, Page("Acme Outdoor – Cart", """
                <h1>Your cart</h1>
                <p><a href="/app" id="to-app">Manage your subscription</a></p>
                """)),
            ["/app"] = (Html, Page("Acme Account", """
                <h1>Account</h1>
                <nav><a href="/app/plans" data-route="Plans" id="to-plans">Plans</a> <a href="/app/billing" data-route="Billing" id="to-billing">Billing</a></nav>
                """, """<script src="/app.js"></script>""")),
            ["/app.js"] = ("text/javascript", AppScript),
        };
        Url = $"http://localhost:{port}/boots.html";
        Root = $"http://localhost:{port}/";
        _listener.Prefixes.Add($"http://localhost:{port}/");
        _listener.Start();
        _serving = ServeAsync();
    }

    /// <summary>The site's address, ending with a slash.</summary>
    public string Root { get; }

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

            var found = _files.TryGetValue(context.Request.Url?.AbsolutePath ?? "", out var file);
            var body = Encoding.UTF8.GetBytes(found ? file.Body : "Not found");
            context.Response.StatusCode = found ? 200 : 404;
            context.Response.ContentType = found ? file.ContentType : "text/plain";
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
