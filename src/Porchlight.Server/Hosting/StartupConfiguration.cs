using Porchlight.Server.Data;
using Porchlight.Server.Features.SignIn;

namespace Porchlight.Server.Hosting;

/// <summary>
/// Checks the settings before anything starts, so a mistake stops the server with a message naming
/// the setting and the fix instead of a stack trace from deep inside a library.
/// </summary>
public static class StartupConfiguration
{
    public static IReadOnlyList<string> Problems(IConfiguration configuration)
    {
        var problems = new List<string>();
        var providerKey = $"{DatabaseOptions.Section}:{nameof(DatabaseOptions.Provider)}";
        var provider = configuration[providerKey];
        var connectionKey = $"{DatabaseOptions.Section}:{nameof(DatabaseOptions.ConnectionString)}";
        if (!string.IsNullOrEmpty(provider) && !Enum.TryParse<DatabaseProvider>(provider, ignoreCase: true, out _))
        {
            problems.Add($"{providerKey} is '{provider}'. Set it to Sqlite (the default) or Postgres.");
        }
        else if (string.Equals(provider, nameof(DatabaseProvider.Postgres), StringComparison.OrdinalIgnoreCase)
                 && string.IsNullOrWhiteSpace(configuration[connectionKey]))
        {
            problems.Add($"{connectionKey} is required with PostgreSQL, e.g. \"Host=127.0.0.1;Port=5432;Database=porchlight;Username=porchlight;Password=…\".");
        }

        var publicUrl = configuration["PublicUrl"];
        if (!string.IsNullOrWhiteSpace(publicUrl)
            && (!Uri.TryCreate(publicUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            problems.Add($"PublicUrl is '{publicUrl}'. Set it to the absolute http(s) address people open, e.g. https://support.example.com.");
        }

        CheckPositiveTime(configuration, $"{OutboxOptions.Section}:{nameof(OutboxOptions.PollInterval)}", problems);
        CheckPositiveTime(configuration, $"{OutboxOptions.Section}:{nameof(OutboxOptions.Lease)}", problems);
        CheckPositiveTime(configuration, $"{OutboxOptions.Section}:{nameof(OutboxOptions.RetryDelay)}", problems);
        CheckPositiveNumber(configuration, $"{OutboxOptions.Section}:{nameof(OutboxOptions.MaxAttempts)}", problems);
        CheckPositiveNumber(configuration, $"{OutboxOptions.Section}:{nameof(OutboxOptions.BatchSize)}", problems);
        CheckPositiveNumber(configuration, "Email:Smtp:Port", problems);
        CheckPositiveNumber(configuration, "Security:MaxFailedSignIns", problems);
        foreach (var limit in new[]
                 {
                     nameof(ClientRateLimitOptions.SignInAttemptsPerMinute), nameof(ClientRateLimitOptions.WidgetRequestsPerMinute),
                     nameof(ClientRateLimitOptions.WidgetRequestsPerVisitorPerMinute), nameof(ClientRateLimitOptions.HelpCenterRequestsPerMinute),
                     nameof(ClientRateLimitOptions.AttachmentDownloadsPerMinute),
                 })
        {
            // A limiter cannot be made with no permits: the endpoints would fail on every request instead.
            CheckPositiveNumber(configuration, $"{ClientRateLimitOptions.Section}:{limit}", problems);
        }

        CheckPositiveNumber(configuration, "Storage:MaxAttachmentBytes", problems);
        CheckPositiveTime(configuration, "Storage:AttachmentLinkLifetime", problems);
        CheckPositiveTime(configuration, "Storage:UnsentAttachmentLifetime", problems);
        CheckPositiveTime(configuration, "Storage:AttachmentSweepInterval", problems);
        CheckPositiveTime(configuration, "Routing:SweepInterval", problems);
        CheckPositiveTime(configuration, "Agents:AutoAwayCheckInterval", problems);
        CheckPositiveTime(configuration, "Conversations:MessageEditWindow", problems);
        problems.AddRange(TrustedProxies.Problems(configuration));
        problems.AddRange(SingleSignOnOptions.Problems(configuration));
        return problems;
    }

    private static void CheckPositiveTime(IConfiguration configuration, string key, List<string> problems)
    {
        var value = configuration[key];
        if (value is not null && (!TimeSpan.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var time) || time <= TimeSpan.Zero))
        {
            problems.Add($"{key} is '{value}'. Set a positive duration such as 00:00:05 (hh:mm:ss).");
        }
    }

    private static void CheckPositiveNumber(IConfiguration configuration, string key, List<string> problems)
    {
        var value = configuration[key];
        if (value is not null && (!int.TryParse(value, out var number) || number <= 0))
        {
            problems.Add($"{key} is '{value}'. Set a whole number greater than zero.");
        }
    }
}
