using System.Diagnostics;

namespace Porchlight.Testing;

/// <summary>
/// A throwaway PostgreSQL server started from the Debian binaries (initdb into a temp folder, 127.0.0.1, a free
/// port), removed when disposed. The tests run it without fsync (nothing they check survives a power cut); the
/// benchmark runs it durable, as production does.
/// </summary>
public sealed class PostgresInstance : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string _bin;
    private string _fsync = "";

    private PostgresInstance(string directory, string bin, int port) => (_directory, _bin, Port) = (directory, bin, port);

    public int Port { get; }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Include Error Detail=true";

    public static async Task<PostgresInstance> StartAsync(bool durable)
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin"))
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
            ?? throw new InvalidOperationException("PostgreSQL binaries not found under /usr/lib/postgresql; ./test.sh installs them.");
        var directory = Path.Combine(Path.GetTempPath(), "porchlight-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var instance = new PostgresInstance(directory, bin, LoopbackPorts.Free());
        await RunAsync("chown", $"postgres: {directory}");
        await instance.RunAsPostgresAsync("initdb", $"-D {directory}/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8");
        instance._fsync = durable ? "" : " -c fsync=off";
        await instance.StartAgainAsync();
        return instance;
    }

    /// <summary>Starts the server (again) on its port and data, waiting until it takes connections.</summary>
    public Task StartAgainAsync() => RunAsPostgresAsync("pg_ctl",
        $"-D {_directory}/data -l {_directory}/pg.log -w -t 60 -o \"-p {Port} -c listen_addresses=127.0.0.1 -k {_directory}{_fsync} -c max_connections=300\" start");

    /// <summary>Stops the server at once (immediate mode: connections cut, recovery on the next start), as a crash would.</summary>
    public Task StopAsync() => RunAsPostgresAsync("pg_ctl", $"-D {_directory}/data -m immediate -w stop", throwOnError: false);

    /// <summary>A backup as an operator takes one (<c>pg_dump -Fc</c>); answers the file's path.</summary>
    public async Task<string> DumpAsync(string database)
    {
        var file = Path.Combine(_directory, $"{database}-{Guid.NewGuid():N}.dump");
        await RunAsPostgresAsync("pg_dump", $"-h 127.0.0.1 -p {Port} -U postgres -Fc -f {file} {database}");
        return file;
    }

    /// <summary>A restore of <paramref name="dumpFile"/> into a new database, as an operator does one.</summary>
    public async Task RestoreAsync(string dumpFile, string database)
    {
        await RunAsPostgresAsync("createdb", $"-h 127.0.0.1 -p {Port} -U postgres {database}");
        await RunAsPostgresAsync("pg_restore", $"-h 127.0.0.1 -p {Port} -U postgres -d {database} {dumpFile}");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_directory, recursive: true);
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
