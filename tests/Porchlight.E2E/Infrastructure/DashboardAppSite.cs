using Porchlight.Testing;

namespace Porchlight.E2E.Infrastructure;

/// <summary>
/// A team's own system on another origin (127.0.0.1 on a port of its own, while Porchlight answers on another port): one
/// page that a dashboard app shows beside each conversation. It does what docs/dashboard-apps.md asks of an app: it
/// takes only messages from Porchlight's origin (given in its address) and its parent window, asks for the context
/// once loaded and again when its button is pressed, and shows what it was told.
/// </summary>
public sealed class DashboardAppSite : IDisposable
{
    private const string Page = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>Orders</title>
          <style>
            body { margin: 0; padding: 10px 12px; font: 13px/1.45 system-ui, sans-serif; color: #1C2128; }
            h1 { margin: 0 0 6px; font-size: 14px; }
            dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; margin: 0 0 8px; }
            dt { color: #57606A; }
            dd { margin: 0; overflow-wrap: anywhere; }
            button { font: inherit; padding: 2px 8px; }
            .muted { color: #57606A; }
          </style>
        </head>
        <body>
          <h1>Acme Orders</h1>
          <p id="status" class="muted">Waiting for Porchlight…</p>
          <dl>
            <dt>Customer</dt><dd id="contact">—</dd>
            <dt>Email</dt><dd id="email">—</dd>
            <dt>Conversation</dt><dd id="conversation">—</dd>
            <dt>Inbox</dt><dd id="inbox">—</dd>
            <dt>Agent</dt><dd id="agent">—</dd>
          </dl>
          <button type="button" id="ask">Ask again</button> <span class="muted">messages: <span id="received">0</span></span>
          <script>
            const porchlight = new URLSearchParams(location.search).get("porchlight");
            let received = 0;
            const show = (id, text) => { document.getElementById(id).textContent = text ?? "—"; };
            window.addEventListener("message", (event) => {
              // Only Porchlight, and only the window that embeds this page: anyone else could send anything.
              if (event.origin !== porchlight || event.source !== window.parent) return;
              const m = event.data;
              if (m?.type !== "porchlight:context" || m.version !== 1) return;
              show("contact", m.contact.name);
              show("email", m.contact.email);
              show("conversation", `#${m.conversation.number} · ${m.conversation.status}`);
              show("inbox", m.conversation.inboxName);
              show("agent", m.agent.name);
              show("status", "Showing the open conversation.");
              show("received", String(++received));
            });
            const ask = () => window.parent.postMessage({ type: "porchlight:request-context" }, porchlight);
            document.getElementById("ask").addEventListener("click", ask);
            ask();
          </script>
        </body>
        </html>
        """;

    private readonly StaticSite _site;

    private DashboardAppSite(int port, string porchlightOrigin)
    {
        Url = $"http://127.0.0.1:{port}/orders?porchlight={Uri.EscapeDataString(porchlightOrigin)}";
        _site = new StaticSite($"http://127.0.0.1:{port}/", new Dictionary<string, (string, string)> { ["/orders"] = ("text/html; charset=utf-8", Page) });
    }

    /// <summary>The page's address, as an admin enters it in Porchlight.</summary>
    public string Url { get; }

    /// <summary>Serves the page for a Porchlight at <paramref name="porchlightOrigin"/> (such as http://127.0.0.1:5123).</summary>
    public static DashboardAppSite Start(string porchlightOrigin) => new(LoopbackPorts.Free(), porchlightOrigin);

    public void Dispose() => _site.Dispose();
}
