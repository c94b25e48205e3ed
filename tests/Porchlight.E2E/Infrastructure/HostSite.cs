using System.Net;
using System.Net.Sockets;

namespace Porchlight.E2E.Infrastructure;

/// <summary>
/// A customer's own website on another origin (localhost on its own port, while Porchlight answers on
/// 127.0.0.1), with the embed snippet pasted into every page, as a site owner would: a product page
/// (<see cref="Url"/>), a cart page, and a single-page app (<c>/app</c>) whose links navigate with
/// history.pushState and set the title, as such apps do.
/// </summary>
public sealed class HostSite : IDisposable
{
    private readonly StaticSite _site;

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
        var files = new Dictionary<string, (string, string)>(StringComparer.Ordinal)
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
        _site = new StaticSite($"http://localhost:{port}/", files);
    }

    /// <summary>The site's address, ending with a slash.</summary>
    public string Root => _site.Root;

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

    public void Dispose() => _site.Dispose();
}
