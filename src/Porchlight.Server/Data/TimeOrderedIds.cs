using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Porchlight.Server.Data;

/// <summary>
/// Version 7 UUIDs that strictly increase within this process, so ordering rows by id is ordering them by creation.
/// </summary>
/// <remarks>
/// <see cref="Guid.CreateVersion7()"/> fills everything after the millisecond with random bits, so two ids made in the
/// same millisecond come out in either order, and a list "in creation order" was sometimes not. Here, an id made in
/// the same millisecond as the previous one (or with a clock that stepped back) counts up from it instead: the
/// 74 bits after the timestamp work as a counter seeded at random (RFC 9562, section 6.2, method 2). Ids from
/// different nodes are ordered only to the millisecond.
/// </remarks>
public static class TimeOrderedIds
{
    private const int CounterBits = 74; // 12 bits rand_a and 62 bits rand_b
    private static readonly UInt128 CounterLimit = UInt128.One << CounterBits;
    private static readonly Lock Gate = new();
    private static long _lastMilliseconds;
    private static UInt128 _lastCounter;

    // Random bytes drawn from the system's generator a page at a time: one draw per id cost a few percent of the
    // tracking endpoint's processor time. Per thread, so no lock; the bytes are as unpredictable either way.
    [ThreadStatic]
    private static byte[]? _random;

    [ThreadStatic]
    private static int _randomUsed;

    public static Guid Next()
    {
        var milliseconds = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var counter = RandomCounter();
        lock (Gate)
        {
            if (milliseconds < _lastMilliseconds || (milliseconds == _lastMilliseconds && counter <= _lastCounter))
            {
                (milliseconds, counter) = (_lastMilliseconds, _lastCounter + 1);
                if (counter == CounterLimit)
                {
                    (milliseconds, counter) = (milliseconds + 1, UInt128.Zero);
                }
            }

            (_lastMilliseconds, _lastCounter) = (milliseconds, counter);
        }

        return Compose(milliseconds, counter);
    }

    private static UInt128 RandomCounter()
    {
        if (_random is null || _randomUsed == _random.Length)
        {
            _random ??= new byte[4096];
            RandomNumberGenerator.Fill(_random);
            _randomUsed = 0;
        }

        var random = _random.AsSpan(_randomUsed, 16);
        _randomUsed += 16;
        // The top bit stays clear, so the counter has room to count up before it carries into the timestamp.
        return BinaryPrimitives.ReadUInt128BigEndian(random) & ((UInt128.One << (CounterBits - 1)) - 1);
    }

    private static Guid Compose(long milliseconds, UInt128 counter)
    {
        var randA = (ulong)(counter >> 62) & 0xFFF;
        var randB = (ulong)(counter & ((UInt128.One << 62) - 1));
        var value = ((UInt128)(ulong)milliseconds << 80) | ((UInt128)0x7 << 76) | ((UInt128)randA << 64) | ((UInt128)0b10 << 62) | randB;
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new Guid(bytes, bigEndian: true);
    }
}
