using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Porchlight.Server.Hosting.Cluster;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Hosting.Cluster;

/// <summary>
/// Scheduled jobs run on one node of a cluster at a time: several nodes share one database, and the lease in it
/// decides which of them runs a job's next pass.
/// </summary>
public abstract class JobLeasesTests(PorchlightFactory factory)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Lease_TwoNodes_OneHoldsItUntilItRunsOutOrIsHandedBack()
    {
        var job = NewJob();
        var (a, b) = (Node(clustered: true), Node(clustered: true));

        Assert.True(await a.TryHoldAsync(job, Lifetime, Ct));
        Assert.False(await b.TryHoldAsync(job, Lifetime, Ct));
        _clock.Advance(Lifetime / 2);
        Assert.True(await a.TryHoldAsync(job, Lifetime, Ct)); // renewed: another full lifetime from now
        _clock.Advance(Lifetime * 3 / 4);
        Assert.False(await b.TryHoldAsync(job, Lifetime, Ct));

        // The holder died: nobody renews, and the lease runs out.
        _clock.Advance(Lifetime);
        Assert.True(await b.TryHoldAsync(job, Lifetime, Ct));
        Assert.False(await a.TryHoldAsync(job, Lifetime, Ct));

        // A node that stops hands its leases back at once.
        await b.ReleaseAllAsync(Ct);
        Assert.True(await a.TryHoldAsync(job, Lifetime, Ct));
    }

    [Fact]
    public async Task Lease_EightNodesAskingAtOnceForANewJob_ExactlyOneHoldsIt()
    {
        var job = NewJob();
        var nodes = Enumerable.Range(0, 8).Select(_ => Node(clustered: true)).ToList();

        var answers = await Task.WhenAll(nodes.Select(n => Task.Run(() => n.TryHoldAsync(job, Lifetime, Ct), Ct)));

        Assert.Single(answers, held => held);
    }

    [Fact]
    public async Task Hold_SingleNodeWithoutRedis_EveryNodeRunsWithoutALease()
    {
        var job = NewJob();
        var (a, b) = (Node(clustered: false), Node(clustered: false));

        Assert.True(await a.HoldAsync(job, Lifetime, Ct));
        Assert.True(await b.HoldAsync(job, Lifetime, Ct));
        Assert.True(await Node(clustered: true).TryHoldAsync(job, Lifetime, Ct)); // nothing was taken
    }

    private static string NewJob() => "test-" + Guid.NewGuid().ToString("N");

    private JobLeases Node(bool clustered) => new(
        factory.Services.GetRequiredService<IServiceScopeFactory>(), new ClusterNode(), _clock,
        Options.Create(new ClusterOptions { ConnectionString = clustered ? "127.0.0.1:1" : null }));
}

public sealed class JobLeasesSqliteTests(SqliteApiFixture fixture) : JobLeasesTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class JobLeasesPostgresTests(PostgresApiFixture fixture) : JobLeasesTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
