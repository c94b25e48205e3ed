using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Inboxes;

public sealed record WidgetSettingsDto(
    string? Color, WidgetPosition? Position, string? Greeting, string? WelcomeText, PreChatFormDto? PreChatForm = null);

/// <summary>A pre-chat form as sent on create and update: a field left out keeps its current value; <c>fields</c> replaces the whole list.</summary>
public sealed record PreChatFormDto(bool? Enabled, List<PreChatFieldDto>? Fields);

public sealed record PreChatFieldDto(
    string? Key, string? Label, PreChatFieldType? Type, bool? Required = null, string? Placeholder = null, List<string>? Options = null);

/// <summary>How a web-widget inbox looks, greets, and what it asks before the first message.</summary>
public sealed record WidgetResponse(string Color, WidgetPosition Position, string Greeting, string WelcomeText, PreChatForm PreChatForm)
{
    public static WidgetResponse From(Inbox inbox) =>
        new(inbox.Widget.Color, inbox.Widget.Position, inbox.Widget.Greeting, inbox.Widget.WelcomeText, inbox.PreChatForm);
}

public sealed record InboxResponse(
    Guid Id,
    string Name,
    InboxChannel Channel,
    string PublicToken,
    WidgetResponse? Widget,
    string? EmbedSnippet,
    bool RequireIdentityVerification,
    Tracking.TrackingSettings? Tracking,
    DateTime CreatedAt,
    Guid? DefaultTeamId = null)
{
    public static InboxResponse From(Inbox inbox, PublicUrls urls) => new(
        inbox.Id,
        inbox.Name,
        inbox.Channel,
        inbox.PublicToken,
        inbox.Channel == InboxChannel.WebWidget ? WidgetResponse.From(inbox) : null,
        inbox.Channel == InboxChannel.WebWidget ? WidgetEmbed.For(inbox, urls) : null,
        inbox.RequireIdentityVerification,
        inbox.Channel == InboxChannel.WebWidget ? inbox.Tracking : null,
        inbox.CreatedAt,
        inbox.DefaultTeamId);
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
    /// 404 for an inbox the workspace does not have; 409 with <paramref name="otherwise"/> for one of another channel
    /// than an operation is for (an email inbox's mailbox, an API inbox's relayed messages).
    /// </summary>
    public static async Task<Failure?> RequireChannelAsync(
        AppDbContext db, Guid inboxId, InboxChannel channel, string otherwise, CancellationToken cancellationToken) =>
        await db.Inboxes.AsNoTracking().Where(i => i.Id == inboxId).Select(i => (InboxChannel?)i.Channel).FirstOrDefaultAsync(cancellationToken) switch
        {
            null => Failure.NotFound("The inbox"),
            var found when found == channel => null,
            _ => Failure.Conflict(otherwise),
        };

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

    /// <summary>
    /// Merges a sent pre-chat form over <paramref name="current"/>: keys of 1–40 characters of a–z, 0–9 and _
    /// starting with a letter, unique; labels required; select fields need options; <c>name</c> is a text field
    /// and <c>email</c> an email field, because they fill the contact's name and email.
    /// </summary>
    public static PreChatForm PreChat(PreChatFormDto? dto, PreChatForm current, FieldErrors errors)
    {
        const string form = "widget.preChatForm";
        if (dto is null)
        {
            return current;
        }

        if (dto.Fields is null)
        {
            return current with { Enabled = dto.Enabled ?? current.Enabled };
        }

        if (dto.Fields.Count > PreChatForm.MaxFields)
        {
            errors.Add($"{form}.fields", $"At most {PreChatForm.MaxFields} fields.");
            return current;
        }

        var fields = new List<PreChatField>(dto.Fields.Count);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < dto.Fields.Count; i++)
        {
            if (Question(dto.Fields[i], $"{form}.fields[{i}]", keys, errors) is { } field)
            {
                fields.Add(field);
            }
        }

        return new PreChatForm(dto.Enabled ?? current.Enabled, fields);
    }

    private static PreChatField? Question(PreChatFieldDto? dto, string path, HashSet<string> keys, FieldErrors errors)
    {
        if (dto is null)
        {
            errors.Add(path, "A field with key, label and type.");
            return null;
        }

        var before = errors.Count;
        var key = dto.Key?.Trim() ?? "";
        if (!PreChatKey().IsMatch(key))
        {
            errors.Add($"{path}.key", $"1–{PreChatForm.MaxKeyLength} characters of a–z, 0–9 and _, starting with a letter.");
        }
        else if (!keys.Add(key))
        {
            errors.Add($"{path}.key", $"Another field already has the key '{key}'.");
        }

        errors.Required($"{path}.label", dto.Label, PreChatForm.MaxLabelLength)
            .MaxLength($"{path}.placeholder", dto.Placeholder, PreChatForm.MaxPlaceholderLength);
        if (dto.Type is not { } type || !Enum.IsDefined(type))
        {
            errors.Add($"{path}.type", "One of Text, Email, Phone, Textarea, Select, Checkbox.");
            return null;
        }

        if ((key == PreChatForm.NameKey && type != PreChatFieldType.Text) || (key == PreChatForm.EmailKey && type != PreChatFieldType.Email))
        {
            errors.Add($"{path}.type", key == PreChatForm.NameKey
                ? "The name field fills the contact's name: make it a Text field."
                : "The email field fills the contact's email: make it an Email field.");
        }

        var options = type == PreChatFieldType.Select ? Options(dto.Options, $"{path}.options", errors) : null;
        if (errors.Count > before)
        {
            return null;
        }

        var placeholder = type is PreChatFieldType.Select or PreChatFieldType.Checkbox || string.IsNullOrWhiteSpace(dto.Placeholder) ? null : dto.Placeholder.Trim();
        return new PreChatField(key, dto.Label!.Trim(), type, dto.Required ?? false, placeholder, options);
    }

    private static List<string>? Options(List<string>? sent, string path, FieldErrors errors)
    {
        var options = (sent ?? []).Select(o => o?.Trim() ?? "").ToList();
        if (options.Count is 0 or > PreChatForm.MaxOptions)
        {
            errors.Add(path, $"A select field needs 1–{PreChatForm.MaxOptions} options.");
        }
        else if (options.Any(o => o.Length is 0 or > PreChatForm.MaxOptionLength))
        {
            errors.Add(path, $"Each option needs 1–{PreChatForm.MaxOptionLength} characters.");
        }
        else if (options.Distinct(StringComparer.Ordinal).Count() != options.Count)
        {
            errors.Add(path, "Each option only once.");
        }

        return options;
    }

    /// <summary>Tracking rules belong to the widget's loader: API and email inboxes have no site to track.</summary>
    public static Tracking.TrackingSettings Tracking(Tracking.TrackingSettingsDto? dto, Tracking.TrackingSettings current, InboxChannel? channel, FieldErrors errors)
    {
        if (dto is not null && channel is InboxChannel.Api or InboxChannel.Email)
        {
            errors.Add("tracking", "Only web-widget inboxes track visitors.");
            return current;
        }

        return Features.Tracking.TrackingSettings.Merge(dto, current, errors);
    }

    /// <summary>Identity verification belongs to the widget: API and email inboxes have no visitors to verify.</summary>
    public static void IdentityVerification(bool? require, InboxChannel? channel, FieldErrors errors)
    {
        if (require == true && channel is InboxChannel.Api or InboxChannel.Email)
        {
            errors.Add("requireIdentityVerification", "Only web-widget inboxes verify visitors' identity.");
        }
    }

    [GeneratedRegex("^#[0-9A-Fa-f]{6}$")]
    private static partial Regex HexColor();

    [GeneratedRegex("^[a-z][a-z0-9_]{0,39}$")]
    private static partial Regex PreChatKey();
}
