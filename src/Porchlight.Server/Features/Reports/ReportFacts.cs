using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Assistant;
using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Features.Reports;

/// <summary>
/// Keeps a conversation's <see cref="ReportFact"/> rows equal to what its event log says: each refresh recomputes them
/// from the whole log and replaces them, and marks the days they left or entered for the rollup. A refresh reads the
/// log under the conversation's lock, so of two refreshes the later one always sees every entry the earlier one saw.
/// </summary>
public sealed class ReportFacts(AppDbContext db)
{
    public async Task RefreshAsync(Guid conversationId, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await RowLocks.LockAsync<Conversation>(db, conversationId, cancellationToken);
        if (await db.Conversations.AsNoTracking().Where(c => c.Id == conversationId).Select(c => new { c.WorkspaceId, c.InboxId, c.TeamId, c.AssigneeId, c.ContactId, c.CreatedAt, c.Labels })
                .FirstOrDefaultAsync(cancellationToken) is not { } conversation)
        {
            return; // deleted meanwhile: its facts went with it
        }

        var timeline = (await db.ConversationEvents.AsNoTracking().Where(e => e.ConversationId == conversationId).ToListAsync(cancellationToken))
            .ConvertAll(e => e.ToTimeline());
        var calendar = (await db.Workspaces.AsNoTracking().FirstAsync(w => w.Id == conversation.WorkspaceId, cancellationToken)).Calendar();
        var facts = ConversationMeasures.Of(timeline, calendar).Facts
            .Select(f => ReportFact.Of(f, conversation.WorkspaceId, conversationId, conversation.InboxId, calendar)).ToList();
        if (facts.Find(f => f.Metric == ReportMetric.Conversations) is { } begun)
        {
            var previous = await db.Conversations.AsNoTracking().Where(c => c.ContactId == conversation.ContactId && c.CreatedAt < conversation.CreatedAt)
                .MaxAsync(c => (DateTime?)c.CreatedAt, cancellationToken);
            if (ReportFact.Returned(begun, conversation.CreatedAt, previous) is { } returned)
            {
                facts.Add(returned);
            }
        }

        if (await db.SurveyResponses.AsNoTracking().FirstOrDefaultAsync(r => r.ConversationId == conversationId && r.AnsweredAt != null, cancellationToken) is { } survey)
        {
            foreach (var (metric, score) in new[] { (ReportMetric.Satisfaction, survey.Rating), (ReportMetric.Effort, survey.Effort), (ReportMetric.Recommend, survey.Recommend) })
            {
                if (score is { } given)
                {
                    facts.Add(ReportFact.Score(metric, given, conversation.WorkspaceId, conversationId, conversation.InboxId, survey.AnsweredAt!.Value, survey.AgentId, survey.TeamId, calendar));
                }
            }
        }

        var tone = await db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversationId && m.Kind == MessageKind.Incoming && m.Sentiment != null)
            .GroupBy(m => m.ConversationId)
            .Select(g => new { Average = g.Average(m => m.Sentiment!.Value), First = g.Min(m => m.CreatedAt) })
            .FirstOrDefaultAsync(cancellationToken);
        if (tone is not null)
        {
            facts.Add(ReportFact.Tone(tone.Average, tone.First, conversation.WorkspaceId, conversationId, conversation.InboxId, conversation.TeamId, conversation.AssigneeId, calendar));
        }

        facts.ForEach(f => f.Labelled(conversation.Labels));
        var oldDays = await db.ReportFacts.Where(f => f.ConversationId == conversationId).Select(f => f.Day).Distinct().ToListAsync(cancellationToken);
        await db.ReportFacts.Where(f => f.ConversationId == conversationId).ExecuteDeleteAsync(cancellationToken);
        db.ReportFacts.AddRange(facts);
        await db.SaveChangesAsync(cancellationToken);
        await StaleReportDay.MarkAsync(db, conversation.WorkspaceId, oldDays.Union(facts.Select(f => f.Day)), StaleReportDay.All, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Writes a conversation's labels now into its facts and marks their days stale, for the label rollup, after its
    /// labels changed (nothing else in the facts depends on them). Under the conversation's lock and after the change
    /// was committed, so the labels read are at least those of the change, and a rollup that read the old ones runs again.
    /// </summary>
    public async Task RelabelAsync(Guid conversationId, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await RowLocks.LockAsync<Conversation>(db, conversationId, cancellationToken);
        if (await db.Conversations.AsNoTracking().Where(c => c.Id == conversationId).Select(c => new { c.WorkspaceId, c.Labels }).FirstOrDefaultAsync(cancellationToken) is not { } conversation)
        {
            return;
        }

        var set = ReportLabelRollup.SetOf(conversation.Labels);
        var stale = db.ReportFacts.Where(f => f.ConversationId == conversationId && f.LabelSet != set);
        var days = await stale.Select(f => f.Day).Distinct().ToListAsync(cancellationToken);
        await stale.ExecuteUpdateAsync(update => update.SetProperty(f => f.LabelSet, set), cancellationToken);
        await StaleReportDay.MarkAsync(db, conversation.WorkspaceId, days, [StaleRollup.Labels], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}

/// <summary>
/// Refreshes a conversation's facts after each change its event log records (see <see cref="ConversationEvent.For"/>),
/// and after its survey is answered; relabels them after its labels changed.
/// </summary>
public sealed class RefreshReportFacts(ReportFacts facts) :
    IDomainEventHandler<ConversationStarted>,
    IDomainEventHandler<AssistantJoined>,
    IDomainEventHandler<AssistantHandedOver>,
    IDomainEventHandler<ReplyAwaited>,
    IDomainEventHandler<ReplyGiven>,
    IDomainEventHandler<ConversationAssigned>,
    IDomainEventHandler<ConversationStatusChanged>,
    IDomainEventHandler<Surveys.SurveyAnswered>,
    IDomainEventHandler<ConversationLabelsChanged>
{
    public Task HandleAsync(ConversationStarted domainEvent, CancellationToken cancellationToken) => facts.RefreshAsync(domainEvent.ConversationId, cancellationToken);

    public Task HandleAsync(AssistantJoined domainEvent, CancellationToken cancellationToken) => facts.RefreshAsync(domainEvent.ConversationId, cancellationToken);

    public Task HandleAsync(AssistantHandedOver domainEvent, CancellationToken cancellationToken) => facts.RefreshAsync(domainEvent.ConversationId, cancellationToken);

    public Task HandleAsync(ReplyAwaited domainEvent, CancellationToken cancellationToken) => facts.RefreshAsync(domainEvent.ConversationId, cancellationToken);

    public Task HandleAsync(ReplyGiven domainEvent, CancellationToken cancellationToken) => facts.RefreshAsync(domainEvent.ConversationId, cancellationToken);

    public Task HandleAsync(ConversationAssigned domainEvent, CancellationToken cancellationToken) => facts.RefreshAsync(domainEvent.ConversationId, cancellationToken);

    public Task HandleAsync(ConversationStatusChanged domainEvent, CancellationToken cancellationToken) => facts.RefreshAsync(domainEvent.ConversationId, cancellationToken);

    public Task HandleAsync(Surveys.SurveyAnswered domainEvent, CancellationToken cancellationToken) => facts.RefreshAsync(domainEvent.ConversationId, cancellationToken);

    public Task HandleAsync(ConversationLabelsChanged domainEvent, CancellationToken cancellationToken) => facts.RelabelAsync(domainEvent.ConversationId, cancellationToken);
}
