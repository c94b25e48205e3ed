using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Porchlight.Server.Hosting;

/// <summary>
/// Behind nginx or a load balancer every request comes from the proxy; the visitor's own address, which rate limits,
/// IP truncation and the country lookup need, is in X-Forwarded-For. That header is believed only from the proxies
/// named in <c>Network:TrustedProxies</c> (addresses or CIDR networks) and from this machine's loopback, so a
/// visitor cannot choose the address they are counted by.
/// </summary>
public static class TrustedProxies
{
    public const string Key = "Network:TrustedProxies";

    public static IServiceCollection AddTrustedProxies(this IServiceCollection services, IConfiguration configuration) =>
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var entry in Entries(configuration))
            {
                if (IPAddress.TryParse(entry, out var address))
                {
                    options.KnownProxies.Add(address);
                }
                else
                {
                    options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(entry));
                }
            }
        });

    /// <summary>Each entry that is neither an address nor a network, as a problem naming the setting.</summary>
    public static IEnumerable<string> Problems(IConfiguration configuration) =>
        Entries(configuration)
            .Where(entry => !IPAddress.TryParse(entry, out _) && !System.Net.IPNetwork.TryParse(entry, out _))
            .Select(entry => $"{Key} has '{entry}'. List proxy addresses (10.0.0.5) or networks (10.0.0.0/24).");

    private static IEnumerable<string> Entries(IConfiguration configuration)
    {
        var section = configuration.GetSection(Key);
        // One comma-separated value (handy in an environment variable) or a list.
        var values = section.Value is { } single ? [single] : section.GetChildren().Select(child => child.Value ?? "");
        return values.SelectMany(value => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
