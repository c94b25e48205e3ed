using Microsoft.AspNetCore.Mvc;
using Porchlight.Server.Features.Tracking;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Widget;

/// <summary>
/// Which sites may use a web-widget inbox's chat: the same list as its tracker (<c>tracking.allowedOrigins</c>),
/// any site when the list is empty. Browsers enforce it in two places, because the chat runs in a frame on
/// Porchlight's own origin:
/// <list type="bullet">
/// <item>the frame's <c>frame-ancestors</c> (see <see cref="SecurityHeaders"/>) lets only listed sites embed it;</item>
/// <item>the visitor API and hub refuse a request whose <c>Origin</c> is another site not on the list (the loader's
/// config call comes from the host page). Requests from the frame carry Porchlight's own origin, and are taken.</item>
/// </list>
/// A request with no <c>Origin</c> is taken: browsers send one on every cross-origin request and every POST, and
/// leave it out only on same-origin GETs (the frame's own reads), while a client outside a browser can send any
/// <c>Origin</c> it likes, so refusing the header's absence would stop nobody. The list keeps other sites' pages
/// from putting an inbox's chat in front of their visitors; it is not authentication.
/// </summary>
public sealed class WidgetOrigins(TrackingSites sites, PublicUrls urls)
{
    /// <summary>The chat frame's <c>frame-ancestors</c> sources for the inbox its address names.</summary>
    public async ValueTask<string> FrameAncestorsAsync(string inboxToken, CancellationToken cancellationToken) =>
        inboxToken.Length > 0 && await sites.FindAsync(inboxToken, cancellationToken) is { Settings.AllowedOrigins: { Count: > 0 } allowed }
            ? "'self' " + string.Join(' ', allowed)
            : "*";

    /// <summary>
    /// A 403 problem when the request's <c>Origin</c> may not use the inbox named by <paramref name="inboxToken"/> or
    /// <paramref name="inboxId"/>, else null. An unknown inbox is left to the endpoint, which answers 404.
    /// </summary>
    public async ValueTask<IResult?> RefusalAsync(HttpContext context, string? inboxToken, Guid? inboxId)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length == 0 || IsOwn(origin, context.Request))
        {
            return null;
        }

        var site = !string.IsNullOrEmpty(inboxToken) ? await sites.FindAsync(inboxToken, context.RequestAborted)
            : inboxId is { } id ? await sites.FindAsync(id, context.RequestAborted)
            : null;
        return site is null || site.Settings.Allows(origin)
            ? null
            : TypedResults.Problem(new ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden,
                Title = "Origin not allowed",
                Detail = "This site is not on the inbox's list of allowed origins.",
            });
    }

    // The frame and the hub are served from this installation: as the request reached it, or at its public address
    // when a proxy in front terminates TLS without forwarding the scheme.
    private bool IsOwn(string origin, HttpRequest request) =>
        string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase)
        || (Uri.TryCreate(urls.Base, UriKind.Absolute, out var own) && string.Equals(origin, WebOrigin.Of(own), StringComparison.OrdinalIgnoreCase));
}
