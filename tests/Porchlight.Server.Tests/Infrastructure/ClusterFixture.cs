using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Testing;

namespace Porchlight.Server.Tests.Infrastructure;

/// <summary>
/// A cluster as an operator runs one: a PostgreSQL and a Redis server, and Porchlight nodes as separate processes
/// on their own ports sharing both. Two nodes run for the whole collection; a test that kills a node starts its own.
/// Every node may call webhook receivers on loopback, where the tests' receivers listen.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("porchlight-cluster-").FullName;
    private readonly List<ServerProcess> _nodes = [];
    private PostgresInstance? _postgres;

    public RedisInstance Redis { get; private set; } = null!;

    public PostgresInstance Postgres => _postgres ?? throw new InvalidOperationException("The cluster has not started.");

    public ServerProcess NodeA => _nodes[0];

    public ServerProcess NodeB => _nodes[1];

    /// <summary>An API token of the workspace's owner (read, write, admin).</summary>
    public string OwnerToken { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        _postgres = await PostgresInstance.StartAsync(durable: false);
        Redis = await RedisInstance.StartAsync();
        OwnerToken = await CreateOwnerAsync(PorchlightProcess.EntryAssembly, "porchlight");
        await StartNodeAsync();
        await StartNodeAsync();
    }

    /// <summary>
    /// Sets up <paramref name="database"/> as an operator does with the server built as <paramref name="dll"/>: creates
    /// it on its migrations with an owner (o@example.com), and answers an API token of that owner (read, write, admin).
    /// </summary>
    public async Task<string> CreateOwnerAsync(string dll, string database)
    {
        string[] settings = ["--Database:Provider=Postgres", $"--Database:ConnectionString={Postgres.ConnectionString(database)}"];
        var owner = await PorchlightProcess.RunVersionAsync(dll, _directory, "correct horse battery", [
            "create-owner", "--email", "o@example.com", "--password-stdin", .. settings]);
        Assert.True(owner.ExitCode == 0, owner.ToString());
        var token = await PorchlightProcess.RunVersionAsync(dll, _directory, null, [
            "create-token", "--email", "o@example.com", "--name", "cluster", "--scopes", "read,write,admin", .. settings]);
        Assert.True(token.ExitCode == 0, token.ToString());
        return token.StandardOutput.Trim();
    }

    /// <summary>
    /// Starts one more node of the cluster; the fixture stops it at the end unless the test killed it. A node of
    /// another <paramref name="database"/> (a restored backup) runs on its own, without Redis. <paramref name="settings"/>
    /// (<c>--Section:Key=value</c>) are this node's own, after the cluster's. <paramref name="dll"/>: another build of
    /// the server than this one, such as the previous release.
    /// </summary>
    public async Task<ServerProcess> StartNodeAsync(string database = "porchlight", IReadOnlyList<string>? settings = null, string? dll = null)
    {
        var data = Directory.CreateDirectory(Path.Combine(_directory, $"node-{_nodes.Count}")).FullName;
        var ownDatabase = database != "porchlight";
        var node = await ServerProcess.StartAsync(new ServerStart(dll ?? PorchlightProcess.EntryAssembly, _directory, data, [
            "--Database:Provider=Postgres",
            $"--Database:ConnectionString={Postgres.ConnectionString(database)}",
            ownDatabase ? "--Redis:ConnectionString=" : $"--Redis:ConnectionString={Redis.ConnectionString}",
            "--Redis:HeartbeatInterval=00:00:01",
            $"--Storage:AttachmentsPath={Path.Combine(_directory, ownDatabase ? database + "-attachments" : "attachments")}",
            "--Security:WidgetRequestsPerMinute=100000",
            "--Webhooks:AllowPrivateTargets=true",
            .. settings ?? [],
        ]), TestContext.Current.CancellationToken);
        _nodes.Add(node);
        return node;
    }

    /// <summary>An HTTP client of the owner's API token (or another <paramref name="token"/>), talking to <paramref name="node"/>.</summary>
    public HttpClient Owner(ServerProcess node, string? token = null)
    {
        var client = new HttpClient { BaseAddress = node.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token ?? OwnerToken);
        return client;
    }

    /// <summary>
    /// A context on the cluster's database, as the nodes share it; no workspace is entered, so its queries see every
    /// workspace's rows. Unpooled: a test of the cluster restarts PostgreSQL, which leaves pooled connections dead.
    /// </summary>
    public PostgresAppDbContext NewDbContext() =>
        new(new DbContextOptionsBuilder<PostgresAppDbContext>().UseNpgsql(Postgres.ConnectionString("porchlight") + ";Pooling=false").Options, new TenantScope());

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await Redis.DisposeAsync();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }
}
