using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Sla;

namespace Porchlight.Server.Features.Reports;

/// <summary>
/// One <see cref="MeasuredFact"/> of a conversation, stored: what the rollups add up. A conversation's facts are
/// always replaced whole, recomputed from its event log (<see cref="ReportFacts"/>), so they are exactly what the log
/// says at every moment. "None" of a team or an agent is <see cref="Guid.Empty"/>, so the rollups' keys have no nulls.
/// </summary>
public sealed class ReportFact : IWorkspaceOwned
{
    private ReportFact()
    {
    }

    public Guid Id { get; private set; } = TimeOrderedIds.Next();

    public Guid WorkspaceId { get; private set; }

    public Guid ConversationId { get; private set; }

    /// <summary>The day it happened in the workspace's time zone.</summary>
    public DateOnly Day { get; private set; }

    public Guid InboxId { get; private set; }

    public Guid TeamId { get; private set; }

    public Guid AgentId { get; private set; }

    public ReportMetric Metric { get; private set; }

    /// <summary>For a time, its <see cref="ReportBuckets">bucket</see>; for a survey score, the score; for anything else 0.</summary>
    public int Bucket { get; private set; }

    /// <summary>
    /// Milliseconds on the clock, for a time; 0 otherwise. Whole numbers, so sums come out the same in any order and a
    /// table's rows add up to its total exactly.
    /// </summary>
    public long Milliseconds { get; private set; }

    /// <summary>Milliseconds in business hours, for a time; 0 otherwise.</summary>
    public long BusinessMilliseconds { get; private set; }

    /// <summary>
    /// The conversation's labels now (<see cref="ReportLabelRollup.SetOf"/>), copied into each fact so the label rollup
    /// adds a day's facts up without reading the conversations; rewritten when the labels change.
    /// </summary>
    public string LabelSet { get; private set; } = ReportLabelRollup.NoLabels;

    /// <summary>This fact, for a conversation with these labels.</summary>
    public ReportFact Labelled(IEnumerable<string> labels)
    {
        LabelSet = ReportLabelRollup.SetOf(labels);
        return this;
    }

    /// <summary>A survey score of the conversation, counted on the day the contact first answered, for whoever had the conversation then.</summary>
    public static ReportFact Score(ReportMetric metric, int score, Guid workspaceId, Guid conversationId, Guid inboxId, DateTime answeredAt, Guid? agentId, Guid? teamId, BusinessCalendar calendar) => new()
    {
        WorkspaceId = workspaceId,
        ConversationId = conversationId,
        Day = calendar.DayOf(answeredAt),
        InboxId = inboxId,
        TeamId = teamId ?? Guid.Empty,
        AgentId = agentId ?? Guid.Empty,
        Metric = metric,
        Bucket = score,
    };

    /// <summary>
    /// The customer's tone in a conversation (<see cref="ReportMetric.CustomerTone"/>): the average sentiment of their
    /// messages in thousandths (kept in <see cref="Milliseconds"/>, so a rollup's sum over its count is the average), its
    /// label as the bucket, on the day of their first message, for the conversation's team and agent now.
    /// </summary>
    public static ReportFact Tone(double averageSentiment, DateTime firstMessageAt, Guid workspaceId, Guid conversationId, Guid inboxId, Guid? teamId, Guid? agentId, BusinessCalendar calendar) => new()
    {
        WorkspaceId = workspaceId,
        ConversationId = conversationId,
        Day = calendar.DayOf(firstMessageAt),
        InboxId = inboxId,
        TeamId = teamId ?? Guid.Empty,
        AgentId = agentId ?? Guid.Empty,
        Metric = ReportMetric.CustomerTone,
        Bucket = (int)Assistant.Sentiment.Labelled(averageSentiment).Label,
        Milliseconds = (long)Math.Round(averageSentiment * 1000),
    };

    /// <summary>How long before a conversation the contact's previous one may have begun for them to count as coming back, by bucket.</summary>
    public static readonly TimeSpan[] ReturnWindows = [TimeSpan.FromDays(7), TimeSpan.FromDays(30)];

    /// <summary>
    /// That the contact came back (<see cref="ReportMetric.Returned"/>), when their previous conversation began within
    /// the <see cref="ReturnWindows">30 days</see> before this one; counted like the conversation's own
    /// <see cref="ReportMetric.Conversations"/> fact (<paramref name="begun"/>: its day, inbox and team), so every filter
    /// counts the two alike. Null when the contact did not come back.
    /// </summary>
    public static ReportFact? Returned(ReportFact begun, DateTime begunAt, DateTime? previousBegunAt)
    {
        var bucket = previousBegunAt is { } previous ? Array.FindIndex(ReturnWindows, window => begunAt - previous <= window) : -1;
        return bucket < 0 ? null : new()
        {
            WorkspaceId = begun.WorkspaceId,
            ConversationId = begun.ConversationId,
            Day = begun.Day,
            InboxId = begun.InboxId,
            TeamId = begun.TeamId,
            AgentId = begun.AgentId,
            Metric = ReportMetric.Returned,
            Bucket = bucket,
            LabelSet = begun.LabelSet,
        };
    }

