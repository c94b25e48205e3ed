using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Inboxes;

public sealed record CreateInboxRequest(string? Name, InboxChannel? Channel, WidgetSettingsDto? Widget, bool? RequireIdentityVerification = null, Tracking.TrackingSettingsDto? Tracking = null);

public sealed class CreateInbox(AppDbContext db, ActingAgent actor, TimeProvider clock, PublicUrls urls, IdentitySecrets secrets)
{
    public async Task<Result<InboxResponse>> HandleAsync(CreateInboxRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().Required("name", request.Name, Inbox.MaxNameLength);
        if (request.Channel is not { } channel || !Enum.IsDefined(channel))
        {
            errors.Add("channel", "One of WebWidget, Api, Email.");
        }

        var widget = InboxRules.Widget(request.Widget, WidgetSettings.Default, errors);
        var preChatForm = InboxRules.PreChat(request.Widget?.PreChatForm, PreChatForm.Default, errors);
        InboxRules.IdentityVerification(request.RequireIdentityVerification, request.Channel, errors);
        var tracking = InboxRules.Tracking(request.Tracking, Tracking.TrackingSettings.Default, request.Channel, errors);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        if (await InboxRules.NameTakenAsync(db, request.Name!, null, cancellationToken))
        {
            return InboxRules.DuplicateName;
        }

        var inbox = Inbox.Create(
            actor.WorkspaceId, request.Name!, request.Channel!.Value, widget, request.RequireIdentityVerification ?? false,
            secrets.Generate().Protected, clock.GetUtcNow().UtcDateTime, preChatForm, tracking);
        db.Inboxes.Add(inbox);
        if (await InboxRules.SaveAsync(db, request.Name!, null, cancellationToken) is { } raced)
        {
            return raced;
        }

        return InboxResponse.From(inbox, urls);
    }
}
