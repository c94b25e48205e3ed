using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Webhooks;

/// <summary>
/// Sends due deliveries until their receivers accept them: at least once, signed, retried with exponential backoff
/// and jitter, then dead. Each delivery is claimed with a lease by a conditional update, as outbox messages are, so
/// with several nodes one node sends it and a node that dies mid-send leaves it to another once the lease ends.
/// Deliveries go side by side (<see cref="WebhookOptions.Parallelism"/>): a slow receiver holds up only its own.
/// </summary>
public sealed class WebhookSender(
    IServiceScopeFactory scopes,
    IHttpClientFactory httpClients,
    WebhookSecrets secrets,
    TimeProvider clock,
    IOptions<WebhookOptions> options,
    PorchlightMetrics metrics,
    ILogger<WebhookSender> logger) : BackgroundService
{
    public const string HttpClientName = "webhooks";
    public const string IdHeader = "Porchlight-Webhook-Id";
    public const string EventHeader = "Porchlight-Webhook-Event";
    public const string TimestampHeader = "Porchlight-Webhook-Timestamp";
    public const string SignatureHeader = "Porchlight-Webhook-Signature";

    private readonly string _node = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..12]}";
    // Deliveries are an outbox of their own: the same collapsing wake-up as the domain events', a separate instance.
    private readonly OutboxSignal _wake = new();
    private readonly WebhookOptions _options = options.Value;
    private DateTime _nextProbeLook;

    /// <summary>Deliveries were committed: look for them now rather than at the next poll.</summary>
    public void Notify() => _wake.Notify();

    /// <summary>The signature a receiver recomputes: lowercase hex HMAC-SHA256 of <c>timestamp + "." + body</c> with the subscription's secret.</summary>
    public static string Sign(string secret, long timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await SendDueAsync(stoppingToken) > 0)
                {
                }

                await _wake.WaitAsync(_options.PollInterval, clock, stoppingToken);
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "Webhook pass failed; retrying in {Delay}", _options.PollInterval);
                try
                {
                    await Task.Delay(_options.PollInterval, clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Claims the due deliveries (a batch) and sends them; answers how many it claimed.</summary>
    public async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        List<Attempt> claimed;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var now = Now();
            var batch = _options.Parallelism * 4;
            // Due, not being sent, its webhook on, and first in line of what it is about: a receiver gets the
            // deliveries of one conversation one at a time, in the order they were written (ids increase).
            var due = await db.WebhookDeliveries.IgnoreQueryFilters()
                .Where(d => d.State == WebhookDeliveryState.Pending && d.NextAttemptAt <= now && (d.LockedUntil == null || d.LockedUntil < now)
                    && db.WebhookSubscriptions.Any(s => s.Id == d.SubscriptionId && s.IsActive)
                    && (d.OrderingKey == Guid.Empty || !db.WebhookDeliveries.Any(e => e.SubscriptionId == d.SubscriptionId
                        && e.OrderingKey == d.OrderingKey && e.State == WebhookDeliveryState.Pending && e.Id < d.Id)))
                .OrderBy(d => d.NextAttemptAt).Select(d => d.Id).Take(batch).ToListAsync(cancellationToken);
            // Probes are looked for once a poll interval, not on every pass: a busy, healthy sender makes hundreds a second.
            List<Guid> probes = [];
            if (now >= _nextProbeLook)
            {
                _nextProbeLook = now + _options.PollInterval;
                probes = await ProbesAsync(db, now, cancellationToken);
            }

            due.AddRange(probes);
            if (due.Count == 0)
            {
                return 0;
            }

            // One conditional update claims the batch; its lease outlasts sending all of it, a few at a time, each
            // within the timeout. Another node's claim of some of them in between leaves those out of ours.
            var leaseEnd = now + (_options.Timeout * ((due.Count / _options.Parallelism) + 2));
            await db.WebhookDeliveries.IgnoreQueryFilters()
                .Where(d => due.Contains(d.Id) && d.State == WebhookDeliveryState.Pending && (d.LockedUntil == null || d.LockedUntil < now))
                .ExecuteUpdateAsync(set => set.SetProperty(d => d.LockedUntil, leaseEnd).SetProperty(d => d.LockedBy, _node), cancellationToken);
            var deliveries = await db.WebhookDeliveries.IgnoreQueryFilters().AsNoTracking()
                .Where(d => due.Contains(d.Id) && d.LockedBy == _node && d.LockedUntil == leaseEnd)
                .ToListAsync(cancellationToken);
            var subscriptionIds = deliveries.Select(d => d.SubscriptionId).Distinct().ToList();
            var subscriptions = await db.WebhookSubscriptions.IgnoreQueryFilters().AsNoTracking()
                .Where(s => subscriptionIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, cancellationToken);
            claimed = [.. deliveries.OrderBy(d => d.NextAttemptAt).Select(d => new Attempt(d, subscriptions[d.SubscriptionId], IsProbe: probes.Contains(d.Id)))];
        }

        await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = _options.Parallelism, CancellationToken = cancellationToken },
            (each, ct) => SendAsync(each, ct));
        return claimed.Count;
    }

    /// <summary>
    /// For each failing receiver not tried for <see cref="WebhookOptions.ProbeInterval"/>, its oldest waiting delivery
    /// (first in line of its conversation, as the oldest of all is) when it is not due yet.
    /// </summary>
    private async Task<List<Guid>> ProbesAsync(AppDbContext db, DateTime now, CancellationToken cancellationToken)
    {
        var untriedSince = now - _options.ProbeInterval;
        var oldest = await db.WebhookSubscriptions.IgnoreQueryFilters()
            .Where(s => s.IsActive && s.FailingSince != null && s.LastFailedAt < untriedSince)
            .Select(s => db.WebhookDeliveries.Where(d => d.SubscriptionId == s.Id && d.State == WebhookDeliveryState.Pending)
                .OrderBy(d => d.Id).Select(d => new { d.Id, d.NextAttemptAt, d.LockedUntil }).FirstOrDefault())
            .ToListAsync(cancellationToken);
        return [.. oldest.Where(d => d is not null && d.NextAttemptAt > now && (d.LockedUntil is null || d.LockedUntil < now)).Select(d => d!.Id)];
    }

    private async ValueTask SendAsync(Attempt attempt, CancellationToken cancellationToken)
    {
        var (delivery, subscription, _) = attempt;
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url)
        {
            Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(IdHeader, delivery.Id.ToString());
        request.Headers.Add(EventHeader, delivery.Event);
        request.Headers.Add(TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(SignatureHeader, "v1=" + Sign(secrets.Reveal(subscription.ProtectedSecret), timestamp, delivery.Payload));

        var started = Stopwatch.GetTimestamp();
        int? status = null;
        string? error = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.Timeout);
            // Headers only: the receiver's body is never read, so its size cannot matter.
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            status = (int)response.StatusCode;
            error = response.IsSuccessStatusCode ? null : $"The receiver answered {status} {response.ReasonPhrase}.";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            error = $"No answer within {_options.Timeout.TotalSeconds:0} s.";
        }
        catch (HttpRequestException exception)
        {
            error = exception.InnerException is WebhookRefusedException refused ? refused.Message : exception.Message;
        }

        var elapsed = (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        await using var scope = scopes.CreateAsyncScope();
        await SettleAsync(scope.ServiceProvider.GetRequiredService<AppDbContext>(), attempt, status, error, elapsed);
    }

    private async Task SettleAsync(AppDbContext db, Attempt attempt, int? status, string? error, int elapsedMs)
    {
        var (delivery, subscription, isProbe) = attempt;
        var now = Now();
        // A probe that fails leaves the delivery as it was (its attempts and back-off); only the log shows it.
        var counted = !isProbe || error is null;
        var attempts = counted ? delivery.Attempts + 1 : delivery.Attempts;
        var state = error is null ? WebhookDeliveryState.Delivered : attempts >= _options.MaxAttempts ? WebhookDeliveryState.Dead : WebhookDeliveryState.Pending;
        metrics.WebhookAttempts.Add(1, new KeyValuePair<string, object?>("outcome", state switch
        {
            WebhookDeliveryState.Delivered => "delivered",
            WebhookDeliveryState.Dead => "dead",
            _ => "failed",
        }));
        if (state == WebhookDeliveryState.Dead)
        {
            logger.LogWarning("Webhook delivery {DeliveryId} gave up after {Attempts} attempts: {Error}", delivery.Id, attempts, error);
        }

        var next = state != WebhookDeliveryState.Pending ? now : counted ? now + RetryDelay(attempts) : delivery.NextAttemptAt;
        var lastError = error is { Length: > WebhookDelivery.MaxErrorLength } ? error[..WebhookDelivery.MaxErrorLength] : error;
        // Only the node holding the lease settles the delivery; the attempt is recorded even when this node is stopping.
        var settled = await db.WebhookDeliveries.IgnoreQueryFilters()
            .Where(d => d.Id == delivery.Id && d.LockedBy == _node)
            .ExecuteUpdateAsync(set => set
                .SetProperty(d => d.State, state)
                .SetProperty(d => d.Attempts, attempts)
                .SetProperty(d => d.NextAttemptAt, next)
                .SetProperty(d => d.LastAttemptAt, now)
                .SetProperty(d => d.LastStatusCode, status)
                .SetProperty(d => d.LastError, lastError)
                .SetProperty(d => d.LastDurationMs, elapsedMs)
                .SetProperty(d => d.DeliveredAt, state == WebhookDeliveryState.Delivered ? now : null)
                .SetProperty(d => d.LockedUntil, (DateTime?)null)
                .SetProperty(d => d.LockedBy, (string?)null),
                CancellationToken.None);
        // The streak is looked at only when it may change (as read before the attempt), so a healthy receiver costs
        // no write beyond its deliveries'.
        if (settled == 1 && error is null && subscription.FailingSince is not null)
        {
            await ReceiverAcceptedAsync(db, subscription.Id, now);
        }
        else if (settled == 1 && error is not null)
        {
            await ReceiverFailedAsync(db, subscription, now, error);
        }
    }

    /// <summary>
    /// The receiver accepts again after failing: its failing streak ends, and what waits for a retry goes now rather
    /// than at its backed-off time, so a receiver back from an outage gets its backlog at once.
    /// </summary>
    private async Task ReceiverAcceptedAsync(AppDbContext db, Guid subscriptionId, DateTime now)
    {
        var recovered = await db.WebhookSubscriptions.IgnoreQueryFilters()
            .Where(s => s.Id == subscriptionId && s.FailingSince != null)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.FailingSince, (DateTime?)null), CancellationToken.None);
        if (recovered == 1)
        {
            await db.WebhookDeliveries.IgnoreQueryFilters()
                .Where(d => d.SubscriptionId == subscriptionId && d.State == WebhookDeliveryState.Pending && d.NextAttemptAt > now)
                .ExecuteUpdateAsync(set => set.SetProperty(d => d.NextAttemptAt, now), CancellationToken.None);
            Notify();
        }
    }

    /// <summary>Starts the receiver's failing streak, or ends the webhook's patience once the streak is <see cref="WebhookOptions.DisableAfter"/> long.</summary>
    private async Task ReceiverFailedAsync(AppDbContext db, WebhookSubscription before, DateTime now, string error)
    {
        await db.WebhookSubscriptions.IgnoreQueryFilters()
            .Where(s => s.Id == before.Id)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.FailingSince, s => s.FailingSince ?? now).SetProperty(s => s.LastFailedAt, now), CancellationToken.None);
        if (before.FailingSince is null)
        {
            return;
        }

        if (now - before.FailingSince < _options.DisableAfter
            || await db.WebhookSubscriptions.IgnoreQueryFilters().FirstOrDefaultAsync(s => s.Id == before.Id, CancellationToken.None) is not { IsActive: true, FailingSince: { } since } subscription
            || now - since < _options.DisableAfter)
        {
            return;
        }

        subscription.DisableForFailing(now, error);
        try
        {
            await db.SaveChangesAsync(CancellationToken.None);
            logger.LogWarning("Webhook {SubscriptionId} switched off: every attempt failed since {Since}", subscription.Id, since);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another send switched it off (or a person changed it) a moment before: theirs stands, with its one notice.
        }
    }

    // Doubling from the first delay up to the cap, then a fifth either way, so receivers that failed together are not all retried at the same moment.
    private TimeSpan RetryDelay(int attempts)
    {
        var doubled = Math.Min(_options.MaxRetryDelay.Ticks, _options.RetryDelay.Ticks * (1L << Math.Min(attempts - 1, 30)));
        return TimeSpan.FromTicks((long)(doubled * (0.8 + (Random.Shared.NextDouble() * 0.4))));
    }

    private DateTime Now() => clock.GetUtcNow().UtcDateTime;

    /// <summary>A claimed delivery with its webhook; a probe is tried before it is due because its receiver has been failing and untried.</summary>
    private sealed record Attempt(WebhookDelivery Delivery, WebhookSubscription Subscription, bool IsProbe);
}
