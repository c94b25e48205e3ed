using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace Porchlight.Testing;

/// <summary>How to start a server process: the build output to run, where, on which data, with which arguments.</summary>
public sealed record ServerStart(string Dll, string WorkingDirectory, string DataDirectory, IReadOnlyList<string> Arguments)
{
    /// <summary>A build output (not a publish) serves blazor.web.js only in Development.</summary>
    public string Environment { get; init; } = "Development";

    /// <summary>The process's open-file limit (soft and hard), set as it starts; null: inherited.</summary>
    public int? OpenFileLimit { get; init; }

    /// <summary>The SQLite database file of this server, inside <see cref="DataDirectory"/>.</summary>
    public string DatabasePath => Path.Combine(DataDirectory, "porchlight.db");
}

/// <summary>
/// The real server as a separate process on a free port, the way an operator runs it. Disposing (or
/// <see cref="KillAsync"/>) ends it with SIGKILL, like a crash; the data directory belongs to the caller.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public int ProcessId => _process.Id;

    /// <summary>What the server wrote to stdout and stderr so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    /// <summary>The value of a metric on the server's <c>/metrics</c> (Prometheus text), as an operator's alert reads it; null if absent.</summary>
    public async Task<string?> MetricAsync(string name, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress };
        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), cancellationToken);
        return metrics.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal) || l.StartsWith(name + "{", StringComparison.Ordinal))?.Split(' ')[^1];
    }

    public static Task<ServerProcess> StartAsync(ServerStart start, CancellationToken cancellationToken) =>
        StartAsync(start, new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}/"), cancellationToken);

    /// <summary>
    /// Starts the server at a given address, such as the one of a server that was killed: a restart, after which
    /// the clients of the old process find the new one where they left it.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(ServerStart start, Uri baseAddress, CancellationToken cancellationToken)
    {
        if (!File.Exists(start.Dll))
        {
            throw new InvalidOperationException($"The server is not built: {start.Dll} is missing. Build the solution first.");
        }

        // prlimit sets the limit and then becomes the server process (exec): same process id, same kill.
        var info = new ProcessStartInfo(start.OpenFileLimit is null ? "dotnet" : "prlimit")
        {
            // The content root is the working directory: static assets and components resolve from the project.
            WorkingDirectory = start.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (start.OpenFileLimit is { } limit)
        {
            info.ArgumentList.Add($"--nofile={limit}:{limit}");
            info.ArgumentList.Add("dotnet");
        }

        info.ArgumentList.Add(start.Dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(baseAddress.ToString().TrimEnd('/'));
        info.ArgumentList.Add($"--Database:ConnectionString=Data Source={start.DatabasePath}");
        foreach (var argument in start.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["ASPNETCORE_ENVIRONMENT"] = start.Environment;
        info.Environment["DOTNET_NOLOGO"] = "1";

        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the server process.");
        var server = new ServerProcess(process, baseAddress);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await server.WaitUntilReadyAsync(cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>
    /// Stops the process as <c>systemctl stop</c> does: SIGTERM, then the server's graceful shutdown (job leases handed
    /// over, presence taken out, connections closed) until it exits.
    /// </summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var signal = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await signal.WaitForExitAsync(CancellationToken.None);
        }

        await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Ends the process at once, as a crash or an out-of-memory kill would: no graceful shutdown.</summary>
    public async Task KillAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartupTimeout);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode} before it was ready:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("health/ready", UriKind.Relative), timeout.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!timeout.IsCancellationRequested)
            {
                // One slow answer; ask again.
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"The server was not ready within {StartupTimeout.TotalSeconds} s:\n{Output}");
            }

            try
            {
                await Task.Delay(250, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"The server was not ready within {StartupTimeout.TotalSeconds} s:\n{Output}");
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (TimeoutException)
        {
            // Leave it; the caller's temp directory may then stay behind too.
        }
        finally
        {
            _process.Dispose();
        }
    }
}
