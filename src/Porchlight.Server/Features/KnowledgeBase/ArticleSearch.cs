using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.KnowledgeBase;

/// <summary>
/// One article found: how well it matched (higher is better; comparable within one search only), and its title
/// and a passage of its text as HTML, escaped, with the matched words in <c>&lt;mark&gt;</c>.
/// </summary>
public sealed record ArticleHit(ArticleSummary Article, double Score, string TitleHtml, string SnippetHtml);

/// <summary>
/// The articles found, best first. <c>correctedQuery</c> is the query as searched when a misspelt word was replaced
/// by the nearest word the articles have ("Showing results for …"); null when the words were searched as typed.
/// </summary>
public sealed record ArticleSearchResults(List<ArticleHit> Hits, string? CorrectedQuery);

/// <summary>
/// Full-text search over a workspace's articles with the database's own engine: SQLite FTS5 (a table of its own,
/// kept in step with the articles by triggers) or PostgreSQL (a generated, weighted tsvector column with a GIN
/// index). Both rank title matches above description matches above body matches, match every word of the query
/// as a word or a word's beginning, and fall back to any word when every word finds nothing. The query is reduced
/// to words first: nothing the user types is search syntax. A word no word of the workspace's vocabulary begins
/// with is corrected (<see cref="ArticleVocabulary"/>). The engines only find and rank; the marked title and passage are cut here,
/// from the ten or so articles shown, the same way for both.
/// </summary>
public abstract partial class ArticleSearch(AppDbContext db)
{
    public const int MaxResults = 50;

    protected AppDbContext Db => db;

    public async Task<ArticleSearchResults> SearchAsync(
        Guid workspaceId, string query, ArticleStatus? status, string? locale, int limit, CancellationToken cancellationToken)
    {
        var words = SearchPassages.WordsOf(query).Take(10).ToList();
        if (words.Count == 0)
        {
            return new([], null);
        }

        var (alternatives, corrected) = await CorrectAsync(workspaceId, words, cancellationToken);
        limit = Math.Clamp(limit, 1, MaxResults);
        var statusValue = (int?)status;
        var localeValue = string.IsNullOrWhiteSpace(locale) ? null : locale.Trim().ToLowerInvariant();
        var rows = await FindAsync(workspaceId, alternatives, every: true, statusValue, localeValue, limit, cancellationToken);
        if (rows.Count == 0 && words.Count > 1)
        {
            rows = await FindAsync(workspaceId, alternatives, every: false, statusValue, localeValue, limit, cancellationToken);
        }

        var ids = rows.Select(r => r.Id).ToList();
        var articles = await db.Articles.AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, cancellationToken);
        var marked = alternatives.SelectMany(a => a).Distinct().ToList();
        var found = rows.Where(r => articles.ContainsKey(r.Id)).Select(r => articles[r.Id]).ToList();
        var hits = rows.Where(r => articles.ContainsKey(r.Id)).Select(r => Hit(articles[r.Id], r.Score, marked)).ToList();
        return new(hits, corrected && hits.Count > 0 ? CorrectedQuery(words, alternatives, found) : null);
    }

    /// <summary>Each word with what to search for in its place: itself, or the nearest words when no article word begins with it.</summary>
    private async Task<(List<IReadOnlyList<string>> Alternatives, bool Corrected)> CorrectAsync(
        Guid workspaceId, List<string> words, CancellationToken cancellationToken)
    {
        var correctable = words.Where(ArticleVocabulary.IsCorrectable).Distinct().ToList();
        var known = correctable.Count == 0 ? [] : await ArticleVocabulary.KnownAsync(db, workspaceId, correctable, cancellationToken);
        var alternatives = new List<IReadOnlyList<string>>(words.Count);
        var corrected = false;
        foreach (var word in words)
        {
            if (ArticleVocabulary.IsCorrectable(word) && !known.Contains(word)
                && await ArticleVocabulary.CorrectionsAsync(db, workspaceId, word, cancellationToken) is { Count: > 0 } nearest)
            {
                alternatives.Add(nearest);
                corrected = true;
            }
            else
            {
                alternatives.Add([word]);
            }
        }

        return (alternatives, corrected);
    }

    /// <summary>The query as searched: each corrected word replaced by the first of its alternatives that the articles found contain.</summary>
    private static string CorrectedQuery(List<string> words, List<IReadOnlyList<string>> alternatives, List<Article> found) =>
        string.Join(' ', words.Select((word, i) => alternatives[i] is [var only] && only == word
            ? word
            : alternatives[i].FirstOrDefault(a => found.Any(f => SearchPassages.Contains(f.Title, a) || SearchPassages.Contains(f.PlainText, a))) ?? alternatives[i][0]));

    private static ArticleHit Hit(Article article, double score, List<string> words) =>
        new(ArticleSummary.From(article), score, SearchPassages.Mark(article.Title, words), SearchPassages.Passage(article.PlainText, words));

    /// <summary>
    /// The best <paramref name="limit"/> matches, best first: of every word position (<paramref name="every"/>) or any,
    /// where a position matches when any of its alternatives does.
    /// </summary>
    protected abstract Task<List<SearchRow>> FindAsync(
        Guid workspaceId, List<IReadOnlyList<string>> words, bool every, int? status, string? locale, int limit, CancellationToken cancellationToken);
}

