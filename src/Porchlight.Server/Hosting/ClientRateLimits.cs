using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Porchlight.Server.Hosting;

public static class ClientRateLimits
{
    /// <summary>
    /// A named policy that lets each client address make <paramref name="permitsPerMinute"/> requests a minute (no
    /// queue: the rest get 429 with Retry-After). Behind a proxy the address is the forwarded one (TrustedProxies).
    /// </summary>
    public static RateLimiterOptions AddPerClientAddressPolicy(this RateLimiterOptions limiter, string policy, int permitsPerMinute) =>
        limiter.AddPolicy(policy, http => RateLimitPartition.GetFixedWindowLimiter(
            http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permitsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
}
