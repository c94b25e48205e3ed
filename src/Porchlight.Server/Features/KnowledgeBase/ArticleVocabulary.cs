using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.KnowledgeBase;

/// <summary>
/// A word that occurs in the workspace's articles, for correcting misspelt search words. Words are added as
/// articles are saved and never taken away: a word left over from a deleted article can only propose a correction
/// that then finds nothing, and the search says nothing about a correction that found nothing.
/// </summary>
public sealed class ArticleTerm : IWorkspaceOwned
{
    public Guid WorkspaceId { get; private set; }

    public string Term { get; private set; } = "";

    /// <summary>The first letter and the length are what candidates are looked up by: a misspelling keeps the first letter, and its length is near.</summary>
    public string Initial { get; private set; } = "";

    public int Length { get; private set; }
}

internal sealed class ArticleTermConfiguration : IEntityTypeConfiguration<ArticleTerm>
{
    public void Configure(EntityTypeBuilder<ArticleTerm> builder)
    {
        builder.HasKey(t => new { t.WorkspaceId, t.Term });
        builder.Property(t => t.Term).HasMaxLength(ArticleVocabulary.MaxTermLength);
        builder.Property(t => t.Initial).HasMaxLength(1);
        builder.HasIndex(t => new { t.WorkspaceId, t.Initial, t.Length });
    }
}

/// <summary>
/// Typo tolerance: a search word that no article word begins with is replaced by the workspace's words nearest to
/// it: at most one edit away for words of 4 to 7 letters and two for longer ones, where an edit is a letter added,
/// removed, changed, or two neighbours swapped ("pasword", "recieve", "shiping"). The first letter has to be right;
/// words shorter than four letters are taken as typed.
/// </summary>
public static class ArticleVocabulary
{
    public const int MinCorrectableLength = 4;
    public const int MaxTermLength = 40;
    private const int MaxAlternatives = 3;
    private const int RowsPerInsert = 200;

    public static bool IsCorrectable(string word) => word.Length is >= MinCorrectableLength and <= MaxTermLength && !word.All(char.IsAsciiDigit);

    /// <summary>Adds the words of <paramref name="text"/> the workspace's vocabulary lacks. The same statement on both databases.</summary>
    public static async Task AddAsync(AppDbContext db, Guid workspaceId, string text, CancellationToken cancellationToken)
    {
        // In one order for every writer: two saves inserting the same new words in opposite orders would each wait
        // for the other's uncommitted row on PostgreSQL (a deadlock); in the same order, one simply waits.
        var terms = SearchPassages.WordsOf(text).Where(IsCorrectable).Distinct().Order(StringComparer.Ordinal).ToList();
        foreach (var chunk in terms.Chunk(RowsPerInsert))
        {
            var sql = new StringBuilder("""INSERT INTO "ArticleTerms" ("WorkspaceId", "Term", "Initial", "Length") VALUES """);
            var parameters = new List<object>(chunk.Length * 3 + 1) { workspaceId };
            for (var i = 0; i < chunk.Length; i++)
            {
                sql.Append(i == 0 ? "" : ", ").Append($"({{0}}, {{{parameters.Count}}}, {{{parameters.Count + 1}}}, {{{parameters.Count + 2}}})");
                parameters.AddRange([chunk[i], chunk[i][..1], chunk[i].Length]);
            }

            await db.Database.ExecuteSqlRawAsync(sql.Append(" ON CONFLICT DO NOTHING").ToString(), parameters, cancellationToken);
        }
    }

    /// <summary>Those of <paramref name="words"/> that are words of the workspace's articles exactly.</summary>
    public static Task<List<string>> KnownAsync(AppDbContext db, Guid workspaceId, IReadOnlyList<string> words, CancellationToken cancellationToken) =>
        db.ArticleTerms.Where(t => t.WorkspaceId == workspaceId && words.Contains(t.Term)).Select(t => t.Term).ToListAsync(cancellationToken);

    /// <summary>
    /// What to search instead of <paramref name="word"/>: null when some word of the workspace begins with it (it is
    /// being typed, or spelled right), else the words nearest to it, nearest first (empty when none is near enough).
    /// One look-up of the words with its first letter and at least its length less the edits allowed, the same on
    /// both databases.
    /// </summary>
    public static async Task<List<string>?> CorrectionsAsync(AppDbContext db, Guid workspaceId, string word, CancellationToken cancellationToken)
    {
        var allowed = word.Length >= 8 ? 2 : 1;
        var initial = word[..1];
        var candidates = await db.ArticleTerms
            .Where(t => t.WorkspaceId == workspaceId && t.Initial == initial && t.Length >= word.Length - allowed)
            .Select(t => t.Term).ToListAsync(cancellationToken);
        if (candidates.Any(c => c.StartsWith(word, StringComparison.Ordinal)))
        {
            return null;
        }

        var near = candidates.Where(c => c.Length <= word.Length + allowed)
            .Select(c => (Term: c, Distance: Distance(word, c, allowed))).Where(c => c.Distance <= allowed).ToList();
        if (near.Count == 0)
        {
            return [];
        }

        var best = near.Min(c => c.Distance);
        return [.. near.Where(c => c.Distance == best).OrderBy(c => Math.Abs(c.Term.Length - word.Length)).ThenBy(c => c.Term, StringComparer.Ordinal)
            .Take(MaxAlternatives).Select(c => c.Term)];
    }

    /// <summary>
    /// Edits from <paramref name="a"/> to <paramref name="b"/> (insert, delete, substitute, swap two neighbours; the
    /// "optimal string alignment" distance), or more than <paramref name="limit"/> as soon as that is certain.
    /// </summary>
    public static int Distance(string a, string b, int limit)
    {
        if (Math.Abs(a.Length - b.Length) > limit)
        {
            return limit + 1;
        }

        // Three rows of the edit matrix: the one before last (for swaps), the last, and the current.
        var twoBack = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var rowMin = current[0];
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var value = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    value = Math.Min(value, twoBack[j - 2] + 1);
                }

                current[j] = value;
                rowMin = Math.Min(rowMin, value);
            }

            if (rowMin > limit)
            {
                return limit + 1;
            }

            (twoBack, previous, current) = (previous, current, twoBack);
        }

        return previous[b.Length];
    }
}
