using Porchlight.Server.Tests.Infrastructure;
using Porchlight.Testing;

// One server for the whole run, shared by test classes that run side by side, each on databases of its own.
[assembly: AssemblyFixture(typeof(PostgresServer))]

namespace Porchlight.Server.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server the tests share for the whole run (see <see cref="PostgresInstance"/>, without fsync).
/// Each test factory gets its own database on it.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private PostgresInstance? _instance;

    private PostgresInstance Instance => _instance ?? throw new InvalidOperationException("The PostgreSQL server has not started.");

    public string ConnectionString(string database) => Instance.ConnectionString(database);

    public async ValueTask InitializeAsync() => _instance = await PostgresInstance.StartAsync(durable: false);

    public async ValueTask DisposeAsync()
    {
        if (_instance is not null)
        {
            await _instance.DisposeAsync();
        }
    }
}
