using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Inboxes;

public sealed record WidgetSettingsDto(string? Color, WidgetPosition? Position, string? Greeting, string? WelcomeText);

public sealed record InboxResponse(
    Guid Id, string Name, InboxChannel Channel, string PublicToken, WidgetSettings? Widget, string? EmbedSnippet, DateTime CreatedAt)
{
    public static InboxResponse From(Inbox inbox, PublicUrls urls) => new(
        inbox.Id,
        inbox.Name,
        inbox.Channel,
        inbox.PublicToken,
        inbox.Channel == InboxChannel.WebWidget ? inbox.Widget : null,
        inbox.Channel == InboxChannel.WebWidget ? WidgetEmbed.For(inbox, urls) : null,
        inbox.CreatedAt);
}

public sealed record CreateInboxRequest(string? Name, InboxChannel? Channel, WidgetSettingsDto? Widget);

public sealed record UpdateInboxRequest(string? Name, WidgetSettingsDto? Widget);

/// <summary>The HTML a site owner pastes before &lt;/body&gt; to get the launcher and the tracker.</summary>
public static class WidgetEmbed
{
    public static string For(Inbox inbox, PublicUrls urls) =>
        $"""<script async src="{urls.To("widget/loader.js")}" data-porchlight-inbox="{inbox.PublicToken}"></script>""";
}

public sealed class ListInboxes(AppDbContext db, PublicUrls urls)
{
    public async Task<Result<Page<InboxResponse>>> HandleAsync(PageRequest page, CancellationToken cancellationToken) =>
        await db.Inboxes.AsNoTracking().ToPageAsync(page, i => i.Id, i => InboxResponse.From(i, urls), cancellationToken);
}

public sealed class GetInbox(AppDbContext db, PublicUrls urls)
{
    public async Task<Result<InboxResponse>> HandleAsync(Guid inboxId, CancellationToken cancellationToken) =>
        await db.Inboxes.AsNoTracking().FirstOrDefaultAsync(i => i.Id == inboxId, cancellationToken) is { } inbox
            ? InboxResponse.From(inbox, urls)
            : Failure.NotFound("Inbox");
}

public sealed class CreateInbox(AppDbContext db, ActingAgent actor, TimeProvider clock, PublicUrls urls)
{
    public async Task<Result<InboxResponse>> HandleAsync(CreateInboxRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().Required("name", request.Name, Inbox.MaxNameLength);
        if (request.Channel is not { } channel || !Enum.IsDefined(channel))
        {
            errors.Add("channel", "One of WebWidget, Api.");
        }

        var widget = InboxRules.Widget(request.Widget, WidgetSettings.Default, errors);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        if (await InboxRules.NameTakenAsync(db, request.Name!, null, cancellationToken))
        {
            return InboxRules.DuplicateName;
        }

        var inbox = Inbox.Create(actor.WorkspaceId, request.Name!, request.Channel!.Value, widget, clock.GetUtcNow().UtcDateTime);
        db.Inboxes.Add(inbox);
        if (await InboxRules.SaveAsync(db, request.Name!, null, cancellationToken) is { } raced)
        {
            return raced;
        }

        return InboxResponse.From(inbox, urls);
    }
}

public sealed class UpdateInbox(AppDbContext db, PublicUrls urls)
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
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        if (await InboxRules.NameTakenAsync(db, request.Name!, inboxId, cancellationToken))
        {
            return InboxRules.DuplicateName;
        }

        inbox.Change(request.Name!, widget);
        if (await InboxRules.SaveAsync(db, request.Name!, inboxId, cancellationToken) is { } raced)
        {
            return raced;
        }

        return InboxResponse.From(inbox, urls);
    }
}

public sealed class DeleteInbox(AppDbContext db)
{
    public async Task<Result<Done>> HandleAsync(Guid inboxId, CancellationToken cancellationToken)
    {
        var inbox = await db.Inboxes.FirstOrDefaultAsync(i => i.Id == inboxId, cancellationToken);
        if (inbox is null)
        {
            return Failure.NotFound("Inbox");
        }

        db.Inboxes.Remove(inbox);
        await db.SaveChangesAsync(cancellationToken);
        return default(Done);
    }
}

internal static partial class InboxRules
{
    public static Task<bool> NameTakenAsync(AppDbContext db, string name, Guid? exceptInboxId, CancellationToken cancellationToken)
    {
        var normalized = name.Trim().ToUpperInvariant();
        return db.Inboxes.AnyAsync(i => i.Id != exceptInboxId && i.Name.ToUpper() == normalized, cancellationToken);
    }

    public static Failure DuplicateName => Failure.Duplicate("name", "An inbox with this name already exists.");

    /// <summary>
    /// Saves a created or renamed inbox. Two requests with the same name can both pass the name check;
    /// the unique index lets one win, and the other gets the same 409 as a duplicate sent later.
    /// </summary>
    public static async Task<Failure?> SaveAsync(AppDbContext db, string name, Guid? exceptInboxId, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateException)
        {
            if (await NameTakenAsync(db, name, exceptInboxId, cancellationToken))
            {
                return DuplicateName;
            }

            throw;
        }
    }

    /// <summary>Merges the fields that were sent over <paramref name="current"/>, validating each.</summary>
    public static WidgetSettings Widget(WidgetSettingsDto? dto, WidgetSettings current, FieldErrors errors)
    {
        if (dto is null)
        {
            return current;
        }

        if (dto.Color is not null && !HexColor().IsMatch(dto.Color))
        {
            errors.Add("widget.color", "A colour like #1F6FEB.");
        }

        if (dto.Position is { } position && !Enum.IsDefined(position))
        {
            errors.Add("widget.position", "Right or Left.");
        }

        errors.MaxLength("widget.greeting", dto.Greeting, Inbox.MaxGreetingLength)
            .MaxLength("widget.welcomeText", dto.WelcomeText, Inbox.MaxWelcomeTextLength);
        return new WidgetSettings(
            dto.Color?.ToUpperInvariant() ?? current.Color,
            dto.Position ?? current.Position,
            dto.Greeting?.Trim() ?? current.Greeting,
            dto.WelcomeText?.Trim() ?? current.WelcomeText);
    }

    [GeneratedRegex("^#[0-9A-Fa-f]{6}$")]
    private static partial Regex HexColor();
}
