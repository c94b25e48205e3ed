using System.Linq.Expressions;
using System.Text.RegularExpressions;
using Porchlight.Server.Features.Contacts;

namespace Porchlight.Server.Features.Privacy;

/// <summary>
/// What names a person in free text written by others (an agent's "Hi Jane", a review's remark, an event's payload): their
/// name and its parts, email addresses and their local parts, external id and attribute values. <see cref="Scrub"/>
/// replaces each as a whole word, in any case, by <see cref="Placeholder"/>. It finds what was typed as the contact's
/// records have it, not a misspelling or a description ("the lady from Leeds"): an erasure replaces the customer's own
/// words whole and scrubs the rest with this.
/// </summary>
public sealed class PersonalText
{
    /// <summary>What erased text becomes.</summary>
    public const string Placeholder = "[erased]";

    /// <summary>Shorter parts of a name or an address are too often other words ("Al", "Jo") to be replaced everywhere.</summary>
    public const int MinPartLength = 3;

    /// <summary>Attribute values and external ids shorter than this are codes ("vip", "12"), not something that names someone.</summary>
    public const int MinValueLength = 4;

    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(2);
    private static readonly char[] NameSeparators = [' ', '\t', '-', '.', ',', '\'', '"', '(', ')'];

    private readonly Regex? _pattern;

    private PersonalText(IReadOnlyList<string> terms)
    {
        Terms = terms;
        // The longest first, so "jane.doe@example.com" is replaced whole before "jane" could be. A term stands alone when
        // no letter, digit or underscore touches it.
        _pattern = terms.Count == 0
            ? null
            : new Regex(
                $"(?<![\\p{{L}}\\p{{N}}_])(?:{string.Join('|', terms.Select(Regex.Escape))})(?![\\p{{L}}\\p{{N}}_])",
                RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
                MatchTimeout);
    }

    /// <summary>The terms in lower case, longest first.</summary>
    public IReadOnlyList<string> Terms { get; }

    public bool IsEmpty => Terms.Count == 0;

    public static PersonalText None { get; } = new([]);

    /// <summary>What names <paramref name="contact"/>, with other addresses they wrote from (their mails' senders).</summary>
    public static PersonalText Of(Contact contact, IEnumerable<string?> otherEmails)
    {
        var terms = new List<string?>();
        if (contact.Name is { } name && name != Contact.ErasedName)
        {
            terms.Add(name);
            terms.AddRange(name.Split(NameSeparators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(p => p.Length >= MinPartLength));
        }

        foreach (var email in otherEmails.Prepend(contact.Email))
        {
            if (!string.IsNullOrWhiteSpace(email))
            {
                terms.Add(email);
                var local = email[..Math.Max(0, email.IndexOf('@', StringComparison.Ordinal))];
                terms.Add(local.Length >= MinPartLength ? local : null);
            }
        }

        terms.Add(contact.ExternalId is { Length: >= MinValueLength } externalId ? externalId : null);
        terms.AddRange(contact.Attributes.Values.Where(IsNaming));
        return From(terms);
    }

    /// <summary>Scrubs exactly these terms (blank ones and repeats left out).</summary>
    public static PersonalText From(IEnumerable<string?> terms) => new(
        [.. terms.OfType<string>().Select(t => t.Trim().ToLowerInvariant()).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal)
            .OrderByDescending(t => t.Length).ThenBy(t => t, StringComparer.Ordinal)]);

    /// <summary>The text with every term replaced; the same string when none is in it.</summary>
    public string Scrub(string text) => _pattern is null || text.Length == 0 ? text : _pattern.Replace(text, Placeholder);

    public string? ScrubOrNull(string? text) => text is null ? null : Scrub(text);

    /// <summary>
    /// A filter the database can run before <see cref="Scrub"/>: rows whose text holds one of the terms in any case. It
    /// finds more than Scrub replaces (a term inside a longer word), never less.
    /// </summary>
    public Expression<Func<T, bool>> MayHold<T>(Expression<Func<T, string?>> text)
    {
        if (IsEmpty)
        {
            return _ => false;
        }

        var row = text.Parameters[0];
        var lower = Expression.Call(Expression.Coalesce(text.Body, Expression.Constant("")), typeof(string).GetMethod(nameof(string.ToLower), Type.EmptyTypes)!);
        var contains = typeof(string).GetMethod(nameof(string.Contains), [typeof(string)])!;
        // Parameters, not constants: the statement is prepared once per number of terms, and no term becomes SQL text.
        Expression? any = null;
        foreach (var term in Terms)
        {
            Expression<Func<string>> value = () => term;
            var test = Expression.Call(lower, contains, value.Body);
            any = any is null ? test : Expression.OrElse(any, test);
        }

        return Expression.Lambda<Func<T, bool>>(any!, row);
    }

    private static bool IsNaming(string value)
    {
        var trimmed = value.Trim();
        return trimmed.Length >= MinValueLength
            && !bool.TryParse(trimmed, out _)
            && !DateOnly.TryParse(trimmed, System.Globalization.CultureInfo.InvariantCulture, out _)
            && !decimal.TryParse(trimmed, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out _)
            || trimmed.Count(char.IsAsciiDigit) >= 6; // a phone number or an account is worth scrubbing, however written
    }
}