/// <summary>A match as the engine reports it, before it is joined to its article.</summary>
public sealed record SearchRow(Guid Id, double Score);

/// <summary>
/// SQLite FTS5: the workspace, status and language are columns of the index itself, so a common word is filtered
/// and ranked (bm25, the title weighing ten times the body) without a look-up of every matching article.
/// </summary>
public sealed class SqliteArticleSearch(AppDbContext db) : ArticleSearch(db)
{
    protected override Task<List<SearchRow>> FindAsync(
        Guid workspaceId, List<IReadOnlyList<string>> words, bool every, int? status, string? locale, int limit, CancellationToken cancellationToken)
    {
        var match = FullTextQuery.Fts5(words, every);
        return Db.Database.SqlQuery<SearchRow>($"""
            SELECT "ArticleId" AS "Id", -bm25("ArticleSearch", 0.0, 0.0, 0.0, 0.0, 10.0, 4.0, 1.0) AS "Score"
            FROM "ArticleSearch"
            WHERE "ArticleSearch" MATCH {match} AND "WorkspaceId" = {workspaceId}
              AND ({status} IS NULL OR "Status" = {status}) AND ({locale} IS NULL OR "Locale" = {locale})
            ORDER BY bm25("ArticleSearch", 0.0, 0.0, 0.0, 0.0, 10.0, 4.0, 1.0)
            LIMIT {limit}
            """).ToListAsync(cancellationToken);
    }
}

/// <summary>PostgreSQL: the weighted vector matched through its GIN index and ranked with ts_rank.</summary>
public sealed class PostgresArticleSearch(AppDbContext db) : ArticleSearch(db)
{
    protected override Task<List<SearchRow>> FindAsync(
        Guid workspaceId, List<IReadOnlyList<string>> words, bool every, int? status, string? locale, int limit, CancellationToken cancellationToken)
    {
        var query = FullTextQuery.TsQuery(words, every);
        return Db.Database.SqlQuery<SearchRow>($"""
            SELECT a."Id", ts_rank(a."SearchVector", q)::float8 AS "Score"
            FROM "Articles" a, to_tsquery('simple', {query}) q
            WHERE a."SearchVector" @@ q AND a."WorkspaceId" = {workspaceId}
              AND ({status}::int IS NULL OR a."Status" = {status}) AND ({locale}::text IS NULL OR a."Locale" = {locale})
            ORDER BY "Score" DESC
            LIMIT {limit}
            """).ToListAsync(cancellationToken);
    }
}

