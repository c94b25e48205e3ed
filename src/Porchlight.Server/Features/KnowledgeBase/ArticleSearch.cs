using System.Net;
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
/// Full-text search over a workspace's articles with the database's own engine: SQLite FTS5 (a table of its own,
/// kept in step with the articles by triggers) or PostgreSQL (a generated, weighted tsvector column with a GIN
/// index). Both rank title matches above description matches above body matches, match every word of the query,
/// the last one (or any, written with a trailing <c>*</c>) also as a prefix, and fall back to any word when every
/// word finds nothing. The query is reduced to words first: nothing the user types is search syntax.
/// </summary>
public abstract partial class ArticleSearch(AppDbContext db)
{
    public const int MaxResults = 50;

    // Marks around matched words from the engine; the text is HTML-escaped afterwards and these become <mark>.
    protected const string Open = "\u27E6";
    protected const string Close = "\u27E7";

    protected AppDbContext Db => db;

    public async Task<List<ArticleHit>> SearchAsync(Guid workspaceId, string query, ArticleStatus? status, string? locale, int limit, CancellationToken cancellationToken)
    {
        var words = Words().Matches(query).Select(m => m.Value.ToLowerInvariant()).Take(10).ToList();
        if (words.Count == 0)
        {
            return [];
        }

        limit = Math.Clamp(limit, 1, MaxResults);
        var statusValue = (int?)status;
        var localeValue = string.IsNullOrWhiteSpace(locale) ? null : locale.Trim().ToLowerInvariant();
        var rows = await FindAsync(workspaceId, words, every: true, statusValue, localeValue, limit, cancellationToken);
        if (rows.Count == 0 && words.Count > 1)
        {
            rows = await FindAsync(workspaceId, words, every: false, statusValue, localeValue, limit, cancellationToken);
        }

        var ids = rows.Select(r => r.Id).ToList();
        var articles = await db.Articles.AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, cancellationToken);
        return [.. rows.Where(r => articles.ContainsKey(r.Id))
            .Select(r => new ArticleHit(ArticleSummary.From(articles[r.Id]), r.Score, Marked(r.Title), Marked(r.Snippet)))];
    }

    /// <summary>The best <paramref name="limit"/> matches, best first: all words (<paramref name="every"/>) or any.</summary>
    protected abstract Task<List<SearchRow>> FindAsync(
        Guid workspaceId, List<string> words, bool every, int? status, string? locale, int limit, CancellationToken cancellationToken);

    private static string Marked(string text) => WebUtility.HtmlEncode(text).Replace(Open, "<mark>", StringComparison.Ordinal).Replace(Close, "</mark>", StringComparison.Ordinal);

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Words();
}

/// <summary>A match as the engine reports it, before it is joined to its article.</summary>
public sealed record SearchRow(Guid Id, double Score, string Title, string Snippet);

/// <summary>SQLite FTS5: bm25 with the title weighing ten times the body, highlight() and snippet().</summary>
public sealed class SqliteArticleSearch(AppDbContext db) : ArticleSearch(db)
{
    protected override Task<List<SearchRow>> FindAsync(
        Guid workspaceId, List<string> words, bool every, int? status, string? locale, int limit, CancellationToken cancellationToken)
    {
        // Each word quoted (so nothing in it is FTS5 syntax) and matched as a prefix too.
        var match = string.Join(every ? " AND " : " OR ", words.Select(w => $"\"{w}\"*"));
        return Db.Database.SqlQuery<SearchRow>($"""
            SELECT s."ArticleId" AS "Id", -bm25("ArticleSearch", 0.0, 10.0, 4.0, 1.0) AS "Score",
                   highlight("ArticleSearch", 1, {Open}, {Close}) AS "Title",
                   snippet("ArticleSearch", 3, {Open}, {Close}, '…', 24) AS "Snippet"
            FROM "ArticleSearch" s JOIN "Articles" a ON a."Id" = s."ArticleId"
            WHERE "ArticleSearch" MATCH {match} AND a."WorkspaceId" = {workspaceId}
              AND ({status} IS NULL OR a."Status" = {status}) AND ({locale} IS NULL OR a."Locale" = {locale})
            ORDER BY bm25("ArticleSearch", 0.0, 10.0, 4.0, 1.0)
            LIMIT {limit}
            """).ToListAsync(cancellationToken);
    }
}

/// <summary>
/// PostgreSQL: ts_rank_cd over the weighted vector, ts_headline for the title and a passage of the body (its angle
/// brackets made spaces, as in the vector, so a word written as a tag is found and marked).
/// </summary>
public sealed class PostgresArticleSearch(AppDbContext db) : ArticleSearch(db)
{
    protected override Task<List<SearchRow>> FindAsync(
        Guid workspaceId, List<string> words, bool every, int? status, string? locale, int limit, CancellationToken cancellationToken)
    {
        // Words reduced to letters and digits are safe inside a tsquery; each also matches as a prefix.
        var query = string.Join(every ? " & " : " | ", words.Select(w => $"{w}:*"));
        const string TitleOptions = $"StartSel={Open}, StopSel={Close}, HighlightAll=true";
        const string SnippetOptions = $"StartSel={Open}, StopSel={Close}, MaxWords=30, MinWords=12, MaxFragments=1, FragmentDelimiter=…";
        return Db.Database.SqlQuery<SearchRow>($"""
            SELECT best."Id", best."Score",
                   ts_headline('simple', best."Title", best.q, {TitleOptions}) AS "Title",
                   ts_headline('simple', regexp_replace(best."PlainText", '[<>]', ' ', 'g'), best.q, {SnippetOptions}) AS "Snippet"
            FROM (
                SELECT a."Id", a."Title", a."PlainText", q, ts_rank_cd(a."SearchVector", q)::float8 AS "Score"
                FROM "Articles" a, to_tsquery('simple', {query}) q
                WHERE a."SearchVector" @@ q AND a."WorkspaceId" = {workspaceId}
                  AND ({status}::int IS NULL OR a."Status" = {status}) AND ({locale}::text IS NULL OR a."Locale" = {locale})
                ORDER BY "Score" DESC
                LIMIT {limit}
            ) best
            ORDER BY best."Score" DESC
            """).ToListAsync(cancellationToken);
    }
}
