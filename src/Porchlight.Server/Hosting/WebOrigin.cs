namespace Porchlight.Server.Hosting;

/// <summary>Origins as browsers spell them (the Origin header, <c>event.origin</c>), so that ours compare equal with theirs.</summary>
public static class WebOrigin
{
    /// <summary>The origin of <paramref name="uri"/>: scheme, host, and the port unless it is the scheme's default; lower case.</summary>
    public static string Of(Uri uri)
    {
        // IdnHost spells a name as the browser does (punycode) but drops an IPv6 address's brackets, which Host keeps.
        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;
        return $"{uri.Scheme}://{host}{(uri.IsDefaultPort ? "" : $":{uri.Port}")}".ToLowerInvariant();
    }
}
