using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.KnowledgeBase;

/// <summary>
/// An article offered beside a conversation: the search hit, where visitors read it (its help-center address, when
/// the help center is published) and its text as a chat message (<see cref="ArticleMarkdown.ToChatText"/>).
/// </summary>
public sealed record ArticleSuggestion(ArticleHit Hit, string? Url, string ChatText);

/// <summary>
/// The words searched (from the visitor's latest messages, or the agent's own query), the published articles found,
/// and the canned responses the agent may use that match the same words (their text with placeholders unfilled).
/// </summary>
public sealed record ReplySuggestions(
    string Query, string? CorrectedQuery, List<ArticleSuggestion> Articles, List<CannedResponses.CannedResponseResponse> CannedResponses);

/// <summary>
/// Agent assist: the published articles and the canned responses that answer what the visitor is asking, found by
/// the database's full-text search from the words of their latest messages (or from what the agent types), ready to
/// insert into a reply.
/// </summary>
public sealed class SuggestReplies(AppDbContext db, Articles articles, CannedResponses.CannedResponseSearch cannedResponses, HelpCenterSettings helpCenter)
{
    public const int MaxArticles = 5;
    public const int MaxCannedResponses = 3;
    private const int MessagesRead = 3;
    private const int WordsSearched = 12;

    // Words that say nothing about what an article is about, in the languages the widget speaks; with every word
    // also matched as a word's beginning, a short word would match half the knowledge base.
    private static readonly HashSet<string> Filler = new(StringComparer.Ordinal)
    {
        "the", "and", "for", "you", "your", "are", "was", "were", "can", "could", "would", "will", "have", "has", "had",
        "this", "that", "these", "those", "with", "from", "what", "when", "where", "which", "who", "how", "why", "not",
        "but", "all", "any", "get", "got", "there", "their", "they", "them", "then", "than", "too", "very", "just",
        "about", "into", "out", "our", "ours", "hello", "thanks", "thank", "please", "hey", "yes", "still", "also",
        "der", "die", "das", "und", "ich", "sie", "wir", "ist", "sind", "mit", "für", "auf", "ein", "eine", "einen",
        "nicht", "noch", "wie", "was", "bitte", "danke", "hallo", "mein", "meine", "haben", "habe", "kann", "können",
    };

    /// <summary>
    /// Suggestions for <paramref name="conversationId"/>: searched with <paramref name="query"/> when the agent typed
    /// one, else with the words of the visitor's latest messages.
    /// </summary>
    public async Task<Result<ReplySuggestions>> HandleAsync(Guid conversationId, string? query, CancellationToken cancellationToken)
    {
        if (!await db.Conversations.AnyAsync(c => c.Id == conversationId, cancellationToken))
        {
            return Failure.NotFound("The conversation");
        }

        var words = string.IsNullOrWhiteSpace(query)
            ? QueryOf(await db.Messages.AsNoTracking()
                .Where(m => m.ConversationId == conversationId && m.Kind == MessageKind.Incoming)
                .OrderByDescending(m => m.Sequence).Take(MessagesRead).Select(m => m.Text).ToListAsync(cancellationToken))
            : query.Trim();
        if (words.Length == 0)
        {
            return new ReplySuggestions("", null, [], []);
        }

        var found = await articles.SearchAsync(words, ArticleStatus.Published, null, MaxArticles, cancellationToken);
        var canned = await cannedResponses.SearchAsync(words, MaxCannedResponses, cancellationToken);
        var links = await helpCenter.PublicArticleLinksAsync(cancellationToken);
        var bodies = await ArticleBodiesAsync([.. found.Hits.Select(h => h.Article.Id)], cancellationToken);
        return new ReplySuggestions(words, found.CorrectedQuery, [.. found.Hits.Select(hit => new ArticleSuggestion(
            hit,
            links?.Invoke(hit.Article.Locale, hit.Article.Slug),
            ArticleMarkdown.ToChatText(bodies.GetValueOrDefault(hit.Article.Id, ""))))], canned);
    }

    /// <summary>
    /// The words that carry the question, newest message first: three letters or more, not filler, each once, at
    /// most twelve. Empty when the visitor has said nothing searchable yet.
    /// </summary>
    public static string QueryOf(IEnumerable<string> newestFirst) => string.Join(' ', newestFirst
        .SelectMany(SearchPassages.WordsOf)
        .Where(w => w.Length >= 3 && !Filler.Contains(w) && !w.All(char.IsAsciiDigit))
        .Distinct()
        .Take(WordsSearched));

    private Task<Dictionary<Guid, string>> ArticleBodiesAsync(List<Guid> ids, CancellationToken cancellationToken) =>
        db.Articles.AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Body, cancellationToken);
}
