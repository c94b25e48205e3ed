using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Porchlight.Server.Features.Webhooks;

/// <summary>
/// Where a webhook may be sent. Unless an administrator allowed private targets, an address on the server's own
/// network (private ranges, loopback, link-local, carrier-grade NAT, unspecified, multicast) is refused: when the
/// subscription is saved, and again at every connection, on the address actually connected to, so a name that
/// resolves elsewhere later (DNS rebinding) is caught too.
/// </summary>
public sealed class WebhookTargets(IOptions<WebhookOptions> options)
{
    /// <summary>Why <paramref name="url"/> cannot be a receiver, or null when it can.</summary>
    public async Task<string?> ProblemWithAsync(string? url, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > WebhookSubscription.MaxUrlLength
            || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return $"An absolute http or https URL of at most {WebhookSubscription.MaxUrlLength} characters.";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "No user name or password in the URL: deliveries are signed instead.";
        }

        if (options.Value.AllowPrivateTargets)
        {
            return null;
        }

        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(uri.DnsSafeHost, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(uri.DnsSafeHost, cancellationToken);
        }
        catch (SocketException)
        {
            return $"The host {uri.Host} could not be found.";
        }

        return addresses.Any(IsPrivate) ? $"{uri.Host} is an address on a private network; an administrator can allow private targets." : null;
    }

    /// <summary>
    /// Connects to the request's host as a browser would, but only to an address the options allow; the handler
    /// of the webhook client calls this for every new connection.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = options.Value.AllowPrivateTargets ? addresses : [.. addresses.Where(a => !IsPrivate(a))];
        if (allowed.Length == 0)
        {
            throw new WebhookRefusedException($"{host} resolves only to private addresses, which are not allowed.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var first = address.GetAddressBytes()[0];
            // fc00::/7 unique local, plus link-local, site-local and multicast.
            return (first & 0xFE) == 0xFC || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast;
        }

        var b = address.GetAddressBytes();
        return b[0] == 0 || b[0] == 10 || b[0] == 127
            || (b[0] == 100 && b[1] >= 64 && b[1] <= 127) // carrier-grade NAT
            || (b[0] == 169 && b[1] == 254) // link-local, cloud metadata services
            || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
            || (b[0] == 192 && b[1] == 168)
            || (b[0] == 192 && b[1] == 0 && b[2] == 0)
            || (b[0] == 198 && (b[1] == 18 || b[1] == 19)) // benchmarking
            || b[0] >= 224; // multicast and reserved
    }
}

/// <summary>A delivery not attempted because its target is not allowed.</summary>
public sealed class WebhookRefusedException(string message) : Exception(message);
