using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Contacts;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Inboxes;

/// <summary>The kinds of question a pre-chat form can ask. Stored and sent by name.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PreChatFieldType>))]
public enum PreChatFieldType
{
    Text = 0,
    Email = 1,
    Phone = 2,
    Textarea = 3,
    Select = 4,
    Checkbox = 5,
}

/// <summary>
/// One question of a pre-chat form. <c>name</c> and <c>email</c> fill the contact's name and email; every
/// other key becomes a contact attribute of that name.
/// </summary>
public sealed record PreChatField(
    string Key, string Label, PreChatFieldType Type, bool Required, string? Placeholder = null, IReadOnlyList<string>? Options = null);

/// <summary>
/// What a web-widget inbox asks a visitor before their first message, in order. The server enforces it
/// when a conversation starts: required answers must be there and each answer must fit its type.
/// </summary>
public sealed partial record PreChatForm(bool Enabled, IReadOnlyList<PreChatField> Fields)
{
    public const int MaxFields = 20;
    public const int MaxKeyLength = 40;
    public const int MaxLabelLength = 80;
    public const int MaxPlaceholderLength = 100;
    public const int MaxOptions = 20;
    public const int MaxOptionLength = 80;
    public const string NameKey = "name";
    public const string EmailKey = "email";
    public const string Checked = "true";

    /// <summary>Name and email, both optional: enough for agents to follow up, no wall before the first question.</summary>
    public static PreChatForm Default { get; } = new(true,
    [
        new(NameKey, "Name", PreChatFieldType.Text, Required: false),
        new(EmailKey, "Email", PreChatFieldType.Email, Required: false),
    ]);

    /// <summary>The questions the widget shows: none while the form is switched off.</summary>
    [JsonIgnore]
    public IReadOnlyList<PreChatField> Asked => Enabled ? Fields : [];

    /// <summary>
    /// The visitor's answers that belong to this form, cleaned; field errors (<c>fields.&lt;key&gt;</c>) for
    /// missing required answers and answers that do not fit. Keys the form does not ask are dropped, so a
    /// frame still showing an older form can start a conversation and nobody can write other attributes this way.
    /// </summary>
    public Dictionary<string, string> Answers(IReadOnlyDictionary<string, string>? submitted, FieldErrors errors)
    {
        var answers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in Asked)
        {
            var value = submitted?.GetValueOrDefault(field.Key)?.Trim() ?? "";
            var error = $"fields.{field.Key}";
            if (field.Type == PreChatFieldType.Checkbox)
            {
                var isChecked = string.Equals(value, Checked, StringComparison.OrdinalIgnoreCase);
                if (field.Required && !isChecked)
                {
                    errors.Add(error, "Required.");
                }
                else if (value.Length > 0)
                {
                    answers[field.Key] = isChecked ? Checked : "false";
                }

                continue;
            }

            if (value.Length == 0)
            {
                if (field.Required)
                {
                    errors.Add(error, "Required.");
                }

                continue;
            }

            if (Problem(field, value) is { } problem)
            {
                errors.Add(error, problem);
                continue;
            }

            answers[field.Key] = value;
        }

        return answers;
    }

    private static string? Problem(PreChatField field, string value)
    {
        var maxLength = field.Key switch
        {
            NameKey => Contact.MaxNameLength,
            EmailKey => Contact.MaxEmailLength,
            _ => CustomAttributes.MaxValueLength,
        };
        if (value.Length > maxLength)
        {
            return $"At most {maxLength} characters.";
        }

        return field.Type switch
        {
            PreChatFieldType.Email when !EmailAddress.IsValid(value) => "Not a valid email address.",
            PreChatFieldType.Phone when !PhoneNumber().IsMatch(value) || value.Count(char.IsAsciiDigit) < 3 => "Not a valid phone number.",
            PreChatFieldType.Select when field.Options?.Contains(value, StringComparer.Ordinal) != true => "Choose one of the options.",
            _ => null,
        };
    }

    // Digits with the usual separators and an optional leading +: "+49 30 1234-567", "(030) 123 45".
    [GeneratedRegex(@"^\+?[0-9 ().\-/]{3,32}$")]
    private static partial Regex PhoneNumber();
}
