namespace Porchlight.Server.Hosting;

/// <summary>The loop of a scheduled job: one pass per tick of the interval, a failed pass logged and retried on the next tick.</summary>
public static class PeriodicJob
{
    public static async Task RunAsync(
        TimeSpan interval, TimeProvider clock, ILogger logger, string what, Func<CancellationToken, Task> pass, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await pass(stoppingToken);
            }
#pragma warning disable CA1031 // One failed pass must not stop the job; the next tick tries again.
            // A pass cancelled by anything but the job's stopping (a driver's own timeout, say) is a failed pass too:
            // ending the job with it would stop the whole host (BackgroundServiceExceptionBehavior.StopHost).
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                logger.LogWarning(e, "{Job} failed; trying again on the next tick.", what);
            }
        }
    }
}
