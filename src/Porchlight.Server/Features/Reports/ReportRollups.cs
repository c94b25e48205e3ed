using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting.Cluster;

namespace Porchlight.Server.Features.Reports;

/// <summary>
/// Rolls the days marked stale (<see cref="StaleReportDay"/>) up, each day whole and from its facts: for the figures
/// into <see cref="ReportRollup"/> rows (in one INSERT … SELECT) and those into <see cref="ReportTeamRollup"/> rows (in
/// the same transaction); for the labels, the facts by their conversations' labels into <see cref="ReportLabelRollup"/>
/// rows; so a day's rollups always equal a fresh count of its facts. Runs on a timer, and for a workspace's days right
/// before a report reads them (only the rollup it reads), so a report is never older than the facts. Safe on several
/// nodes at once: a day rolled up twice comes out the same.
/// </summary>
public sealed class ReportRollups(IServiceScopeFactory scopes, JobLeases leases, IConfiguration configuration, ILogger<ReportRollups> logger)
    : BackgroundService
{
    private const int BackfillBatch = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await BackfillAsync(stoppingToken);
        }
#pragma warning disable CA1031 // A failed backfill must not stop the rollups; the next start tries again.
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            logger.LogWarning(e, "Computing report facts of earlier conversations failed; trying again at the next start.");
        }

        await leases.RunAsync(
            nameof(ReportRollups), configuration.GetValue("Reports:RollupInterval", TimeSpan.FromSeconds(30)), logger, "Rolling up report figures",
            ct => RollUpAsync(workspaceId: null, ct), stoppingToken);
    }

    /// <summary>
    /// Computes the facts of conversations whose log has entries but which have none (logged before the facts existed),
    /// in batches by key; answers how many it computed.
    /// </summary>
    public async Task<int> BackfillAsync(CancellationToken cancellationToken)
    {
        var done = 0;
        var after = Guid.Empty;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            // Operator scope: every workspace's conversations, a batch of keys at a time.
            var batch = await db.Conversations.IgnoreQueryFilters().Where(c => c.Id.CompareTo(after) > 0).OrderBy(c => c.Id).Take(BackfillBatch)
                .Select(c => new { c.Id, Missing = db.ConversationEvents.Any(e => e.ConversationId == c.Id) && !db.ReportFacts.Any(f => f.ConversationId == c.Id) })
                .ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                return done;
            }

            var facts = scope.ServiceProvider.GetRequiredService<ReportFacts>();
            foreach (var conversation in batch.Where(c => c.Missing))
            {
                await facts.RefreshAsync(conversation.Id, cancellationToken);
                done++;
            }

            after = batch[^1].Id;
        }
    }

    /// <summary>
    /// Rolls up every stale day, of one workspace or of all, for one rollup (<paramref name="only"/>) or all; answers how
    /// many day rollups it rolled up.
    /// </summary>
    public async Task<int> RollUpAsync(Guid? workspaceId, CancellationToken cancellationToken, StaleRollup? only = null)
    {
        List<StaleReportDay> stale;
        await using (var scope = scopes.CreateAsyncScope())
        {
            // Conditions added only when asked for, so the database sees plain equalities (see decisions/0021).
            var marks = scope.ServiceProvider.GetRequiredService<AppDbContext>().StaleReportDays.AsNoTracking();
            marks = workspaceId is { } workspace ? marks.Where(d => d.WorkspaceId == workspace) : marks;
            marks = only is { } rollup ? marks.Where(d => d.Rollup == rollup) : marks;
            stale = await marks.OrderBy(d => d.Day).ThenBy(d => d.Rollup).ToListAsync(cancellationToken);
        }

        foreach (var day in stale)
        {
            await RollUpDayAsync(day, cancellationToken);
        }

        return stale.Count;
    }

    /// <summary>
    /// What rolls a day up again (parameters <c>@workspace</c>, <c>@day</c>), the day's rows cleared first: for the
    /// figures, a day's facts added up into its rollup rows in one statement, then those rows added up over agents into
    /// the team rollup in a second; for the labels, the facts by their conversation's labels into the label rollup. The
    /// database groups and writes them without a row passing through the server, which matters for a busy day that a
    /// report rolls up again before it reads.
    /// </summary>
    private static (string[] Clear, string[] Fill) RollUpStatements(DbContext db, StaleRollup rollUp)
    {
        var sql = db.GetService<ISqlGenerationHelper>();
        var (fact, rollup, teamRollup, labelRollup) = (db.Model.FindEntityType(typeof(ReportFact))!, db.Model.FindEntityType(typeof(ReportRollup))!,
            db.Model.FindEntityType(typeof(ReportTeamRollup))!, db.Model.FindEntityType(typeof(ReportLabelRollup))!);
        string Column(IEntityType type, string property) => sql.DelimitIdentifier(type.FindProperty(property)!.GetColumnName());
        string[] teamKeys = [nameof(ReportRollup.WorkspaceId), nameof(ReportRollup.Day), nameof(ReportRollup.InboxId), nameof(ReportRollup.TeamId),
            nameof(ReportRollup.Metric), nameof(ReportRollup.Bucket)];
        string Table(IEntityType type) => sql.DelimitIdentifier(type.GetTableName()!);
        string Clear(IEntityType target) =>
            $"DELETE FROM {Table(target)} WHERE {Column(target, nameof(ReportRollup.WorkspaceId))} = @workspace AND {Column(target, nameof(ReportRollup.Day))} = @day";
        string Statement(IEntityType target, IEntityType source, string[] keys, string count)
        {
            var sourceKeys = string.Join(", ", keys.Select(k => Column(source, k)));
            var (milliseconds, business) = (Column(source, nameof(ReportRollup.Milliseconds)), Column(source, nameof(ReportRollup.BusinessMilliseconds)));
            return $"INSERT INTO {Table(target)} "
                + $"({string.Join(", ", keys.Select(k => Column(target, k)))}, {Column(target, nameof(ReportRollup.Count))}, "
                + $"{Column(target, nameof(ReportRollup.Milliseconds))}, {Column(target, nameof(ReportRollup.BusinessMilliseconds))}) "
                + $"SELECT {sourceKeys}, {count}, SUM({milliseconds}), SUM({business}) FROM {Table(source)} "
                + $"WHERE {Column(source, nameof(ReportRollup.WorkspaceId))} = @workspace AND {Column(source, nameof(ReportRollup.Day))} = @day GROUP BY {sourceKeys}";
        }

        return rollUp == StaleRollup.Labels
            ? ([Clear(labelRollup)], [Statement(labelRollup, fact, [.. teamKeys, nameof(ReportLabelRollup.LabelSet)], "COUNT(*)")])
            : ([Clear(rollup), Clear(teamRollup)],
            [
                Statement(rollup, fact, [.. teamKeys.Take(4), nameof(ReportRollup.AgentId), .. teamKeys.Skip(4)], "COUNT(*)"),
                Statement(teamRollup, rollup, teamKeys, $"SUM({Column(rollup, nameof(ReportRollup.Count))})"),
            ]);
    }

    private async Task RollUpDayAsync(StaleReportDay stale, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var (workspaceId, day) = (stale.WorkspaceId, stale.Day);
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var facts = db.Model.FindEntityType(typeof(ReportFact))!;
            async Task RunAsync(string statement)
            {
                await using var command = db.Database.GetDbConnection().CreateCommand();
                command.Transaction = transaction.GetDbTransaction();
                command.CommandText = statement;
                command.Parameters.Add(RowStatements.Parameter(command, facts.FindProperty(nameof(ReportFact.WorkspaceId))!, "@workspace", workspaceId));
                command.Parameters.Add(RowStatements.Parameter(command, facts.FindProperty(nameof(ReportFact.Day))!, "@day", day));
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            var (clear, fill) = RollUpStatements(db, stale.Rollup);
            foreach (var statement in clear)
            {
                await RunAsync(statement);
            }

            try
            {
                foreach (var statement in fill)
                {
                    await RunAsync(statement);
                }
            }
            catch (DbException) when (!cancellationToken.IsCancellationRequested)
            {
                // Another node wrote the same day's rows meanwhile; the mark stays, and the next pass rolls the day up again.
                return;
            }

            await transaction.CommitAsync(cancellationToken);
        }

        // Cleared only if nothing marked the day again meanwhile; otherwise the next pass rolls it up once more.
        await db.StaleReportDays.Where(d => d.WorkspaceId == workspaceId && d.Day == day && d.Rollup == stale.Rollup && d.Version == stale.Version)
            .ExecuteDeleteAsync(cancellationToken);
    }
}
