namespace Porchlight.Server.Tests.Infrastructure;

/// <summary>Test classes in this collection share one IMAP server (Dovecot) for the run.</summary>
[CollectionDefinition(Name)]
public sealed class MailServerCollection : ICollectionFixture<MailServer>
{
    public const string Name = "Mail server";
}
