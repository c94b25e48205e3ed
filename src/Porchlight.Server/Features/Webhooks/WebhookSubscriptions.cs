using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Webhooks;

/// <summary>
/// A subscription as saved. <c>events</c> are names from <see cref="WebhookEvents"/>; <c>isActive</c> defaults to true;
/// <c>inboxIds</c>: only conversations of these inboxes are reported (none or left out: every inbox).
/// </summary>
public sealed record WebhookSubscriptionRequest(string? Url, string? Description, List<string>? Events, bool? IsActive, List<Guid>? InboxIds = null);

/// <summary>
/// A subscription; <c>secret</c> is only there in the answer that created or replaced it, once. <c>failingSince</c>:
/// every attempt since then failed; <c>disabledAt</c> and <c>disabledReason</c>: Porchlight switched it off for that.
/// </summary>
public sealed record WebhookSubscriptionResponse(
    Guid Id, string Url, string Description, IReadOnlyList<string> Events, IReadOnlyList<Guid> InboxIds, bool IsActive, DateTime CreatedAt,
    DateTime? FailingSince, DateTime? DisabledAt, string? DisabledReason, string? Secret = null)
{
    public static WebhookSubscriptionResponse From(WebhookSubscription s, string? secret = null) =>
        new(s.Id, s.Url, s.Description, s.Events, s.InboxIds, s.IsActive, s.CreatedAt, s.FailingSince, s.DisabledAt, s.DisabledReason, secret);
}

/// <summary>
/// Which deliveries to send again: the listed ids (at most <see cref="WebhookSubscriptions.MaxReplay"/>), or with
/// <c>allDead</c> every one that gave up, created at or after <c>since</c> when given.
/// </summary>
public sealed record ReplayDeliveriesRequest(List<Guid>? DeliveryIds, bool? AllDead, DateTime? Since);

public sealed record ReplayDeliveriesResponse(int Replayed);

/// <summary>One delivery in a subscription's log: what was sent, how it went, and when it is tried next.</summary>
public sealed record WebhookDeliveryResponse(
    Guid Id, string Event, WebhookDeliveryState State, int Attempts, DateTime CreatedAt, DateTime? LastAttemptAt, int? LastStatusCode,
    string? LastError, int? LastDurationMs, DateTime? DeliveredAt, DateTime? NextAttemptAt, string Payload)
{
    public static WebhookDeliveryResponse From(WebhookDelivery d) => new(
        d.Id, d.Event, d.State, d.Attempts, d.CreatedAt, d.LastAttemptAt, d.LastStatusCode, d.LastError, d.LastDurationMs, d.DeliveredAt,
        d.State == WebhookDeliveryState.Pending ? d.NextAttemptAt : null, d.Payload);
}

/// <summary>The workspace's webhook subscriptions and their delivery logs.</summary>
public sealed class WebhookSubscriptions(AppDbContext db, ActingAgent actor, WebhookTargets targets, WebhookSecrets secrets, WebhookSender sender, TimeProvider clock)
{
    public const int LogPageSize = 100;
    public const int MaxReplay = 1000;

    public async Task<List<WebhookSubscriptionResponse>> ListAsync(CancellationToken cancellationToken) =>
        (await db.WebhookSubscriptions.AsNoTracking().OrderBy(s => s.CreatedAt).ToListAsync(cancellationToken)).ConvertAll(s => WebhookSubscriptionResponse.From(s));

