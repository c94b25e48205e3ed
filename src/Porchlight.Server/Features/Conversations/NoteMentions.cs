using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Conversations;

/// <summary>
/// Tells an agent that a teammate mentioned them in a private note. Sent on the agent hub to that agent
/// only (<c>Mentioned</c>), once per note, and again only to agents an edit of the note newly mentions.
/// </summary>
/// <param name="AgentId">The mentioned agent: the only recipient.</param>
/// <param name="ConversationId">The conversation of the note.</param>
/// <param name="ConversationNumber">The conversation's number in the workspace.</param>
/// <param name="ContactName">Who the conversation is with.</param>
/// <param name="MessageId">The note.</param>
/// <param name="Sequence">The note's sequence in the conversation.</param>
/// <param name="AuthorId">The agent who wrote the note.</param>
/// <param name="AuthorName">Their name.</param>
/// <param name="Preview">The note as plain text (mentions as <c>@Name</c>), at most 160 characters.</param>
public sealed record MentionNotice(
    Guid AgentId, Guid ConversationId, int ConversationNumber, string ContactName, Guid MessageId, long Sequence, Guid AuthorId, string AuthorName, string Preview);

/// <summary>One run of a note's text: plain text, or a mention of an agent.</summary>
public sealed record MentionSegment(string Text, Guid? AgentId);

/// <summary>
/// Mentions live in a note's text as tokens, <c>@[Name](agent-id)</c>: stored with the message in its one
/// transaction, no extra table, and bound to the agent's id, so a renamed agent is still the one mentioned
/// (the name in the token is only what the author saw; the thread shows the current name). Only notes carry
/// mentions; in a reply a token is plain text.
/// </summary>
public static partial class MentionTokens
{
    public const int MaxNameLength = 100;

    /// <summary>The token for an agent; brackets and line breaks are left out of the name so it parses back.</summary>
    public static string Format(string name, Guid agentId)
    {
        var clean = new string([.. name.Where(c => c is not ('[' or ']' or '\r' or '\n'))]).Trim();
        return $"@[{(clean.Length > MaxNameLength ? clean[..MaxNameLength] : clean)}]({agentId})";
    }

    public static List<MentionSegment> Split(string text)
    {
        var segments = new List<MentionSegment>();
        var at = 0;
        foreach (Match match in Token().Matches(text))
        {
            if (match.Index > at)
            {
                segments.Add(new MentionSegment(text[at..match.Index], null));
            }

            segments.Add(new MentionSegment(match.Groups["name"].Value, Guid.Parse(match.Groups["id"].Value)));
            at = match.Index + match.Length;
        }

        if (at < text.Length)
        {
            segments.Add(new MentionSegment(text[at..], null));
        }

        return segments;
    }

    public static List<Guid> AgentIds(string text) =>
        [.. Token().Matches(text).Select(m => Guid.Parse(m.Groups["id"].Value)).Distinct()];

    /// <summary>The text with every mention as <c>@Name</c>, using the current name where one is known.</summary>
    public static string ToPlain(string text, Func<Guid, string?> currentName) =>
        Token().Replace(text, m => "@" + (currentName(Guid.Parse(m.Groups["id"].Value)) ?? m.Groups["name"].Value));

    /// <summary>
    /// What an editor shows: mentions as <c>@Name</c>, with the agents they stand for, so that
    /// <see cref="FromDraft"/> turns them back into tokens.
    /// </summary>
    public static (string Text, List<PickedMention> Mentions) ToDraft(string text, Func<Guid, string?> currentName)
    {
        var mentions = new List<PickedMention>();
        var plain = Token().Replace(text, m =>
        {
            var id = Guid.Parse(m.Groups["id"].Value);
            var name = currentName(id) ?? m.Groups["name"].Value;
            mentions.Add(new PickedMention(name, id));
            return "@" + name;
        });
        return (plain, mentions);
    }

    /// <summary>
    /// Turns each <c>@Name</c> the author picked, and left whole, into its token. Longer names go first, so
    /// "@Ada Lovelace" is not taken for "@Ada"; "mail@Ada" is not a mention.
    /// </summary>
    public static string FromDraft(string text, IEnumerable<PickedMention> mentions)
    {
        foreach (var mention in mentions.DistinctBy(m => m.Name).OrderByDescending(m => m.Name.Length))
        {
            var pattern = new Regex(@"(?<![\w\]@])@" + Regex.Escape(mention.Name) + @"(?![\w\]])", RegexOptions.None, TimeSpan.FromSeconds(1));
            text = pattern.Replace(text, _ => Format(mention.Name, mention.AgentId));
        }

        return text;
    }

    [GeneratedRegex(@"@\[(?<name>[^\[\]\r\n]{1,100})\]\((?<id>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\)")]
    private static partial Regex Token();
}

/// <summary>An agent chosen from the composer's picker, shown in the draft as <c>@Name</c>.</summary>
public sealed record PickedMention(string Name, Guid AgentId);

/// <summary>
/// Decides who a note mentions: active agents of the note's workspace named by its tokens, never its author.
/// A token naming anyone else (another workspace's agent, a deactivated one, an id that does not exist) is
/// shown as plain text and notifies nobody. <see cref="ConversationBroadcaster"/> delivers the notices.
/// </summary>
public sealed class NoteMentions(AppDbContext db, Inboxes.InboxAudience audience)
{
    public const int PreviewLength = 160;

    public async Task<List<MentionNotice>> NoticesAsync(
        ConversationResponse conversation, MessageResponse note, IReadOnlyCollection<Guid> alreadyMentioned, CancellationToken cancellationToken)
    {
        if (note.Kind != MessageKind.Note || note.DeletedAt is not null || note.Author.Id is not { } authorId
            || db.CurrentWorkspaceId is not { } workspaceId)
        {
            return [];
        }

        var ids = MentionTokens.AgentIds(note.Text);
        if (ids.Count == 0)
        {
            return [];
        }

        var agents = await db.Agents.AsNoTracking()
            .Where(a => ids.Contains(a.Id) && a.WorkspaceId == workspaceId)
            .Select(a => new { a.Id, a.DisplayName, a.IsActive })
            .ToDictionaryAsync(a => a.Id, cancellationToken);
        var preview = MentionTokens.ToPlain(note.Text, id => agents.GetValueOrDefault(id)?.DisplayName);
        if (preview.Length > PreviewLength)
        {
            preview = preview[..(PreviewLength - 1)] + "…";
        }

        // Only those who may see the conversation's inbox hear of it: the notice carries its contact and the note.
        var viewers = await audience.OfAsync(conversation.InboxId, cancellationToken);
        return [.. ids
            .Where(id => id != authorId && !alreadyMentioned.Contains(id) && agents.GetValueOrDefault(id) is { IsActive: true } && viewers.AgentIds.Contains(id))
            .Select(id => new MentionNotice(
                id, conversation.Id, conversation.Number, conversation.Contact.Name, note.Id, note.Sequence, authorId, note.Author.Name, preview))];
    }
}
