using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Porchlight.Server.Hosting;

/// <summary>
/// Requests a minute that anonymous and visitor endpoints take, per client address unless said otherwise
/// (configuration section <c>Security</c>; docs/deploy.md). High enough for a person and a busy office behind one
/// address, a wall for a script hammering one installation.
/// </summary>
public sealed class ClientRateLimitOptions
{
    public const string Section = "Security";

    /// <summary>Sign-in, password reset, setup and invitation posts.</summary>
    public int SignInAttemptsPerMinute { get; set; } = 10;

    /// <summary>The visitor API (<c>/widget/v1</c>), the visitor hub, survey links.</summary>
    public int WidgetRequestsPerMinute { get; set; } = 600;

    /// <summary>
    /// Requests of one widget visitor (by the visitor token's visitor), from however many addresses. Unset: the same
    /// as <see cref="WidgetRequestsPerMinute"/>, so a visitor can never do more than one address could.
    /// </summary>
    public int? WidgetRequestsPerVisitorPerMinute { get; set; }

    /// <summary>The public help center.</summary>
    public int HelpCenterRequestsPerMinute { get; set; } = 600;

    /// <summary>Attachment downloads by signed link; an agent's inbox loads many images at once, hence more.</summary>
    public int AttachmentDownloadsPerMinute { get; set; } = 1200;

    public int PerVisitorPerMinute => WidgetRequestsPerVisitorPerMinute ?? WidgetRequestsPerMinute;
}

public static class ClientRateLimits
{
    public const string SignIn = "sign-in";
    public const string Widget = "widget";
    public const string HelpCenter = "help-center";
    public const string AttachmentDownloads = "attachment-downloads";

    /// <summary>
    /// The named per-address policies and the answer to a refused request: 429 with Retry-After and a problem.
    /// Features put a policy on their endpoints with <c>RequireRateLimiting(ClientRateLimits.X)</c>.
    /// </summary>
    public static IServiceCollection AddClientRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ClientRateLimitOptions>(configuration.GetSection(ClientRateLimitOptions.Section));
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var http = context.HttpContext;
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                    ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
                    : 60;
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await http.WriteProblemAsync(
                    StatusCodes.Status429TooManyRequests, "Too many requests", $"Too many requests from this client; try again in {seconds} seconds.");
            };
        });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<ClientRateLimitOptions>>((limiter, options) =>
        {
            var limits = options.Value;
            limiter.AddPerClientAddressPolicy(SignIn, limits.SignInAttemptsPerMinute)
                .AddPerClientAddressPolicy(Widget, limits.WidgetRequestsPerMinute)
                .AddPerClientAddressPolicy(HelpCenter, limits.HelpCenterRequestsPerMinute)
                .AddPerClientAddressPolicy(AttachmentDownloads, limits.AttachmentDownloadsPerMinute);
        });
        return services;
    }

    /// <summary>
    /// A named policy that lets each client address make <paramref name="permitsPerMinute"/> requests a minute (no
    /// queue: the rest get 429 with Retry-After). Behind a proxy the address is the forwarded one (TrustedProxies).
    /// </summary>
    public static RateLimiterOptions AddPerClientAddressPolicy(this RateLimiterOptions limiter, string policy, int permitsPerMinute) =>
        limiter.AddPolicy(policy, http => PerMinute(http.Connection.RemoteIpAddress?.ToString() ?? "unknown", permitsPerMinute));

    /// <summary>A fixed one-minute window of <paramref name="permitsPerMinute"/> for <paramref name="key"/>, no queue.</summary>
    public static RateLimitPartition<string> PerMinute(string key, int permitsPerMinute) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permitsPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });
}
