using System.Diagnostics;

namespace Porchlight.Server.Tests.Hosting;

/// <summary>
/// Bounded waits for effects that happen after a response returned (an outbox dispatch, a metrics
/// export). The bound only keeps a broken build from hanging; it is not a performance claim.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Reads until what it reads meets <paramref name="condition"/>, and answers that reading.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string what, TimeSpan? timeout = null)
    {
        var last = default(T)!;
        await WaitUntilAsync(async () => condition(last = await read()), what, timeout);
        return last;
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        var limit = timeout ?? DefaultTimeout;
        while (!await condition())
        {
            if (clock.Elapsed > limit)
            {
                Assert.Fail($"Gave up after {limit.TotalSeconds:0} s waiting until {what}.");
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    public static Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        WaitUntilAsync(() => Task.FromResult(condition()), what, timeout);
}
