namespace Porchlight.E2E.Infrastructure;

public static class RepositoryPaths
{
    /// <summary>The directory holding Porchlight.slnx, found upwards from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: the server is run from the same configuration as the tests.</summary>
    public static string Configuration { get; } =
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name ?? "Debug";

    public static string ServerProject { get; } = Path.Combine(Root, "src", "Porchlight.Server");

    /// <summary>The server's build output of the same configuration as the tests.</summary>
    public static string ServerDll { get; } = Path.Combine(ServerProject, "bin", Configuration, "net10.0", "porchlight.dll");

    public static string Screenshots { get; } = Directory.CreateDirectory(Path.Combine(Root, "artifacts", "screenshots")).FullName;

    public static string Screenshot(string name) => Path.Combine(Screenshots, name + ".png");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Porchlight.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"Porchlight.slnx was not found above {AppContext.BaseDirectory}.");
    }
}
