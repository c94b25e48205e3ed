namespace Porchlight.Server.Tests.Infrastructure;

/// <summary>
/// The system clock moved forward by however much a test says, for rules about elapsed time (edit
/// windows) without waiting. Timers still run on real time, so background work keeps going.
/// </summary>
public sealed class ShiftedClock : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));
}
