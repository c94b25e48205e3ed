using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Inboxes;

public sealed record WidgetSettingsDto(string? Color, WidgetPosition? Position, string? Greeting, string? WelcomeText);

public sealed record InboxResponse(
    Guid Id,
    string Name,
    InboxChannel Channel,
    string PublicToken,
    WidgetSettings? Widget,
    string? EmbedSnippet,
    bool RequireIdentityVerification,
    DateTime CreatedAt)
{
    public static InboxResponse From(Inbox inbox, PublicUrls urls) => new(
        inbox.Id,
        inbox.Name,
        inbox.Channel,
        inbox.PublicToken,
        inbox.Channel == InboxChannel.WebWidget ? inbox.Widget : null,
        inbox.Channel == InboxChannel.WebWidget ? WidgetEmbed.For(inbox, urls) : null,
        inbox.RequireIdentityVerification,
        inbox.CreatedAt);
}

/// <summary>An inbox's identity secret in plain text; only admins see it.</summary>
public sealed record IdentitySecretResponse(string Secret);

/// <summary>The HTML a site owner pastes before &lt;/body&gt; to get the launcher and the tracker.</summary>
public static class WidgetEmbed
{
    public static string For(Inbox inbox, PublicUrls urls) =>
        $"""<script async src="{urls.To("widget/loader.js")}" data-porchlight-inbox="{inbox.PublicToken}"></script>""";
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

    /// <summary>Identity verification belongs to the widget: API inboxes have no visitors to verify.</summary>
    public static void IdentityVerification(bool? require, InboxChannel? channel, FieldErrors errors)
    {
        if (require == true && channel == InboxChannel.Api)
        {
            errors.Add("requireIdentityVerification", "Only web-widget inboxes verify visitors' identity.");
        }
    }

    [GeneratedRegex("^#[0-9A-Fa-f]{6}$")]
    private static partial Regex HexColor();
}