    public async Task<Result<WebhookSubscriptionResponse>> GetAsync(Guid subscriptionId, CancellationToken cancellationToken) =>
        await db.WebhookSubscriptions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == subscriptionId, cancellationToken) is { } subscription
            ? WebhookSubscriptionResponse.From(subscription)
            : Failure.NotFound("The webhook");

    /// <summary>Creates the subscription with a new secret, shown in this answer only.</summary>
    public async Task<Result<WebhookSubscriptionResponse>> CreateAsync(WebhookSubscriptionRequest request, CancellationToken cancellationToken)
    {
        if (await db.WebhookSubscriptions.CountAsync(cancellationToken) >= WebhookSubscription.MaxSubscriptions)
        {
            return Failure.Conflict($"A workspace has at most {WebhookSubscription.MaxSubscriptions} webhooks.");
        }

        var (secret, protectedSecret) = secrets.Generate();
        var subscription = WebhookSubscription.Create(actor.WorkspaceId, protectedSecret, clock.GetUtcNow().UtcDateTime);
        if (await ApplyAsync(subscription, request, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        db.WebhookSubscriptions.Add(subscription);
        await db.SaveChangesAsync(cancellationToken);
        return WebhookSubscriptionResponse.From(subscription, secret);
    }

    public async Task<Result<WebhookSubscriptionResponse>> UpdateAsync(Guid subscriptionId, WebhookSubscriptionRequest request, CancellationToken cancellationToken)
    {
        if (await db.WebhookSubscriptions.FirstOrDefaultAsync(s => s.Id == subscriptionId, cancellationToken) is not { } subscription)
        {
            return Failure.NotFound("The webhook");
        }

        if (await ApplyAsync(subscription, request, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        await db.SaveChangesAsync(cancellationToken);
        return WebhookSubscriptionResponse.From(subscription);
    }

    /// <summary>Replaces the secret (shown in this answer only); deliveries from now on are signed with the new one.</summary>
    public async Task<Result<WebhookSubscriptionResponse>> ReplaceSecretAsync(Guid subscriptionId, CancellationToken cancellationToken)
    {
        if (await db.WebhookSubscriptions.FirstOrDefaultAsync(s => s.Id == subscriptionId, cancellationToken) is not { } subscription)
        {
            return Failure.NotFound("The webhook");
        }

        var (secret, protectedSecret) = secrets.Generate();
        subscription.ReplaceSecret(protectedSecret);
        await db.SaveChangesAsync(cancellationToken);
        return WebhookSubscriptionResponse.From(subscription, secret);
    }

    /// <summary>Deletes the subscription with its delivery log; deliveries not yet sent are not sent.</summary>
    public async Task<Result<Done>> DeleteAsync(Guid subscriptionId, CancellationToken cancellationToken)
    {
        if (await db.WebhookSubscriptions.FirstOrDefaultAsync(s => s.Id == subscriptionId, cancellationToken) is not { } subscription)
        {
            return Failure.NotFound("The webhook");
        }

        db.WebhookSubscriptions.Remove(subscription);
        await db.SaveChangesAsync(cancellationToken);
        return new Done();
    }

    /// <summary>The subscription's deliveries, newest first, <see cref="LogPageSize"/> at a time (<paramref name="before"/>: the last id of the previous page).</summary>
    public async Task<Result<List<WebhookDeliveryResponse>>> DeliveriesAsync(Guid subscriptionId, Guid? before, CancellationToken cancellationToken)
    {
        if (!await db.WebhookSubscriptions.AnyAsync(s => s.Id == subscriptionId, cancellationToken))
        {
            return Failure.NotFound("The webhook");
        }

        var page = await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.SubscriptionId == subscriptionId && (before == null || d.Id < before))
            .OrderByDescending(d => d.Id).Take(LogPageSize).ToListAsync(cancellationToken);
        return page.ConvertAll(WebhookDeliveryResponse.From);
    }

    /// <summary>
    /// Sends a delivery again, with the same id and body (the receiver deduplicates by the id): one more attempt
    /// now, then the usual retries if it fails. A delivery being sent at this moment is left to finish.
    /// </summary>
    public async Task<Result<WebhookDeliveryResponse>> ReplayAsync(Guid subscriptionId, Guid deliveryId, CancellationToken cancellationToken)
    {
        var replayed = await ReplayWhereAsync(db.WebhookDeliveries.Where(d => d.Id == deliveryId && d.SubscriptionId == subscriptionId), cancellationToken);
        if (await db.WebhookDeliveries.AsNoTracking().FirstOrDefaultAsync(d => d.Id == deliveryId && d.SubscriptionId == subscriptionId, cancellationToken) is not { } delivery)
        {
            return Failure.NotFound("The delivery");
        }

        return replayed == 0
            ? Failure.Conflict("The delivery is being sent right now; its outcome will be in the log in a moment.")
            : WebhookDeliveryResponse.From(delivery);
    }

    /// <summary>
    /// Sends many deliveries again, as <see cref="ReplayAsync"/> does one: those listed, or all in a state (after the
    /// receiver was fixed: every dead one since the outage began). Those being sent at this moment are left to finish.
    /// </summary>
    public async Task<Result<ReplayDeliveriesResponse>> ReplayManyAsync(Guid subscriptionId, ReplayDeliveriesRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var allDead = request.AllDead == true;
        if ((request.DeliveryIds is null) != allDead)
        {
            errors.Add("deliveryIds", "Either deliveryIds or allDead, not both.");
        }
        else if (request.DeliveryIds is { Count: 0 or > MaxReplay })
        {
            errors.Add("deliveryIds", $"Between 1 and {MaxReplay} ids.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        if (!await db.WebhookSubscriptions.AnyAsync(s => s.Id == subscriptionId, cancellationToken))
        {
            return Failure.NotFound("The webhook");
        }

        var chosen = db.WebhookDeliveries.Where(d => d.SubscriptionId == subscriptionId);
        if (request.DeliveryIds is { } ids)
        {
            chosen = chosen.Where(d => ids.Contains(d.Id));
        }
        else
        {
            chosen = chosen.Where(d => d.State == WebhookDeliveryState.Dead);
            if (request.Since is { } since)
            {
                chosen = chosen.Where(d => d.CreatedAt >= since);
            }
        }

        return new ReplayDeliveriesResponse(await ReplayWhereAsync(chosen, cancellationToken));
    }

    // Same ids and bodies (the receiver deduplicates by the id): one more attempt now, then the usual retries; a dead one gets its full round again.
    private async Task<int> ReplayWhereAsync(IQueryable<WebhookDelivery> deliveries, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var replayed = await deliveries
            .Where(d => d.LockedUntil == null || d.LockedUntil < now)
            .ExecuteUpdateAsync(set => set
                .SetProperty(d => d.State, WebhookDeliveryState.Pending)
                .SetProperty(d => d.NextAttemptAt, now)
                .SetProperty(d => d.Attempts, d => d.State == WebhookDeliveryState.Pending ? d.Attempts : 0), cancellationToken);
        if (replayed > 0)
        {
            sender.Notify();
        }

        return replayed;
    }

    private async Task<Failure?> ApplyAsync(WebhookSubscription subscription, WebhookSubscriptionRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().MaxLength("description", request.Description, WebhookSubscription.MaxDescriptionLength);
        if (await targets.ProblemWithAsync(request.Url?.Trim(), cancellationToken) is { } problem)
        {
            errors.Add("url", problem);
        }

        if (request.Events is null || request.Events.Count == 0)
        {
            errors.Add("events", $"At least one of {string.Join(", ", WebhookEvents.All)}.");
        }
        else
        {
            for (var i = 0; i < request.Events.Count; i++)
            {
                if (!WebhookEvents.All.Contains(request.Events[i]))
                {
                    errors.Add($"events[{i}]", $"One of {string.Join(", ", WebhookEvents.All)}.");
                }
            }
        }

        var inboxIds = request.InboxIds?.Distinct().ToList() ?? [];
        if (inboxIds.Count > WebhookSubscription.MaxInboxes)
        {
            errors.Add("inboxIds", $"At most {WebhookSubscription.MaxInboxes} inboxes.");
        }
        else if (inboxIds.Count > 0 && await db.Inboxes.CountAsync(i => inboxIds.Contains(i.Id), cancellationToken) != inboxIds.Count)
        {
            errors.Add("inboxIds", "Each id must be an inbox of this workspace.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        subscription.Change(request.Url!.Trim(), request.Description?.Trim() ?? "", request.Events!, inboxIds, request.IsActive ?? true);
        return null;
    }
}
