using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Inboxes;

public sealed record UpdateInboxRequest(string? Name, WidgetSettingsDto? Widget, bool? RequireIdentityVerification = null, Tracking.TrackingSettingsDto? Tracking = null);

public sealed class UpdateInbox(AppDbContext db, PublicUrls urls, Tracking.TrackingSites trackingSites)
{
    public async Task<Result<InboxResponse>> HandleAsync(Guid inboxId, UpdateInboxRequest request, CancellationToken cancellationToken)
    {
        var inbox = await db.Inboxes.FirstOrDefaultAsync(i => i.Id == inboxId, cancellationToken);
        if (inbox is null)
        {
            return Failure.NotFound("Inbox");
        }

        var errors = new FieldErrors().Required("name", request.Name, Inbox.MaxNameLength);
        var widget = InboxRules.Widget(request.Widget, inbox.Widget, errors);
        var preChatForm = InboxRules.PreChat(request.Widget?.PreChatForm, inbox.PreChatForm, errors);
        InboxRules.IdentityVerification(request.RequireIdentityVerification, inbox.Channel, errors);
        var tracking = InboxRules.Tracking(request.Tracking, inbox.Tracking, inbox.Channel, errors);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        if (await InboxRules.NameTakenAsync(db, request.Name!, inboxId, cancellationToken))
        {
            return InboxRules.DuplicateName;
        }

        inbox.Change(request.Name!, widget, preChatForm, tracking, request.RequireIdentityVerification ?? inbox.RequireIdentityVerification);
        if (await InboxRules.SaveAsync(db, request.Name!, inboxId, cancellationToken) is { } raced)
        {
            return raced;
        }

        trackingSites.Forget(inbox.PublicToken, inbox.Id);
        return InboxResponse.From(inbox, urls);
    }
}
