using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Tracking;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Tracking;

public sealed class GeoCountriesTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"porchlight-countries-{Guid.NewGuid():N}.mmdb");

    public GeoCountriesTests() => CountryDatabaseFile.Write(_path, ("81.2.69.0/24", "GB"), ("89.160.20.112/28", "SE"), ("2.125.160.0/19", "FR"));

    public void Dispose() => File.Delete(_path);

    [Theory]
    [InlineData("81.2.69.160", "GB")]
    [InlineData("89.160.20.120", "SE")]
    [InlineData("2.125.191.255", "FR")]
    [InlineData("::ffff:81.2.69.1", "GB")]
    public void CountryOf_AddressInAListedNetwork_ReturnsItsCode(string address, string country)
    {
        using var countries = Open(_path);

        Assert.Equal(country, countries.CountryOf(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("81.2.70.1")]
    [InlineData("89.160.20.128")]
    [InlineData("127.0.0.1")]
    [InlineData("2001:db8::1")]
    public void CountryOf_AddressInNoListedNetwork_ReturnsNull(string address)
    {
        using var countries = Open(_path);

        Assert.Null(countries.CountryOf(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("/nonexistent/countries.mmdb")]
    public void CountryOf_NoSettingOrNoFile_StartsAndReturnsNull(string? path)
    {
        using var countries = Open(path);

        Assert.False(countries.IsConfigured);
        Assert.Null(countries.CountryOf(IPAddress.Parse("81.2.69.160")));
    }

    [Fact]
    public void CountryOf_FileIsNotADatabase_StartsAndReturnsNull()
    {
        File.WriteAllText(_path, "This is not a MaxMind DB file.");
        using var countries = Open(_path);

        Assert.False(countries.IsConfigured);
        Assert.Null(countries.CountryOf(IPAddress.Parse("81.2.69.160")));
    }

    [Fact]
    public async Task Ingest_VisitorBehindTheLocalProxyWithADatabase_VisitKeepsTheirCountryAndTruncatedAddress()
    {
        await using var server = new PorchlightFactory(settings: new Dictionary<string, string?> { ["Tracking:GeoIpDatabase"] = _path });
        var address = server.StartOnKestrel();
        var workspace = await server.CreateWorkspaceAsync();
        using var owner = new HttpClient { BaseAddress = address };
        owner.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", workspace.OwnerToken);
        var (inboxId, site) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = new HttpClient { BaseAddress = address };

        // nginx on the same machine passes the visitor's address on; the request itself comes from loopback.
        using var response = await TrackingIngestionTests.PostAsync(
            visitor, $$"""{"site":"{{site}}","visitor":"v_from-london","session":"s_from-london","events":[{"type":"pageview","url":"https://shop.example/"}]}""",
            headers: ("X-Forwarded-For", "81.2.69.160"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        TrackedSession? visit = null;
        await Eventually.WaitUntilAsync(async () =>
        {
            using var scope = server.Services.CreateScope();
            visit = await scope.ServiceProvider.GetRequiredService<AppDbContext>().TrackedSessions.SingleOrDefaultAsync(s => s.InboxId == inboxId, TestContext.Current.CancellationToken);
            return visit is not null;
        }, "the visit stored");
        Assert.Equal(("GB", "81.2.69.0"), (visit!.Country, visit.IpAddress));
    }

    private static GeoCountries Open(string? path) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Tracking:GeoIpDatabase"] = path }).Build(), NullLogger<GeoCountries>.Instance);
}
