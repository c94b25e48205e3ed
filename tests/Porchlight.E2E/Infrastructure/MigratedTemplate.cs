using System.Diagnostics;

namespace Porchlight.E2E.Infrastructure;

/// <summary>
/// A database with the whole schema, made once per run by the server's own `migrate` command and copied into each
/// test's data folder: migrating every test's fresh database took its server seconds to start. Starting on the copy,
/// the server finds nothing pending; a fresh database is what the first-run screen shows either way (no rows).
/// </summary>
internal static class MigratedTemplate
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _directory;

    /// <summary>Copies the template's database (with its write-ahead log, if the command left one) into <paramref name="dataDirectory"/>.</summary>
    public static async Task CopyToAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            _directory ??= await CreateAsync(cancellationToken);
        }
        finally
        {
            Gate.Release();
        }

        foreach (var file in Directory.GetFiles(_directory, "porchlight.db*"))
        {
            File.Copy(file, Path.Combine(dataDirectory, Path.GetFileName(file)));
        }
    }

    private static async Task<string> CreateAsync(CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("porchlight-e2e-template-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(directory, recursive: true);
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryPaths.ServerProject,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[RepositoryPaths.ServerDll, "migrate", $"--Database:ConnectionString=Data Source={Path.Combine(directory, "porchlight.db")}"])
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not run the server's migrate command.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"migrate exited with {process.ExitCode}: {await output}{await errors}");
        }

        return directory;
    }
}
