using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Email;

/// <summary>Which email inbox writes to a web-widget inbox's contacts by email; null for the server's system address.</summary>
public sealed record OfflineEmailRequest(Guid? EmailInboxId);

/// <summary>The email inbox chosen (its name and address), or nulls when the system address sends.</summary>
public sealed record OfflineEmailResponse(Guid? EmailInboxId, string? EmailInboxName, string? Address);

/// <summary>
/// Reads and sets the mailbox a web-widget inbox emails through: replies to what visitors left with the offline form,
/// and survey links. Through an email inbox, the customer's answer comes back into the same conversation.
/// </summary>
public sealed class OfflineEmailSettings(AppDbContext db)
{
    public async Task<Result<OfflineEmailResponse>> GetAsync(Guid inboxId, CancellationToken cancellationToken)
    {
        if (await WidgetInboxAsync(inboxId, cancellationToken) is { } refused)
        {
            return refused;
        }

        var chosen = await db.Inboxes.AsNoTracking().Where(i => i.Id == inboxId).Select(i => i.OfflineEmailInboxId).FirstAsync(cancellationToken);
        return await ResponseAsync(chosen, cancellationToken);
    }

    public async Task<Result<OfflineEmailResponse>> SaveAsync(Guid inboxId, OfflineEmailRequest request, CancellationToken cancellationToken)
    {
        if (await WidgetInboxAsync(inboxId, cancellationToken) is { } refused)
        {
            return refused;
        }

        if (request.EmailInboxId is { } emailInboxId && !await db.Inboxes.AnyAsync(i => i.Id == emailInboxId && i.Channel == InboxChannel.Email, cancellationToken))
        {
            return Failure.Invalid("emailInboxId", "No email inbox of this workspace has this id.");
        }

        var inbox = await db.Inboxes.FirstAsync(i => i.Id == inboxId, cancellationToken);
        inbox.SendOfflineEmailThrough(request.EmailInboxId);
        await db.SaveChangesAsync(cancellationToken);
        return await ResponseAsync(request.EmailInboxId, cancellationToken);
    }

    private Task<Failure?> WidgetInboxAsync(Guid inboxId, CancellationToken cancellationToken) =>
        InboxRules.RequireChannelAsync(db, inboxId, InboxChannel.WebWidget, "Only web widget inboxes have an offline form to answer by email.", cancellationToken);

    private async Task<OfflineEmailResponse> ResponseAsync(Guid? emailInboxId, CancellationToken cancellationToken)
    {
        if (emailInboxId is not { } id)
        {
            return new OfflineEmailResponse(null, null, null);
        }

        var name = await db.Inboxes.AsNoTracking().Where(i => i.Id == id).Select(i => i.Name).FirstAsync(cancellationToken);
        var address = await db.EmailChannels.AsNoTracking().Where(c => c.InboxId == id).Select(c => c.Address).FirstOrDefaultAsync(cancellationToken);
        return new OfflineEmailResponse(id, name, address);
    }
}
