using System.Diagnostics;

namespace Porchlight.Server.Tests.Hosting;

public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}";
}

/// <summary>Runs the built server executable (<c>dotnet porchlight.dll ...</c>) as an operator would.</summary>
public static class PorchlightProcess
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    public static string EntryAssembly { get; } = Find();

    public static Task<ProcessResult> RunAsync(string workingDirectory, string? standardInput, params string[] arguments) =>
        RunVersionAsync(EntryAssembly, workingDirectory, standardInput, arguments);

    /// <summary>Runs a command of the server built as <paramref name="dll"/>, such as an earlier release.</summary>
    public static async Task<ProcessResult> RunVersionAsync(string dll, string workingDirectory, string? standardInput, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
        }

        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new ProcessResult(process.ExitCode, await output, await error);
    }

    // Referencing the server copies porchlight.dll with its runtimeconfig next to the tests; a build of
    // the server itself is the fallback.
    private static string Find()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "porchlight.dll");
        if (File.Exists(beside) && File.Exists(Path.Combine(AppContext.BaseDirectory, "porchlight.runtimeconfig.json")))
        {
            return beside;
        }

        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = output.Parent?.Name ?? "Debug";
        for (var directory = output; directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "src", "Porchlight.Server", "bin", configuration, "net10.0", "porchlight.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("porchlight.dll was not found next to the tests or under src/Porchlight.Server/bin.");
    }
}
