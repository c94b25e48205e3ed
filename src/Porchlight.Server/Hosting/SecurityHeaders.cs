using System.Security.Cryptography;
using Porchlight.Server.Features.Widget;

namespace Porchlight.Server.Hosting;

/// <summary>
/// The browser-facing security headers of every response, decided in one place by what the response is:
/// <list type="bullet">
/// <item>the agent app, account forms, the help center, survey pages and the API: nothing may frame them, scripts
/// come from this origin only (plus the nonce of the one inline script Blazor writes, its import map);</item>
/// <item>the chat frame (<c>/widget/frame.html</c>): framed by customer sites, so no <c>frame-ancestors 'none'</c>;
/// an inbox with allowed origins may be framed by those sites only;</item>
/// <item>the API reference page, whose viewer boots from an inline module script.</item>
/// </list>
/// Headers are written when the response starts, so error pages and short-circuited answers get them too. An endpoint
/// that wrote a stricter policy or referrer rule of its own (attachment downloads: a sandbox, no referrer) keeps it.
/// </summary>
public static class SecurityHeaders
{
    public const string ChatFramePath = "/widget/frame.html";
    public const string ApiReferencePath = "/api/reference";

    private const string NonceKey = "porchlight.csp-nonce";

    // MudBlazor positions popovers and Blazor shows its reconnect dialog through style attributes and injected <style>
    // elements; the help center and survey pages carry their workspace's colours in a <style> element. Styles cannot
    // run code, so inline styles are allowed; inline scripts are not.
    private const string InlineStyles = "style-src 'self' 'unsafe-inline'";

    // Dashboard apps are third-party pages the workspace chose (https, or plain http on this machine for development,
    // as DashboardApp accepts). They are per workspace and can be added while an agent's page is open, and a page's
    // policy is fixed when it loads, so the policy allows the schemes the apps may use rather than a list of sites.
    // A policy cannot name an IPv6 address (browsers drop such a source with a console error), so an app on
    // http://[::1] is not framed: use localhost.
    private const string DashboardAppFrames = "frame-src 'self' https: http://localhost:* http://127.0.0.1:*";

    // Features a support tool never uses; denying them keeps an injected or framed script from asking for them.
    private const string PermissionsPolicy = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";

    /// <summary>
    /// The nonce that lets this response's one inline script run (Blazor's import map). Made on first use: a response
    /// that asks for none has none in its policy.
    /// </summary>
    public static string ScriptNonce(HttpContext context)
    {
        if (context.Items[NonceKey] is not string nonce)
        {
            // base64url: a nonce CSP accepts that HTML writes as is ('+' would be escaped in the attribute).
            nonce = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
            context.Items[NonceKey] = nonce;
        }

        return nonce;
    }

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        // The chat frame's ancestors come from its inbox's settings, read (from a cache) before the response starts.
        var chatFrameAncestors = context.Request.Path.Equals(ChatFramePath, StringComparison.OrdinalIgnoreCase)
            ? await context.RequestServices.GetRequiredService<WidgetOrigins>().FrameAncestorsAsync(context.Request.Query["inbox"].ToString(), context.RequestAborted)
            : null;
        context.Response.OnStarting(() =>
        {
            Write(context, chatFrameAncestors);
            return Task.CompletedTask;
        });
        await next(context);
    });

    private static void Write(HttpContext context, string? chatFrameAncestors)
    {
        var request = context.Request;
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.TryAdd("Referrer-Policy", "strict-origin-when-cross-origin");
        headers["Permissions-Policy"] = PermissionsPolicy;
        if (request.IsHttps)
        {
            // Only over https: a header sent over plain http could pin a name to https that never had it.
            headers.StrictTransportSecurity = "max-age=31536000";
        }

        // The hub's WebSocket is on this host; 'self' covers ws/wss in current browsers, the explicit form older ones.
        var sockets = $"ws://{request.Host} wss://{request.Host}";
        if (chatFrameAncestors is not null)
        {
            // Framable by design; X-Frame-Options cannot list sites, so it is left out and frame-ancestors decides.
            headers.Remove("X-Frame-Options");
            headers.TryAdd("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data: blob:; "
                + $"connect-src 'self' {sockets}; base-uri 'none'; form-action 'none'; frame-ancestors {chatFrameAncestors}");
            return;
        }

        // Replaces antiforgery's SAMEORIGIN: not even this site frames its own pages.
        headers.XFrameOptions = "DENY";
        if (headers.ContainsKey("Content-Security-Policy"))
        {
            return;
        }

        if (request.Path.StartsWithSegments(ApiReferencePath))
        {
            // The reference viewer starts from an inline module script and styles itself inline; the page shows the
            // API's public description only and talks to this origin.
            headers.ContentSecurityPolicy = $"default-src 'self'; script-src 'self' 'unsafe-inline'; {InlineStyles}; img-src 'self' data: https:; "
                + "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";
            return;
        }

        var nonce = context.Items[NonceKey] is string value ? $" 'nonce-{value}'" : "";
        headers.ContentSecurityPolicy = $"default-src 'self'; script-src 'self'{nonce}; {InlineStyles}; img-src 'self' data: blob: https:; "
            + $"font-src 'self' data:; connect-src 'self' {sockets}; {DashboardAppFrames}; object-src 'none'; base-uri 'self'; "
            + "form-action 'self'; frame-ancestors 'none'";
    }
}
