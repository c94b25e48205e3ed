using System.Net.Sockets;
using System.Text;
using Porchlight.Server.Hosting;
using Porchlight.Testing;

namespace Porchlight.Server.Tests.Hosting;

/// <summary>
/// A node keeps its open files for the connections it can serve: past a cap derived from its open-file limit, new
/// connections are closed at once while the ones it has are still served, and the process stays up.
/// </summary>
public sealed class ConnectionLimitsTests : IDisposable
{
    private const int FileLimit = 1024;
    private readonly string _directory = Directory.CreateTempSubdirectory("porchlight-limits-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Max open files            1024                 4096                 files     ", 1024L)]
    [InlineData("Max open files            unlimited            unlimited            files     ", null)]
    [InlineData("Max processes             1024                 1024                 processes ", null)]
    public void OpenFileLimit_ProcLimitsText_IsTheSoftLimit(string procLimits, long? expected) =>
        Assert.Equal(expected, ConnectionLimits.OpenFileLimit("Limit                     Soft Limit           Hard Limit           Units     \n" + procLimits));

    [Theory]
    [InlineData(1024L, 300, 468L)]
    [InlineData(1024L, 700, 256L)]
    [InlineData(1_048_576L, 350, 1_047_970L)]
    public void Cap_LimitAndFilesInUse_LeavesTheReserveAndAtLeastAQuarter(long limit, int openFiles, long expected) =>
        Assert.Equal(expected, ConnectionLimits.Cap(limit, openFiles));

    [Fact]
    public async Task Node_MoreConnectionsThanItsOpenFileLimitAllows_RefusesTheExcessAndServesTheOnesItHas()
    {
        await using var node = await ServerProcess.StartAsync(
            new ServerStart(PorchlightProcess.EntryAssembly, _directory, _directory, []) { OpenFileLimit = FileLimit }, Ct);
        var cap = CapOf(node);
        Assert.InRange(cap, FileLimit / 4, FileLimit - ConnectionLimits.Reserve);
        var connections = new List<TcpClient>();
        try
        {
            // More connections than the limit has files for, each asking for something.
            var answers = new List<bool>();
            for (var i = 0; i < cap + 100; i++)
            {
                var client = new TcpClient();
                await client.ConnectAsync(node.BaseAddress.Host, node.BaseAddress.Port, Ct);
                connections.Add(client);
                answers.Add(await IsServedAsync(client));
            }

            Assert.Equal(cap, answers.Count(served => served));
            Assert.All(answers.Skip(cap), served => Assert.False(served));

            // The ones it kept are served still, and a freed place takes a new connection.
            Assert.True(await IsServedAsync(connections[0]));
            Assert.True(await IsServedAsync(connections[cap - 1]));
            connections[1].Dispose();
            await Eventually.WaitUntilAsync(async () =>
            {
                var again = new TcpClient();
                connections.Add(again);
                await again.ConnectAsync(node.BaseAddress.Host, node.BaseAddress.Port, Ct);
                return await IsServedAsync(again);
            }, "a connection closed frees a place");
            Assert.DoesNotContain("Unhandled exception", node.Output, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var connection in connections)
            {
                connection.Dispose();
            }
        }
    }

    // The cap the node wrote to its log as it started.
    private static int CapOf(ServerProcess node)
    {
        const string Said = "Connections at once: at most ";
        var line = node.Output.Split('\n').Single(l => l.Contains(Said, StringComparison.Ordinal));
        return int.Parse(line[(line.IndexOf(Said, StringComparison.Ordinal) + Said.Length)..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    // One keep-alive request on the connection: true when answered 200, false when the server closed it instead. The
    // whole answer is read (it may come in several segments), so the next request on the connection starts clean.
    private static async Task<bool> IsServedAsync(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /health/live HTTP/1.1\r\nHost: porchlight\r\n\r\n"), Ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var answer = new StringBuilder();
            var buffer = new byte[4096];
            while (!IsWhole(answer.ToString()))
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    return false;
                }

                answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            return answer.ToString().StartsWith("HTTP/1.1 200", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    // A response with its body: by Content-Length, or chunked up to the last chunk.
    private static bool IsWhole(string answer)
    {
        var headersEnd = answer.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (headersEnd < 0)
        {
            return false;
        }

        var headers = answer[..headersEnd].Split("\r\n");
        var length = headers.FirstOrDefault(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        return length is not null
            ? answer.Length - headersEnd - 4 >= int.Parse(length["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)
            : answer.EndsWith("0\r\n\r\n", StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
