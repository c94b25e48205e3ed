namespace Porchlight.Server.Tests.Infrastructure;

/// <summary>Test classes in this collection share one cluster (PostgreSQL, Redis and two nodes) for the run, one test at a time.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "Cluster";
}
