using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.KnowledgeBase;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.CannedResponses;

/// <summary>
/// Canned responses found by their words with the same engines as articles (<see cref="ArticleSearch"/>): SQLite
/// FTS5 (a table kept by triggers) or a weighted PostgreSQL tsvector, the shortcut and title weighing above the
/// text; every word first, then any. Only responses the agent may use: the shared ones and their own.
/// </summary>
public abstract class CannedResponseSearch(AppDbContext db, ActingAgent actor)
{
    protected AppDbContext Db => db;

    public async Task<List<CannedResponseResponse>> SearchAsync(string query, int limit, CancellationToken cancellationToken)
    {
        List<IReadOnlyList<string>> words = [.. SearchPassages.WordsOf(query).Distinct().Take(12).Select(w => (IReadOnlyList<string>)[w])];
        if (words.Count == 0)
        {
            return [];
        }

        var ids = await FindAsync(actor.WorkspaceId, actor.AgentId, words, every: true, limit, cancellationToken);
        if (ids.Count == 0 && words.Count > 1)
        {
            ids = await FindAsync(actor.WorkspaceId, actor.AgentId, words, every: false, limit, cancellationToken);
        }

        var found = await db.CannedResponses.AsNoTracking().VisibleTo(actor).Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, cancellationToken);
        return [.. ids.Where(found.ContainsKey).Select(id => CannedResponseResponse.From(found[id]))];
    }

    /// <summary>The ids of the best <paramref name="limit"/> matches among the shared responses and the agent's own, best first.</summary>
    protected abstract Task<List<Guid>> FindAsync(
        Guid workspaceId, Guid agentId, List<IReadOnlyList<string>> words, bool every, int limit, CancellationToken cancellationToken);
}

public sealed class SqliteCannedResponseSearch(AppDbContext db, ActingAgent actor) : CannedResponseSearch(db, actor)
{
    protected override Task<List<Guid>> FindAsync(
        Guid workspaceId, Guid agentId, List<IReadOnlyList<string>> words, bool every, int limit, CancellationToken cancellationToken) =>
        Db.Database.SqlQuery<Guid>($"""
            SELECT "CannedResponseId" AS "Value" FROM "CannedResponseSearch"
            WHERE "CannedResponseSearch" MATCH {FullTextQuery.Fts5(words, every)} AND "WorkspaceId" = {workspaceId}
              AND ("OwnerKey" = {Guid.Empty} OR "OwnerKey" = {agentId})
            ORDER BY bm25("CannedResponseSearch", 0.0, 0.0, 0.0, 10.0, 10.0, 1.0)
            LIMIT {limit}
            """).ToListAsync(cancellationToken);
}

public sealed class PostgresCannedResponseSearch(AppDbContext db, ActingAgent actor) : CannedResponseSearch(db, actor)
{
    protected override Task<List<Guid>> FindAsync(
        Guid workspaceId, Guid agentId, List<IReadOnlyList<string>> words, bool every, int limit, CancellationToken cancellationToken) =>
        Db.Database.SqlQuery<Guid>($"""
            SELECT c."Id" AS "Value"
            FROM "CannedResponses" c, to_tsquery('simple', {FullTextQuery.TsQuery(words, every)}) q
            WHERE c."SearchVector" @@ q AND c."WorkspaceId" = {workspaceId} AND (c."OwnerAgentId" IS NULL OR c."OwnerAgentId" = {agentId})
            ORDER BY ts_rank(c."SearchVector", q) DESC
            LIMIT {limit}
            """).ToListAsync(cancellationToken);
}
