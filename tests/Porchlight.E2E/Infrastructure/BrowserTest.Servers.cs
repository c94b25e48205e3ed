using System.Text;
using Porchlight.Testing;

namespace Porchlight.E2E.Infrastructure;

/// <summary>
/// More of the test's server: a crash and a restart, the way a supervisor brings a killed server back, and a second
/// node on the same database.
/// </summary>
public abstract partial class BrowserTest
{
    private readonly StringBuilder _earlierServerOutput = new();

    /// <summary>What every server process of this test wrote, the killed ones first: evidence when a test fails.</summary>
    private string ServerOutput => _earlierServerOutput + (Server?.Output ?? "");

    /// <summary>Ends the server at once (SIGKILL), as a crash would: open pages lose their connections mid-flight.</summary>
    protected Task KillServerAsync() => Server.KillAsync();

    /// <summary>
    /// Starts the server again on the same address with the same data folder, after <see cref="KillServerAsync"/>:
    /// the pages that were open find it where they left it.
    /// </summary>
    protected async Task RestartServerAsync()
    {
        var killed = Server;
        await killed.KillAsync();
        _earlierServerOutput.Append(killed.Output).AppendLine("---- killed; started again ----");
        await killed.DisposeAsync();
        Server = await ServerProcess.StartAsync(_start!, killed.BaseAddress, TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// A second server process on the same data folder and database, as a second node of a scaled-out installation;
    /// the caller disposes it.
    /// </summary>
    protected Task<ServerProcess> StartAnotherNodeAsync() => ServerProcess.StartAsync(_start!, TestContext.Current.CancellationToken);
}
