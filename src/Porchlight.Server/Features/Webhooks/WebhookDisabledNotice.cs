using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Email;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Webhooks;

/// <summary>
/// Tells the workspace's Owners and Admins by email that Porchlight switched a webhook off, with why and what to do.
/// The settings page says it too, for as long as it stays off. Runs from the outbox: a failed send is retried.
/// </summary>
public sealed class WebhookDisabledNotice(
    AppDbContext db, SmtpMailer mailer, IOptions<SmtpOptions> smtp, PublicUrls urls, ILogger<WebhookDisabledNotice> logger)
    : IDomainEventHandler<WebhookDisabled>
{
    public async Task HandleAsync(WebhookDisabled disabled, CancellationToken cancellationToken)
    {
        logger.LogWarning("Webhook {SubscriptionId} ({Url}) was switched off: {Reason}", disabled.SubscriptionId, disabled.Url, disabled.Reason);
        if (!smtp.Value.IsConfigured)
        {
            return;
        }

        var workspace = await db.Workspaces.AsNoTracking().Select(w => w.Name).SingleAsync(cancellationToken);
        var name = disabled.Description.Length > 0 ? $"{disabled.Description} ({disabled.Url})" : disabled.Url;
        var text = $"""
            Porchlight switched off the webhook {name} in {workspace}: its receiver has accepted nothing for too long.

            {disabled.Reason}

            Events from now on are not sent to it, and deliveries not yet accepted wait. When the receiver works again,
            switch the webhook on at {urls.To("settings/webhooks")}: the waiting deliveries go out, and those that gave up
            can be sent again from its log.
            """;
        foreach (var admin in await AgentsAllowed.ToAsync(db.Agents.Where(a => a.Email != null), Permission.ManageWorkspace, cancellationToken))
        {
            await mailer.SendAsync(admin.Email!, $"[{workspace}] Webhook switched off: {name}", text, cancellationToken);
        }
    }
}