    public static ReportFact Of(MeasuredFact fact, Guid workspaceId, Guid conversationId, Guid inboxId, BusinessCalendar calendar) => new()
    {
        WorkspaceId = workspaceId,
        ConversationId = conversationId,
        Day = calendar.DayOf(fact.At),
        InboxId = inboxId,
        TeamId = fact.TeamId ?? Guid.Empty,
        AgentId = fact.AgentId ?? Guid.Empty,
        Metric = fact.Metric,
        Bucket = fact.Length is { } length ? ReportBuckets.Of(length.Calendar) : 0,
        Milliseconds = (long)Math.Round(fact.Length?.Calendar.TotalMilliseconds ?? 0),
        BusinessMilliseconds = (long)Math.Round(fact.Length?.Business.TotalMilliseconds ?? 0),
    };
}

/// <summary>What a report adds up, in either rollup: a day's count and times of one metric and bucket for an inbox and team.</summary>
public interface IRollupRow
{
    DateOnly Day { get; }

    Guid InboxId { get; }

    Guid TeamId { get; }

    ReportMetric Metric { get; }

    int Bucket { get; }

    int Count { get; }

    long Milliseconds { get; }

    long BusinessMilliseconds { get; }
}

/// <summary>
/// A day's facts added up by inbox, team, agent, metric and bucket: what every report reads, a few thousand rows for
/// a month where the facts are millions. A day is always rolled up whole from its facts (<see cref="ReportRollups"/>).
/// </summary>
public sealed class ReportRollup : IWorkspaceOwned, IRollupRow
{
    private ReportRollup()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public DateOnly Day { get; private set; }

    public Guid InboxId { get; private set; }

    public Guid TeamId { get; private set; }

    public Guid AgentId { get; private set; }

    public ReportMetric Metric { get; private set; }

    public int Bucket { get; private set; }

    public int Count { get; private set; }

    public long Milliseconds { get; private set; }

    public long BusinessMilliseconds { get; private set; }
}

/// <summary>
/// The same day's rollup without the agent key (the rows of <see cref="ReportRollup"/> added up over agents, in the
/// same transaction): several times fewer rows, read by the reports not split or filtered by agent.
/// </summary>
public sealed class ReportTeamRollup : IWorkspaceOwned, IRollupRow
{
    private ReportTeamRollup()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public DateOnly Day { get; private set; }

    public Guid InboxId { get; private set; }

    public Guid TeamId { get; private set; }

    public ReportMetric Metric { get; private set; }

    public int Bucket { get; private set; }

    public int Count { get; private set; }

    public long Milliseconds { get; private set; }

    public long BusinessMilliseconds { get; private set; }
}

/// <summary>
/// The same day's facts added up by the conversation's whole set of labels now (<see cref="LabelSet"/>, the labels as a
/// JSON array in order, <c>[]</c> for none) instead of by agent: what the label, intent and insight reports read. Keyed
/// by the set rather than by each label, every fact counts once, so a conversation with two labels shows in both rows
/// and the total still equals the overview; a label's rows, "no label" and "no intent" are sets picked in memory. A
/// label change rewrites the set in the conversation's facts and marks their days stale (<see cref="ReportFacts.RelabelAsync"/>).
/// </summary>
public sealed class ReportLabelRollup : IWorkspaceOwned, IRollupRow
{
    public const string NoLabels = "[]";

    private ReportLabelRollup()
    {
    }

    /// <summary>A conversation's labels as a set: a JSON array, in order (labels are kept ordered and each once).</summary>
    public static string SetOf(IEnumerable<string> labels) => System.Text.Json.JsonSerializer.Serialize(labels);

    public Guid WorkspaceId { get; private set; }

    public DateOnly Day { get; private set; }

    public Guid InboxId { get; private set; }

    public Guid TeamId { get; private set; }

    public string LabelSet { get; private set; } = NoLabels;

    public ReportMetric Metric { get; private set; }

    public int Bucket { get; private set; }

    public int Count { get; private set; }

    public long Milliseconds { get; private set; }

    public long BusinessMilliseconds { get; private set; }
}

/// <summary>Which of a day's rollups a <see cref="StaleReportDay"/> mark asks for again.</summary>
public enum StaleRollup
{
    /// <summary>The rollups by agent and by team (<see cref="ReportRollup"/>, <see cref="ReportTeamRollup"/>).</summary>
    Figures = 0,

    /// <summary>The rollup by set of labels (<see cref="ReportLabelRollup"/>).</summary>
    Labels = 1,
}

