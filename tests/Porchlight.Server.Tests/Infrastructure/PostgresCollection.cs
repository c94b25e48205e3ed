namespace Porchlight.Server.Tests.Infrastructure;

/// <summary>Test classes in this collection share one PostgreSQL server for the run.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
