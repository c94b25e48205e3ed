using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Tracking;

/// <summary>
/// A random salt for one UTC day. Hashes made with it (cookieless visitor ids, hashed IP addresses) match within
/// the day and cannot be linked across days once it is deleted, which happens the day after: nobody, not even
/// the operator, can then tell whom a hash stood for. Stored so that every node hashes alike.
/// </summary>
public sealed class DailySalt
{
    private DailySalt()
    {
    }

    public DateOnly Day { get; private set; }

    public byte[] Value { get; private set; } = [];

    public static DailySalt For(DateOnly day) => new() { Day = day, Value = RandomNumberGenerator.GetBytes(32) };
}

internal sealed class DailySaltConfiguration : IEntityTypeConfiguration<DailySalt>
{
    public void Configure(EntityTypeBuilder<DailySalt> builder)
    {
        builder.HasKey(s => s.Day);
        builder.Property(s => s.Day).ValueGeneratedNever();
        builder.Property(s => s.Value).HasMaxLength(32);
    }
}

/// <summary>The browser a request came from, as far as tracking reads it.</summary>
public sealed record TrackedBrowser(IPAddress Address, string UserAgent)
{
    /// <summary>The browser, or null when it asks not to be tracked (Do Not Track, Global Privacy Control).</summary>
    public static TrackedBrowser? Trackable(HttpContext context) =>
        context.Request.Headers["DNT"] == "1" || context.Request.Headers["Sec-GPC"] == "1"
            ? null
            : new(context.Connection.RemoteIpAddress ?? IPAddress.None, context.Request.Headers.UserAgent.ToString());
}

/// <summary>Today's salt, read or made once a day and kept in memory, and the hashes and truncations made with it.</summary>
public sealed class DailySalts(IServiceScopeFactory scopes, TimeProvider clock) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private DailySalt? _today;

    public void Dispose() => _gate.Dispose();

    public async ValueTask<byte[]> TodayAsync(CancellationToken cancellationToken)
    {
        var day = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        if (_today is { } known && known.Day == day)
        {
            return known.Value;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_today is not { } cached || cached.Day != day)
            {
                _today = await LoadOrCreateAsync(day, cancellationToken);
            }

            return _today.Value;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<DailySalt> LoadOrCreateAsync(DateOnly day, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        if (await db.DailySalts.AsNoTracking().FirstOrDefaultAsync(s => s.Day == day, cancellationToken) is { } stored)
        {
            return stored;
        }

        await db.DailySalts.Where(s => s.Day < day).ExecuteDeleteAsync(cancellationToken);
        db.DailySalts.Add(DailySalt.For(day));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another node made today's salt first: everyone uses that one.
            db.ChangeTracker.Clear();
        }

        return await db.DailySalts.AsNoTracking().FirstAsync(s => s.Day == day, cancellationToken);
    }

    /// <summary>
    /// The id a cookieless visitor has today: the inbox, the browser's address and its user agent, hashed with today's
    /// salt. The tracker's requests and the chat's come from the same browser, so both arrive at the same id.
    /// </summary>
    public async ValueTask<string> CookielessVisitorAsync(Guid inboxId, TrackedBrowser browser, CancellationToken cancellationToken) =>
        Hash(await TodayAsync(cancellationToken), "c_", inboxId.ToString(), browser.Address.ToString(), browser.UserAgent);

    /// <summary>A key made of the parts with today's salt: equal parts give the same key all day, and another the next day.</summary>
    public static string Hash(byte[] salt, string prefix, params ReadOnlySpan<string> parts)
    {
        var text = string.Join('\n', parts.ToArray());
        var hash = HMACSHA256.HashData(salt, Encoding.UTF8.GetBytes(text));
        return prefix + WebEncoders.Base64UrlEncode(hash, 0, 16);
    }

    /// <summary>The network part of an address: the last byte of IPv4 and the last 80 bits of IPv6 zeroed.</summary>
    public static string Truncate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var bytes = address.GetAddressBytes();
        var keep = address.AddressFamily == AddressFamily.InterNetwork ? 3 : 6;
        Array.Clear(bytes, keep, bytes.Length - keep);
        return new IPAddress(bytes).ToString();
    }
}
