using System.Globalization;

namespace Porchlight.Server.Hosting;

/// <summary>
/// How many connections a node keeps open at once. Every connection costs an open file; a process whose file table
/// is full cannot accept, open its database connections or write its logs, and a bare ASP.NET Core server fails in
/// all of those at once. Past the cap, Kestrel closes new connections straight away and keeps serving the ones it
/// has. Without <c>Limits:MaxConnections</c>, the cap is read from the process's open-file limit at start-up, less
/// what the node needs for itself.
/// </summary>
public static class ConnectionLimits
{
    /// <summary>
    /// Open files kept back for what the node opens after start-up: the assemblies it loads later (the runtime keeps
    /// each one open), database and Redis pools, data and log files.
    /// </summary>
    public const int Reserve = 256;

    public const string Setting = "Limits:MaxConnections";

    private const string LimitsFile = "/proc/self/limits";
    private const string OpenFilesFolder = "/proc/self/fd";

    public static WebApplicationBuilder LimitConnections(this WebApplicationBuilder builder)
    {
        var cap = builder.Configuration.GetValue<long?>(Setting)
            ?? (OpenFileLimit(File.Exists(LimitsFile) ? File.ReadAllText(LimitsFile) : null) is { } limit
                ? Cap(limit, Directory.Exists(OpenFilesFolder) ? Directory.GetFileSystemEntries(OpenFilesFolder).Length : 0)
                : null);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxConcurrentConnections = cap;
            kestrel.Limits.MaxConcurrentUpgradedConnections = cap;
        });
        builder.Services.AddSingleton(new ConnectionCap(cap));
        return builder;
    }

    /// <summary>
    /// The soft open-file limit in a <c>/proc/self/limits</c> text (the runtime has raised it to the hard limit by
    /// then); null when unlimited or unknown (not Linux).
    /// </summary>
    public static long? OpenFileLimit(string? procLimits)
    {
        var line = procLimits?.Split('\n').FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var soft = line?["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return long.TryParse(soft, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) ? limit : null;
    }

    /// <summary>
    /// Connections for a limit of which <paramref name="openFiles"/> are already in use: what is left less the reserve,
    /// and never less than a quarter of the limit (a small limit still takes some connections).
    /// </summary>
    public static long Cap(long limit, int openFiles) => Math.Max(limit - openFiles - Reserve, limit / 4);
}

/// <summary>The connection cap this node runs with (null: none), for the start-up log and the metrics.</summary>
public sealed record ConnectionCap(long? MaxConnections);
