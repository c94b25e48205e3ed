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
        if (page.After is { } after)
        {
            // Guid ordering is translated to the column's own order: TEXT on SQLite, uuid on PostgreSQL;
            // for version 7 ids both are creation order.
            var parameter = id.Parameters[0];
            var compare = Expression.Call(id.Body, typeof(Guid).GetMethod(nameof(Guid.CompareTo), [typeof(Guid)])!, Expression.Constant(after));
            var beyond = newestFirst
                ? Expression.LessThan(compare, Expression.Constant(0))
                : Expression.GreaterThan(compare, Expression.Constant(0));
            query = query.Where(Expression.Lambda<Func<TEntity, bool>>(beyond, parameter));
        }

        var ordered = newestFirst ? query.OrderByDescending(id) : query.OrderBy(id);
        var rows = await ordered.Take(page.Limit + 1).ToListAsync(cancellationToken);
        var hasMore = rows.Count > page.Limit;
        var items = rows.Take(page.Limit).ToList();
        var compiledId = id.Compile();
        return new Page<TOut>(
            items.Select(project).ToList(),
            hasMore ? compiledId(items[^1]).ToString() : null);
    }
}