/// <summary>
/// A day of a workspace whose facts changed since one of its rollups was rolled up: marked in the same transaction as
/// the facts (see <see cref="StaleMarks"/>), cleared by the rollup once it has rolled the day up again. A mark per
/// rollup, so a report rolls up only what it reads, and a relabel only the label rollup.
/// </summary>
public sealed class StaleReportDay
{
    public static readonly string[] Keys = [nameof(WorkspaceId), nameof(Day), nameof(Rollup)];

    /// <summary>Every rollup: what a change of the facts themselves marks.</summary>
    public static readonly StaleRollup[] All = [StaleRollup.Figures, StaleRollup.Labels];

    private StaleReportDay()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public DateOnly Day { get; private set; }

    public StaleRollup Rollup { get; private set; }

    public long Version { get; private set; }

    /// <summary>Marks the workspace's days stale for the rollups given, in the context's open transaction.</summary>
    public static Task MarkAsync(DbContext db, Guid workspaceId, IEnumerable<DateOnly> days, StaleRollup[] rollups, CancellationToken cancellationToken) =>
        StaleMarks.MarkAsync<StaleReportDay>(db, Keys, days.Order().SelectMany(day => rollups.Select(rollup => new object[] { workspaceId, day, rollup })), cancellationToken);
}

/// <summary>The ranges a time falls in, for the distributions a report draws: a bucket is the index of its range.</summary>
public static class ReportBuckets
{
    /// <summary>Where each range ends (the last has no end).</summary>
    public static readonly TimeSpan[] Ends =
    [
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromHours(1), TimeSpan.FromHours(4), TimeSpan.FromHours(24),
    ];

    public static readonly string[] Labels = ["< 1 min", "1–5 min", "5–15 min", "15–60 min", "1–4 h", "4–24 h", "≥ 24 h"];

    public static int Of(TimeSpan length)
    {
        var bucket = 0;
        while (bucket < Ends.Length && length >= Ends[bucket])
        {
            bucket++;
        }

        return bucket;
    }
}

internal sealed class ReportFactConfiguration : IEntityTypeConfiguration<ReportFact>
{
    public void Configure(EntityTypeBuilder<ReportFact> builder)
    {
        builder.Property(f => f.Metric).HasConversion<int>();
        builder.HasIndex(f => f.ConversationId);
        builder.HasIndex(f => new { f.WorkspaceId, f.Day }); // a day's facts, for its rollup
        // No foreign key to the conversation: a conversation deleted by retention leaves its facts, so a day rolled up again
        // still counts it and reports keep their figures (docs/privacy.md#retention). They go with their workspace, and
        // with their inbox (DeleteInbox).
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(f => f.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ReportRollupConfiguration : IEntityTypeConfiguration<ReportRollup>
{
    public void Configure(EntityTypeBuilder<ReportRollup> builder)
    {
        // Workspace and day first: every report reads a range of days.
        builder.HasKey(r => new { r.WorkspaceId, r.Day, r.InboxId, r.TeamId, r.AgentId, r.Metric, r.Bucket });
        // The agents' table and a report of one agent read a range of days by agent: an index that holds the whole row
        // answers them without a look-up in the table per row (on SQLite, the rows of a month are a few hundred thousand).
        builder.HasIndex(r => new { r.WorkspaceId, r.Day, r.AgentId, r.InboxId, r.TeamId, r.Metric, r.Bucket, r.Count, r.Milliseconds, r.BusinessMilliseconds })
            .HasDatabaseName("IX_ReportRollups_ByAgent");
        builder.Property(r => r.Metric).HasConversion<int>();
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(r => r.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ReportTeamRollupConfiguration : IEntityTypeConfiguration<ReportTeamRollup>
{
    public void Configure(EntityTypeBuilder<ReportTeamRollup> builder)
    {
        builder.HasKey(r => new { r.WorkspaceId, r.Day, r.InboxId, r.TeamId, r.Metric, r.Bucket });
        builder.Property(r => r.Metric).HasConversion<int>();
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(r => r.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ReportLabelRollupConfiguration : IEntityTypeConfiguration<ReportLabelRollup>
{
    public void Configure(EntityTypeBuilder<ReportLabelRollup> builder)
    {
        builder.HasKey(r => new { r.WorkspaceId, r.Day, r.InboxId, r.TeamId, r.LabelSet, r.Metric, r.Bucket });
        builder.Property(r => r.Metric).HasConversion<int>();
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(r => r.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class StaleReportDayConfiguration : IEntityTypeConfiguration<StaleReportDay>
{
    public void Configure(EntityTypeBuilder<StaleReportDay> builder)
    {
        builder.HasKey(d => new { d.WorkspaceId, d.Day, d.Rollup });
        builder.Property(d => d.Rollup).HasConversion<int>();
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(d => d.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
