using System.Diagnostics;

namespace Porchlight.Server.Tests.Infrastructure;

/// <summary>
/// The server of the release before this one, built from its commit by <c>tests/previous-release.sh</c> (which
/// names it) and kept under artifacts/ between runs; <c>./test.sh</c> builds it before the tests start.
/// </summary>
public static class PreviousRelease
{
    private static readonly Lazy<Task<string>> Build = new(BuildAsync);

    /// <summary>The path of the previous release's porchlight.dll, built first if it is not yet.</summary>
    public static Task<string> DllAsync() => Build.Value;

    private static async Task<string> BuildAsync()
    {
        var repository = new DirectoryInfo(AppContext.BaseDirectory);
        while (repository is not null && !File.Exists(Path.Combine(repository.FullName, "Porchlight.slnx")))
        {
            repository = repository.Parent;
        }

        if (repository is null)
        {
            throw new InvalidOperationException("The tests do not run inside the repository, where the previous release is built from its history.");
        }

        var start = new ProcessStartInfo("bash", [Path.Combine(repository.FullName, "tests", "previous-release.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(10));
        var dll = (await output).Trim().Split('\n')[^1];
        if (process.ExitCode != 0 || !File.Exists(dll))
        {
            var log = await error;
            throw new InvalidOperationException($"The previous release did not build (exit {process.ExitCode}):\n{log[Math.Max(0, log.Length - 4000)..]}");
        }

        return dll;
    }
}
