using System.Net;
using System.Net.Sockets;
using MaxMind.Db;

namespace Porchlight.Server.Features.Tracking;

/// <summary>
/// The visitor's country, read from a GeoIP database file on this server when one is configured
/// (<c>Tracking:GeoIpDatabase</c>: a MaxMind GeoLite2/GeoIP2 or DB-IP country or city file in the MaxMind DB format).
/// No address ever leaves the server for this; without a file the country stays empty.
/// </summary>
public sealed class GeoCountries : IDisposable
{
    private readonly Reader? _reader;

    public GeoCountries(IConfiguration configuration, ILogger<GeoCountries> logger)
    {
        var path = configuration["Tracking:GeoIpDatabase"];
        if (string.IsNullOrWhiteSpace(path))
        {
            return;
        }

        try
        {
            _reader = new Reader(path, FileAccessMode.MemoryMapped);
            if (logger.IsEnabled(LogLevel.Information))
            {
                logger.LogInformation("Countries are read from {Database} ({Type})", path, _reader.Metadata.DatabaseType);
            }
        }
        catch (Exception e) when (e is IOException or InvalidDatabaseException or UnauthorizedAccessException)
        {
            // A missing or damaged file must not keep the server from starting: tracking goes on without countries.
            logger.LogError(e, "The GeoIP database {Database} could not be opened; countries stay empty", path);
        }
    }

    public bool IsConfigured => _reader is not null;

    /// <summary>The ISO 3166 code of the country the address is in, or null when unknown.</summary>
    public string? CountryOf(IPAddress? address)
    {
        if (_reader is null || address is null)
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        else if (address.AddressFamily == AddressFamily.InterNetworkV6 && _reader.Metadata.IPVersion == 4)
        {
            return null;
        }

        try
        {
            return _reader.Find<CountryRecord>(address)?.Country?.IsoCode is { Length: 2 } code ? code : null;
        }
        catch (InvalidDatabaseException)
        {
            return null;
        }
    }

    public void Dispose() => _reader?.Dispose();

    /// <summary>The one field read from a record; the reader skips the rest (names, continent, city).</summary>
    internal sealed class CountryRecord
    {
        [MapKey("country")]
        public CountryPart? Country { get; init; }
    }

    internal sealed class CountryPart
    {
        [MapKey("iso_code")]
        public string? IsoCode { get; init; }
    }
}
