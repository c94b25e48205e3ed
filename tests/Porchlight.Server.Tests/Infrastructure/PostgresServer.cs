using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Porchlight.Server.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL server started from the Debian binaries (initdb into a temp folder,
/// 127.0.0.1, a free port) for the whole test run, and removed afterwards. Each test factory gets
/// its own database on it.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private string _directory = "";
    private string _bin = "";

    public int Port { get; private set; }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Include Error Detail=true";

    public async ValueTask InitializeAsync()
    {
        _bin = Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin"))
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
            ?? throw new InvalidOperationException("PostgreSQL binaries not found under /usr/lib/postgresql; ./test.sh installs them.");
        _directory = Path.Combine(Path.GetTempPath(), "porchlight-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_directory);
        await RunAsync("chown", $"postgres: {_directory}");
        Port = FreePort();
        await RunAsPostgresAsync("initdb", $"-D {_directory}/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8");
        await RunAsPostgresAsync("pg_ctl",
            $"-D {_directory}/data -l {_directory}/pg.log -w -t 60 -o \"-p {Port} -c listen_addresses=127.0.0.1 -k {_directory} -c fsync=off -c max_connections=300\" start");
    }

    public async ValueTask DisposeAsync()
    {
        if (_directory.Length > 0)
        {
            await RunAsPostgresAsync("pg_ctl", $"-D {_directory}/data -m immediate -w stop", throwOnError: false);
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // initdb refuses to run as root; the tests run as root on CI, so the server runs as `postgres`.
    private Task RunAsPostgresAsync(string tool, string arguments, bool throwOnError = true) =>
        Environment.UserName == "root"
            ? RunAsync("runuser", $"-u postgres -- {Path.Combine(_bin, tool)} {arguments}", throwOnError)
            : RunAsync(Path.Combine(_bin, tool), arguments, throwOnError);

    private static async Task RunAsync(string file, string arguments, bool throwOnError = true)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (throwOnError && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {await output} {await error}");
        }
    }
}
