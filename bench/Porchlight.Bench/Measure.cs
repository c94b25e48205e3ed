using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Porchlight.Bench;

/// <summary>Latencies of one run: sent items wait here until their receipt arrives, then count once.</summary>
public sealed class LatencyRecorder
{
    private readonly ConcurrentDictionary<string, long> _pending = new();
    // What arrived, and how: heard live, or read back after a reconnection (which may race the live copy of the same item).
    private readonly ConcurrentDictionary<string, Arrival> _received = new();
    private readonly ConcurrentBag<double> _milliseconds = [];
    private int _duplicates;
    private int _caughtUp;

    private enum Arrival
    {
        Live,
        ReadBack,
    }

    public int Sent { get; private set; }

    public int Pending => _pending.Count;

    /// <summary>Items heard live more than once.</summary>
    public int Duplicates => _duplicates;

    public int ReceivedCount => _milliseconds.Count;

    /// <summary>Items that arrived by being read back after a reconnection rather than live.</summary>
    public int CaughtUpCount => _caughtUp;

    /// <summary>Marks <paramref name="key"/> as sent at <paramref name="timestamp"/> (its scheduled time).</summary>
    public void Sending(string key, long timestamp)
    {
        _pending[key] = timestamp;
        Sent++;
    }

    /// <summary><paramref name="key"/> heard live.</summary>
    public void Received(string key)
    {
        if (Arrived(key, Arrival.Live))
        {
            return;
        }

        // Heard live after it was read back is the race above; heard live twice is a duplicate.
        if (!_received.TryUpdate(key, Arrival.Live, Arrival.ReadBack) && _received.ContainsKey(key))
        {
            Interlocked.Increment(ref _duplicates);
        }
    }

    /// <summary><paramref name="key"/> read back after a reconnection: timed like a delivery, once whichever way it came first.</summary>
    public void CaughtUp(string key)
    {
        if (Arrived(key, Arrival.ReadBack))
        {
            Interlocked.Increment(ref _caughtUp);
        }
    }

    private bool Arrived(string key, Arrival how)
    {
        var now = Stopwatch.GetTimestamp();
        if (!_pending.TryRemove(key, out var sentAt))
        {
            return false;
        }

        _milliseconds.Add(Stopwatch.GetElapsedTime(sentAt, now).TotalMilliseconds);
        _received[key] = how;
        return true;
    }

    /// <summary>The deliveries of this recorder and <paramref name="other"/> together, for one summary of both.</summary>
    public LatencyRecorder Merged(LatencyRecorder other)
    {
        var merged = new LatencyRecorder { Sent = Sent + other.Sent, _duplicates = _duplicates + other._duplicates, _caughtUp = _caughtUp + other._caughtUp };
        foreach (var (key, sentAt) in _pending.Concat(other._pending))
        {
            merged._pending[key] = sentAt;
        }

        foreach (var milliseconds in _milliseconds.Concat(other._milliseconds))
        {
            merged._milliseconds.Add(milliseconds);
        }

        return merged;
    }

    public double Percentile(double p)
    {
        var sorted = _milliseconds.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)];
    }

    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"p50 {Percentile(50):0.00} ms, p99 {Percentile(99):0.00} ms, received {ReceivedCount}/{Sent}, lost {Pending}, duplicated {Duplicates}");
}

/// <summary>Fires sends at a fixed rate (open loop: a slow answer does not delay the next send).</summary>
public static class OpenLoop
{
    public static async Task RunAsync(int ratePerSecond, TimeSpan duration, Func<int, long, Task> send)
    {
        var total = (int)(ratePerSecond * duration.TotalSeconds);
        var start = Stopwatch.GetTimestamp();
        var inFlight = new List<Task>(total);
        for (var i = 0; i < total; i++)
        {
            var due = start + (long)(i * (double)Stopwatch.Frequency / ratePerSecond);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(2))
            {
                await Task.Delay(wait);
            }

            // Timed from its due time, so a late send counts its lateness; but an early one from when it was
            // made: the loop sends what is due within 2 ms at once, and the timer can wake it up to a
            // millisecond early, so timing early sends from their due time would take that time off.
            inFlight.Add(send(i, Math.Min(due, Stopwatch.GetTimestamp())));
        }

        await Task.WhenAll(inFlight);
    }

    public static async Task DrainAsync(params LatencyRecorder[] recorders)
    {
        var deadline = Stopwatch.GetTimestamp() + 15 * Stopwatch.Frequency;
        while (recorders.Any(r => r.Pending > 0) && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(50);
        }

        // Late duplicates would arrive now.
        await Task.Delay(500);
    }
}

public static class ProcessMemory
{
    /// <summary>Resident memory of a process in bytes, from /proc.</summary>
    public static long ResidentBytes(int processId)
    {
        var line = File.ReadLines($"/proc/{processId}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}

/// <summary>Processor time the server process and the load generator spent between two points, per item.</summary>
public sealed class ProcessorTime(params int[] serverProcessIds)
{
    private readonly TimeSpan _serverStart = Of(serverProcessIds);
    private readonly TimeSpan _generatorStart = Process.GetCurrentProcess().TotalProcessorTime;

    public string PerItem(int items, string item) => string.Create(CultureInfo.InvariantCulture,
        $"CPU per {item}: server {(Of(serverProcessIds) - _serverStart).TotalMilliseconds / items:0.000} ms, load generator {(Process.GetCurrentProcess().TotalProcessorTime - _generatorStart).TotalMilliseconds / items:0.000} ms");

    /// <summary>The processor time the processes used so far, together.</summary>
    public static TimeSpan Of(int[] processIds) => processIds.Aggregate(TimeSpan.Zero, (sum, id) =>
    {
        using var process = Process.GetProcessById(id);
        return sum + process.TotalProcessorTime;
    });
}
