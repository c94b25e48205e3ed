using System.Diagnostics;
using System.Net.Sockets;

namespace Porchlight.Testing;

/// <summary>
/// A throwaway Redis server from the Debian binary on 127.0.0.1 and a free port, keeping nothing on disk. It can
/// be stopped and started again on the same port, as an outage would look to the nodes using it.
/// </summary>
public sealed class RedisInstance : IAsyncDisposable
{
    private Process? _process;

    private RedisInstance(int port) => Port = port;

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>The running server's process id (none while it is stopped), for benches that read its memory.</summary>
    public int? ProcessId => _process?.Id;

    public static async Task<RedisInstance> StartAsync()
    {
        var instance = new RedisInstance(LoopbackPorts.Free());
        await instance.StartAgainAsync();
        return instance;
    }

    /// <summary>Starts the server (again) on its port and waits until it takes connections.</summary>
    public async Task StartAgainAsync()
    {
        var info = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", $"{Port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no" })
        {
            info.ArgumentList.Add(argument);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start; ./test.sh installs it.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>Ends the server at once (SIGKILL): an outage, not a shutdown.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync() => await KillAsync();
}
