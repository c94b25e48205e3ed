using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace Porchlight.Server.Hosting;

/// <summary>One page of a list and the cursor for the next one (null on the last page).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>
/// Cursor pagination over time-ordered (version 7) ids: the cursor is the last id of a page, so pages
/// stay stable while rows are added, and each page is one index range scan.
/// </summary>
public sealed record PageRequest(int Limit, Guid? After)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static PageRequest First { get; } = new(DefaultLimit, null);

    public static Result<PageRequest> Parse(int? limit, string? cursor)
    {
        var errors = new FieldErrors();
        if (limit is < 1 or > MaxLimit)
        {
            errors.Add("limit", $"Between 1 and {MaxLimit}.");
        }

        Guid? after = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            if (Guid.TryParse(cursor, out var parsed))
            {
                after = parsed;
            }
            else
            {
                errors.Add("cursor", "Not a cursor returned by this API.");
            }
        }

        return errors.Any ? errors.ToFailure() : new PageRequest(limit ?? DefaultLimit, after);
    }
}

public static class PageQueries
{
    /// <summary>Reads the page after <see cref="PageRequest.After"/> in id order and projects it.</summary>
    public static async Task<Page<TOut>> ToPageAsync<TEntity, TOut>(
        this IQueryable<TEntity> query,
        PageRequest page,
        Expression<Func<TEntity, Guid>> id,
        Func<TEntity, TOut> project,
        CancellationToken cancellationToken,
        bool newestFirst = false)
    {
        query = Beyond(query, id, page.After, newestFirst);
        var ordered = newestFirst ? query.OrderByDescending(id) : query.OrderBy(id);
        var rows = await ordered.Take(page.Limit + 1).ToListAsync(cancellationToken);
        var hasMore = rows.Count > page.Limit;
        var items = rows.Take(page.Limit).ToList();
        var compiledId = id.Compile();
        return new Page<TOut>(
            items.Select(project).ToList(),
            hasMore ? compiledId(items[^1]).ToString() : null);
    }

    /// <summary>
    /// A page of the rows that pass <paramref name="keep"/>, a test the database cannot run (values inside a JSON column):
    /// rows are read in id order in batches and tested here until the page is full or the rows run out.
    /// </summary>
    public static async Task<Page<TOut>> ToFilteredPageAsync<TEntity, TOut>(
        this IQueryable<TEntity> query,
        PageRequest page,
        Expression<Func<TEntity, Guid>> id,
        Func<TEntity, bool> keep,
        Func<TEntity, TOut> project,
        CancellationToken cancellationToken,
        bool newestFirst = false)
    {
        const int batchSize = 500;
        var compiledId = id.Compile();
        var kept = new List<TEntity>();
        var after = page.After;
        while (true)
        {
            var beyond = Beyond(query, id, after, newestFirst);
            var batch = await (newestFirst ? beyond.OrderByDescending(id) : beyond.OrderBy(id)).Take(batchSize).ToListAsync(cancellationToken);
            foreach (var row in batch)
            {
                if (!keep(row))
                {
                    continue;
                }

                if (kept.Count == page.Limit)
                {
                    // One more row passes: there is a next page, and it starts after the last one kept.
                    return new Page<TOut>(kept.Select(project).ToList(), compiledId(kept[^1]).ToString());
                }

                kept.Add(row);
            }

            if (batch.Count < batchSize)
            {
                return new Page<TOut>(kept.Select(project).ToList(), null);
            }

            after = compiledId(batch[^1]);
        }
    }

    private static IQueryable<TEntity> Beyond<TEntity>(IQueryable<TEntity> query, Expression<Func<TEntity, Guid>> id, Guid? after, bool newestFirst)
    {
        if (after is not { } cursor)
        {
            return query;
        }

        // Guid ordering is translated to the column's own order: TEXT on SQLite, uuid on PostgreSQL;
        // for version 7 ids both are creation order.
        var parameter = id.Parameters[0];
        var compare = Expression.Call(id.Body, typeof(Guid).GetMethod(nameof(Guid.CompareTo), [typeof(Guid)])!, Expression.Constant(cursor));
        var beyond = newestFirst
            ? Expression.LessThan(compare, Expression.Constant(0))
            : Expression.GreaterThan(compare, Expression.Constant(0));
        return query.Where(Expression.Lambda<Func<TEntity, bool>>(beyond, parameter));
    }
}
