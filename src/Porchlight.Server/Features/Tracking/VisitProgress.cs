using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Porchlight.Server.Data;

namespace Porchlight.Server.Features.Tracking;

/// <summary>
/// What one batch of events adds to a visit already stored: its page views and custom events counted, its latest
/// activity, its entry page if it had none, and its exit page moved on by a page view no older than what the row
/// has. Written as one UPDATE relative to the row's own values, so the writer need not read the row first, and two
/// writers adding to the same visit (two nodes) both count instead of the later overwriting the earlier.
/// </summary>
internal sealed class VisitProgress
{
    private DateTime _lastSeenAt;
    private string? _entryUrl;
    private string? _exitUrl;
    private DateTime? _exitAt;
    private int _pageViews;
    private int _customEvents;

    /// <param name="isNew">The visit begins in this batch: its row is inserted whole, not added to.</param>
    public VisitProgress(TrackedSession visit, bool isNew) => (Visit, IsNew) = (visit, isNew);

    /// <summary>The visit as this node knows it: only its fixed columns (start, source, software, country) are sure to be current.</summary>
    public TrackedSession Visit { get; }

    public bool IsNew { get; }

    /// <summary>Counts <paramref name="done"/> here and in <see cref="Visit"/>.</summary>
    public void Saw(TrackedEvent done)
    {
        Visit.Saw(done);
        _lastSeenAt = done.ReceivedAt > _lastSeenAt ? done.ReceivedAt : _lastSeenAt;
        switch (done.Type)
        {
            case TrackedEventType.PageView:
                _pageViews++;
                _entryUrl ??= done.Url;
                (_exitUrl, _exitAt) = (done.Url, done.ReceivedAt);
                break;
            case TrackedEventType.Custom:
                _customEvents++;
                break;
        }
    }

    /// <summary>The UPDATE and its parameters, built from the EF Core model as <see cref="RowStatements{TEntity}"/> builds its own.</summary>
    public sealed class Statement
    {
        private readonly IProperty _inbox, _key, _time, _url, _count;

        public Statement(DbContext db)
        {
            var type = db.Model.FindEntityType(typeof(TrackedSession))!;
            var sql = db.GetService<ISqlGenerationHelper>();
            IProperty Property(string name) => type.FindProperty(name)!;
            string Column(string name) => sql.DelimitIdentifier(Property(name).GetColumnName());
            (_inbox, _key, _time, _url, _count) = (Property(nameof(TrackedSession.InboxId)), Property(nameof(TrackedSession.SessionKey)),
                Property(nameof(TrackedSession.LastSeenAt)), Property(nameof(TrackedSession.ExitUrl)), Property(nameof(TrackedSession.PageViews)));
            var (lastSeen, exit) = (Column(nameof(TrackedSession.LastSeenAt)), Column(nameof(TrackedSession.ExitUrl)));
            var (entry, views, custom) = (Column(nameof(TrackedSession.EntryUrl)), Column(nameof(TrackedSession.PageViews)), Column(nameof(TrackedSession.CustomEvents)));
            // Every right-hand side reads the row as it was before this statement, the exit page's test included.
            Text = $"UPDATE {sql.DelimitIdentifier(type.GetTableName()!)} SET " +
                $"{exit} = CASE WHEN @exit IS NOT NULL AND @exitAt >= {lastSeen} THEN @exit ELSE {exit} END, " +
                $"{entry} = COALESCE({entry}, @entry), " +
                $"{lastSeen} = CASE WHEN @last > {lastSeen} THEN @last ELSE {lastSeen} END, " +
                $"{views} = {views} + @views, {custom} = {custom} + @custom " +
                $"WHERE {Column(nameof(TrackedSession.InboxId))} = @inbox AND {Column(nameof(TrackedSession.SessionKey))} = @key";
        }

        public string Text { get; }

        /// <summary>Adds what <paramref name="progress"/> counted to its visit's row, which must exist (or the batch fails).</summary>
        public Task AddAsync(PreparedCommands commands, VisitProgress progress, CancellationToken cancellationToken) =>
            commands.ExecuteAsync(Text, (command, parameters) =>
            {
                parameters.Add(RowStatements.Parameter(command, _url, "@exit", progress._exitUrl));
                parameters.Add(RowStatements.Parameter(command, _time, "@exitAt", progress._exitAt ?? progress._lastSeenAt));
                parameters.Add(RowStatements.Parameter(command, _url, "@entry", progress._entryUrl));
                parameters.Add(RowStatements.Parameter(command, _time, "@last", progress._lastSeenAt));
                parameters.Add(RowStatements.Parameter(command, _count, "@views", progress._pageViews));
                parameters.Add(RowStatements.Parameter(command, _count, "@custom", progress._customEvents));
                parameters.Add(RowStatements.Parameter(command, _inbox, "@inbox", progress.Visit.InboxId));
                parameters.Add(RowStatements.Parameter(command, _key, "@key", progress.Visit.SessionKey));
            }, oneRowOf: $"Visit {progress.Visit.SessionKey}", cancellationToken);
    }
}