/// <summary>
/// A search as each engine's query language says it: every word (or any, <c>every: false</c>) must match, a word
/// matching when any of its alternatives does, each alternative also as a word's beginning. The words come from
/// <see cref="SearchPassages.WordsOf"/> (letters and digits only), so nothing in them is query syntax.
/// </summary>
public static class FullTextQuery
{
    /// <summary>An FTS5 MATCH expression: <c>("retur"* OR "retun"*) AND "order"*</c>, each word quoted.</summary>
    public static string Fts5(IEnumerable<IReadOnlyList<string>> words, bool every) =>
        string.Join(every ? " AND " : " OR ", words.Select(w => "(" + string.Join(" OR ", w.Select(a => $"\"{a}\"*")) + ")"));

    /// <summary>A PostgreSQL tsquery: <c>(retur:* | retun:*) &amp; order:*</c>.</summary>
    public static string TsQuery(IEnumerable<IReadOnlyList<string>> words, bool every) =>
        string.Join(every ? " & " : " | ", words.Select(w => "(" + string.Join(" | ", w.Select(a => $"{a}:*")) + ")"));
}

/// <summary>
/// The words of a query, and text with those words marked: every word of the text that begins with a query word
/// (letters and digits compared without case or accents, as SQLite's index compares them) is put in
/// <c>&lt;mark&gt;</c>; everything else is HTML-escaped.
/// </summary>
public static partial class SearchPassages
{
    private const int PassageWords = 30;
    private const int WordsBeforeTheFirstMatch = 8;

    /// <summary>The query's words in lower case, as the engines are asked for them (each compares accents its own way).</summary>
    public static IEnumerable<string> WordsOf(string text) => Word().Matches(text).Select(m => m.Value.ToLowerInvariant());

    /// <summary>All of <paramref name="text"/>, marked.</summary>
    public static string Mark(string text, IReadOnlyList<string> words) => Marked(text, Word().Matches(text).ToList(), 0, int.MaxValue, words);

    /// <summary>About thirty words of <paramref name="text"/> from a little before its first match, marked, with "…" where it was cut.</summary>
    public static string Passage(string text, IReadOnlyList<string> words)
    {
        var tokens = Word().Matches(text).ToList();
        var first = tokens.FindIndex(t => Matches(t.Value, words));
        var from = Math.Max(0, first - WordsBeforeTheFirstMatch);
        return Marked(text, tokens, from, from + PassageWords, words);
    }

    private static string Marked(string text, List<Match> tokens, int from, int to, IReadOnlyList<string> words)
    {
        if (tokens.Count == 0)
        {
            return WebUtility.HtmlEncode(text);
        }

        to = Math.Min(to, tokens.Count);
        var html = new StringBuilder(from > 0 ? "…" : "");
        var at = from > 0 ? tokens[from].Index : 0;
        for (var i = from; i < to; i++)
        {
            html.Append(WebUtility.HtmlEncode(text[at..tokens[i].Index]));
            var word = WebUtility.HtmlEncode(tokens[i].Value);
            html.Append(Matches(tokens[i].Value, words) ? $"<mark>{word}</mark>" : word);
            at = tokens[i].Index + tokens[i].Length;
        }

        html.Append(WebUtility.HtmlEncode(to < tokens.Count ? text[at..tokens[to].Index].TrimEnd() : text[at..]));
        return to < tokens.Count ? html.Append('…').ToString() : html.ToString();
    }

    /// <summary>Whether a word of <paramref name="text"/> begins with <paramref name="word"/>, compared as <see cref="Mark"/> compares.</summary>
    public static bool Contains(string text, string word) => Word().Matches(text).Any(t => Matches(t.Value, [word]));

    private static bool Matches(string token, IReadOnlyList<string> words)
    {
        var folded = Fold(token);
        return words.Any(w => folded.StartsWith(Fold(w), StringComparison.Ordinal));
    }

    private static string Fold(string word)
    {
        var plain = new StringBuilder(word.Length);
        foreach (var c in word.ToLowerInvariant().Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                plain.Append(c);
            }
        }

        return plain.ToString();
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();
}
