using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.KnowledgeBase;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Assistant;

/// <summary>Puts a new chat in the hands of its inbox's assistant, when the inbox has one switched on.</summary>
public sealed class AssistantSessions(AppDbContext db, TimeProvider clock)
{
    /// <summary>
    /// Adds the session to the conversation being started (tracked by this context, saved with it): routing waits
    /// for the assistant's handover instead of queueing the conversation at once.
    /// </summary>
    public async Task JoinAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        if (conversation.Origin != ConversationOrigin.Chat)
        {
            return;
        }

        var flow = await db.AssistantFlows.AsNoTracking().Where(f => f.InboxId == conversation.InboxId && f.IsEnabled)
            .Select(f => new { f.CurrentVersionId, f.BotWebhookId }).FirstOrDefaultAsync(cancellationToken);
        if (flow is not null)
        {
            db.AssistantSessions.Add(AssistantSession.Join(
                conversation.WorkspaceId, conversation.Id, conversation.InboxId, flow.CurrentVersionId, flow.BotWebhookId, clock.GetUtcNow().UtcDateTime));
        }
    }
}

/// <summary>
/// The assistant answers each message a contact writes in a conversation it attends: the flow engine decides, and
/// its replies, the conversation's changes and the session's new state are stored in one commit. The turn is worked
/// out before the conversation is locked (classifying and searching take a while) and stored only if no other turn
/// was stored meanwhile; otherwise it is worked out again. An agent who has written or taken the conversation ends
/// the assistant's part. Where an external bot attends instead, the message goes to the bot's webhook (in the same
/// commit that marks it handled), except a request for a person, which Porchlight answers itself.
/// </summary>
public sealed class AnswerAsAssistant(
    AppDbContext db, ConversationChanges changes, AssistantTurns turns, Webhooks.WebhookOutbox webhooks, Webhooks.WebhookSender webhookSender, PublicUrls urls,
    TimeProvider clock)
    : IDomainEventHandler<ContactMessageReceived>
{
    private const int Attempts = 3;

    public async Task HandleAsync(ContactMessageReceived received, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            if (await TryAnswerAsync(received, cancellationToken))
            {
                return;
            }
        }

        throw new InvalidOperationException($"The assistant could not answer in conversation {received.ConversationId}: other turns kept being stored first.");
    }

    // False when another turn was stored while this one was worked out.
    private async Task<bool> TryAnswerAsync(ContactMessageReceived received, CancellationToken cancellationToken)
    {
        var session = await db.AssistantSessions.AsNoTracking().FirstOrDefaultAsync(s => s.ConversationId == received.ConversationId, cancellationToken);
        var message = await db.Messages.AsNoTracking().Where(m => m.Id == received.MessageId).Select(m => new { m.Sequence }).FirstOrDefaultAsync(cancellationToken);
        if (session is not { Outcome: FlowOutcome.Active } || message is null || message.Sequence <= session.HandledSequence)
        {
            return true; // Not the assistant's, or answered already (a redelivered event, or a later message answered for it).
        }

        var conversation = await db.Conversations.AsNoTracking().FirstAsync(c => c.Id == received.ConversationId, cancellationToken);
        // Events may come out of order: the turn answers every message since the last one answered, oldest first.
        var pending = await db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversation.Id && m.Kind == MessageKind.Incoming && m.Sequence > session.HandledSequence && m.Sequence <= message.Sequence)
            .OrderBy(m => m.Sequence).Select(m => new PendingMessage(m.Id, m.Sequence, m.Text)).ToListAsync(cancellationToken);
        var (turn, forBot) = PeopleHaveIt(conversation) ? (null, []) : await WorkOutAsync(session, conversation, pending, cancellationToken);

        var stored = false;
        var forwarded = false;
        await changes.DecideAndWriteAsync(async ct =>
        {
            await RowLocks.LockAsync<Conversation>(db, conversation.Id, ct);
            var current = await db.AssistantSessions.FirstAsync(s => s.Id == session.Id, ct);
            var locked = await db.Conversations.FirstAsync(c => c.Id == conversation.Id, ct);
            if (current.HandledSequence != session.HandledSequence || current.Outcome != FlowOutcome.Active)
            {
                stored = current.HandledSequence >= message.Sequence || current.Outcome != FlowOutcome.Active;
                return null;
            }

            stored = true;
            var now = clock.GetUtcNow().UtcDateTime;
            if (PeopleHaveIt(locked) || (turn is null && forBot.Count == 0))
            {
                current.StepBack(now);
                return new ConversationDecision(locked, StepBackActivity);
            }

            foreach (var each in forBot)
            {
                var data = new AssistantMessageWebhookData(
                    await webhooks.DescribeAsync(locked, ct), each.Id, each.Sequence, each.Text, each.Sequence == pending[0].Sequence && session.HandledSequence == 0,
                    urls.To($"/api/v1/conversations/{locked.Id}/assistant"));
                forwarded |= await webhooks.AddAsync(Webhooks.WebhookEvents.AssistantMessage, data, $"assistant.message:{each.Id}", locked.Id, locked.InboxId, session.BotWebhookId, ct) > 0;
            }

            current.Answered(turn?.State ?? current.State, message.Sequence, now);
            if (turn is null)
            {
                return new ConversationDecision(locked, Activity: null);
            }

            return await turns.DecideAsync(turn, locked, now, ct);
        }, authorAgentId: null, cancellationToken);
        if (forwarded)
        {
            webhookSender.Notify();
        }

        return stored;
    }

    public const string StepBackActivity = "The assistant stepped back: an agent has the conversation";

    /// <summary>Whether an agent has the conversation (assigned, or has replied): the assistant's part is over.</summary>
    public static bool PeopleHaveIt(Conversation conversation) => conversation.AssigneeId is not null || conversation.FirstAgentReplyAt is not null;

    private sealed record PendingMessage(Guid Id, long Sequence, string Text);

    // The flow's turn for the pending messages, and those that go to an external bot instead. A bot gets each message,
    // except that a request for a person (or an email address the assistant asked for) is answered here.
    private async Task<(FlowTurn? Turn, List<PendingMessage> ForBot)> WorkOutAsync(
        AssistantSession session, Conversation conversation, List<PendingMessage> pending, CancellationToken cancellationToken)
    {
        var state = session.State;
        var notStarted = session.HandledSequence == 0 && state.StepId is null && state.Wait == FlowWait.None;
        FlowRun? run = null;
        FlowTurn? turn = null;
        var forBot = new List<PendingMessage>();
        foreach (var each in pending)
        {
            var byBot = session.BotWebhookId is not null && state.Wait != FlowWait.ContactEmail;
            if (byBot && turn is null && !FlowRun.WantsPerson(each.Text))
            {
                forBot.Add(each);
                continue;
            }

            run ??= await turns.RunFor(session, conversation, cancellationToken);
            turn = byBot && state.Outcome == FlowOutcome.Active
                ? await run.HandOverAsync(state, null, "the visitor asked for a person", cancellationToken)
                : notStarted ? await run.StartAsync(each.Text, cancellationToken) : await run.ContinueAsync(state, each.Text, cancellationToken);
            state = turn.State;
            notStarted = false;
        }

        return (turn, forBot);
    }
}

/// <summary>
/// The assistant steps back the moment an agent is assigned the conversation or replies in it: it says nothing more,
/// a bot's answers are refused, and the contact's wait for that person starts (for response times and SLAs) if the
/// agent has not replied yet.
/// </summary>
public sealed class StepBackForPeople(AppDbContext db, ConversationChanges changes, TimeProvider clock)
    : IDomainEventHandler<ConversationAssigned>, IDomainEventHandler<ReplyGiven>
{
    public Task HandleAsync(ConversationAssigned assigned, CancellationToken cancellationToken) =>
        assigned.ToAgentId is null ? Task.CompletedTask : StepBackAsync(assigned.ConversationId, cancellationToken);

    public Task HandleAsync(ReplyGiven replied, CancellationToken cancellationToken) => StepBackAsync(replied.ConversationId, cancellationToken);

    private async Task StepBackAsync(Guid conversationId, CancellationToken cancellationToken)
    {
        if (!await db.AssistantSessions.AnyAsync(s => s.ConversationId == conversationId && s.Outcome == FlowOutcome.Active, cancellationToken))
        {
            return;
        }

        await changes.DecideAndWriteAsync(async ct =>
        {
            await RowLocks.LockAsync<Conversation>(db, conversationId, ct);
            var conversation = await db.Conversations.FirstAsync(c => c.Id == conversationId, ct);
            var session = await db.AssistantSessions.FirstAsync(s => s.ConversationId == conversationId, ct);
            if (session.Outcome != FlowOutcome.Active || !AnswerAsAssistant.PeopleHaveIt(conversation))
            {
                return null;
            }

            var now = clock.GetUtcNow().UtcDateTime;
            session.StepBack(now);
            if (conversation.FirstAgentReplyAt is null)
            {
                conversation.ReachPeople(now);
            }

            return new ConversationDecision(conversation, AnswerAsAssistant.StepBackActivity);
        }, authorAgentId: null, cancellationToken);
    }
}

/// <summary>A visitor's message for an external bot, with where to answer it (<c>assistantUrl</c>: POST its /messages, /handover or /resolve).</summary>
public sealed record AssistantMessageWebhookData(
    Webhooks.WebhookConversation Conversation, Guid MessageId, long Sequence, string Text, bool First, string AssistantUrl);

/// <summary>
/// What a turn of the assistant (the flow's, or an external bot's) changes in a conversation, applied to the locked
/// conversation inside the caller's commit; and the flow engine for a session, with this workspace's services.
/// </summary>
public sealed class AssistantTurns(
    AppDbContext db, IntentClassifiers classifiers, ArticleSearch articles, HelpCenterSettings helpCenter, AgentPresence presence, TimeProvider clock)
{
    public async Task<FlowRun> RunFor(AssistantSession session, Conversation conversation, CancellationToken cancellationToken)
    {
        var version = await db.AssistantFlowVersions.AsNoTracking().FirstAsync(v => v.Id == session.FlowVersionId, cancellationToken);
        var contact = await db.Contacts.AsNoTracking().Where(c => c.Id == conversation.ContactId)
            .Select(c => new FlowContact(c.Name, c.Email, c.Attributes)).FirstOrDefaultAsync(cancellationToken);
        return await RunForAsync(version.Definition, conversation.WorkspaceId, contact, cancellationToken);
    }

    /// <summary>The engine for <paramref name="definition"/> in a workspace, for <paramref name="contact"/> (null: a visitor not known yet).</summary>
    public async Task<FlowRun> RunForAsync(FlowDefinition definition, Guid workspaceId, FlowContact? contact, CancellationToken cancellationToken)
    {
        var workspace = await db.Workspaces.AsNoTracking().FirstAsync(w => w.Id == workspaceId, cancellationToken);
        return new FlowRun(definition, new ConversationFlowServices(
            db, classifiers, articles, helpCenter, presence, workspace, contact ?? new FlowContact(null, null, new Dictionary<string, string>()), clock));
    }

    /// <summary>The decision that stores a turn: its replies as the assistant's messages, and its changes (<see cref="ApplyAsync"/>).</summary>
    public async Task<ConversationDecision> DecideAsync(FlowTurn turn, Conversation conversation, DateTime now, CancellationToken cancellationToken)
    {
        var messages = turn.Replies.Select(r => new AutomaticMessage(MessageKind.Outgoing, r.Text, r.QuickReplies)).ToList();
        return new ConversationDecision(conversation, await ApplyAsync(turn, conversation, messages, now, cancellationToken), messages);
    }

    /// <summary>Makes the turn's changes; returns the activity that says what the assistant did, if worth saying.</summary>
    public async Task<string?> ApplyAsync(FlowTurn turn, Conversation conversation, List<AutomaticMessage> messages, DateTime now, CancellationToken cancellationToken)
    {
        var attributes = new Dictionary<string, string>(conversation.Attributes, StringComparer.Ordinal);
        Contacts.Contact? contact = null;
        string? activity = null;
        foreach (var effect in turn.Effects)
        {
            switch (effect)
            {
                case FieldCollected { Field: "name" } name when name.Value.Trim().Length <= Contacts.Contact.MaxNameLength:
                    contact ??= await db.Contacts.FirstOrDefaultAsync(c => c.Id == conversation.ContactId, cancellationToken);
                    contact?.Describe(name.Value, null, null, now);
                    break;
                case FieldCollected { Field: "email" } email when FlowRun.IsEmail(email.Value.Trim()):
                    contact ??= await db.Contacts.FirstOrDefaultAsync(c => c.Id == conversation.ContactId, cancellationToken);
                    contact?.Describe(null, email.Value, null, now);
                    break;
                case FieldCollected field when field.Field.Length <= CustomAttributes.MaxKeyLength
                    && (attributes.ContainsKey(field.Field) || attributes.Count < CustomAttributes.MaxCount):
                    // Kept as the conversation's attribute within its limits; the whole answer stays in the note and the thread.
                    var value = field.Value.Trim();
                    attributes[field.Field] = value.Length <= CustomAttributes.MaxValueLength ? value : value[..(CustomAttributes.MaxValueLength - 1)] + "…";
                    break;
                case LabelAdded label:
                    conversation.ChangeLabels([.. conversation.Labels, label.Label]);
                    break;
                case PriorityChanged priority:
                    conversation.ChangePriority(priority.Priority);
                    break;
                case IntentRecognised intent:
                    attributes["intent"] = intent.Intent;
                    conversation.ChangeLabels([.. conversation.Labels, intent.Intent]);
                    break;
                case ResolvedByAssistant resolved:
                    conversation.ChangeStatus(ConversationStatus.Resolved, snoozedUntil: null, now);
                    activity = resolved.Outcome == FlowOutcome.Contained
                        ? "Resolved by the assistant: the visitor's question was answered"
                        : "Resolved by the assistant at the end of its flow";
                    break;
                case HandedOver handedOver:
                    conversation.ReachPeople(now);
                    messages.Add(new AutomaticMessage(MessageKind.Note, await SummaryAsync(turn.State, conversation, handedOver.Reason, cancellationToken)));
                    activity = $"The assistant handed over: {handedOver.Reason}";
                    break;
            }
        }

        if (!attributes.SequenceEqual(conversation.Attributes))
        {
            conversation.ReplaceAttributes(attributes);
        }

        return activity;
    }

    /// <summary>
    /// The note an agent reads on taking over: why, what the visitor asked for, what they answered, what they were
    /// offered, and everything they wrote, so nobody asks again.
    /// </summary>
    private async Task<string> SummaryAsync(FlowState state, Conversation conversation, string reason, CancellationToken cancellationToken)
    {
        var words = await db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversation.Id && m.Kind == MessageKind.Incoming && m.DeletedAt == null)
            .OrderBy(m => m.Sequence).Select(m => m.Text).ToListAsync(cancellationToken);
        return FlowSummary.Compose(state, reason, words);
    }
}

/// <summary>What the flow engine asks for, answered from this workspace's data.</summary>
public sealed class ConversationFlowServices(
    AppDbContext db, IntentClassifiers classifiers, ArticleSearch articles, HelpCenterSettings helpCenter, AgentPresence presence,
    Workspaces.Workspace workspace, FlowContact contact, TimeProvider clock) : IFlowServices
{
    public FlowContact Contact => contact;

    public bool BusinessHoursOpen => workspace.Calendar().IsOpenAt(clock.GetUtcNow().UtcDateTime);

    public async Task<IntentPrediction?> ClassifyAsync(string text, CancellationToken cancellationToken) =>
        (await classifiers.ForAsync(db, workspace.Id, cancellationToken))?.Predict(text);

    /// <summary>Articles for the visitor's words, then for the intent's name when the words find too few.</summary>
    public async Task<IReadOnlyList<OfferedArticle>> FindArticlesAsync(string words, string? intent, int max, CancellationToken cancellationToken)
    {
        var queries = new[] { SuggestReplies.QueryOf([words]), intent?.Replace('-', ' ').Replace('_', ' ') ?? "" };
        var hits = new List<ArticleHit>();
        foreach (var query in queries.Where(q => q.Length > 0))
        {
            var found = await articles.SearchAsync(workspace.Id, query, ArticleStatus.Published, null, max, cancellationToken);
            hits.AddRange(found.Hits.Where(h => hits.All(seen => seen.Article.Id != h.Article.Id)));
            if (hits.Count >= max)
            {
                break;
            }
        }

        hits = [.. hits.Take(max)];
        var links = await helpCenter.PublicArticleLinksAsync(cancellationToken);
        var ids = hits.Select(h => h.Article.Id).ToList();
        var bodies = await db.Articles.AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Body, cancellationToken);
        return [.. hits.Select(h => new OfferedArticle(
            h.Article.Title, links?.Invoke(h.Article.Locale, h.Article.Slug), ArticleMarkdown.ToChatText(bodies.GetValueOrDefault(h.Article.Id, ""))))];
    }

    public async Task<FlowAvailability> AvailabilityAsync(Guid? teamId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var calendar = workspace.Calendar();
        var open = calendar.IsOpenAt(now);
        var online = open && await presence.AnyoneOnlineAsync(db, workspace.Id, cancellationToken);
        string? expected = null;
        if (!open && calendar.AfterOpenTime(now, TimeSpan.Zero) is { } opens)
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(workspace.TimeZone);
            var local = TimeZoneInfo.ConvertTimeFromUtc(opens, zone);
            expected = $"when we open again, {local.ToString("dddd HH:mm", CultureInfo.InvariantCulture)} ({workspace.TimeZone} time)";
        }

        return new FlowAvailability(open, online, expected);
    }
}

/// <summary>The handover note, from what the assistant learned.</summary>
public static class FlowSummary
{
    public static string Compose(FlowState state, string reason, IReadOnlyList<string> visitorWords)
    {
        var note = new StringBuilder();
        note.Append("**Handed over by the assistant**: ").Append(reason.ReplaceLineEndings(" ")).Append('.').Append('\n');
        if (state.Intent is { } intent)
        {
            note.Append("\n**Intent**: ").Append(intent.ReplaceLineEndings(" ")).Append(" (")
                .Append(((state.Confidence ?? 0) * 100).ToString("0", CultureInfo.InvariantCulture)).Append("% sure)");
        }

        if (state.Fields.Count > 0)
        {
            note.Append("\n\n**Collected**\n");
            foreach (var (field, value) in state.Fields)
            {
                // One line per answer, whatever the visitor typed: an answer cannot pose as a line of the note.
                note.Append("- ").Append(field).Append(": ").Append(value.ReplaceLineEndings(" ")).Append('\n');
            }
        }

        if (state.ArticlesOffered.Count > 0)
        {
            note.Append("\n**Articles offered**");
            note.Append(state.ArticlesHelped == false ? " (the visitor said they did not solve it)\n" : "\n");
            foreach (var title in state.ArticlesOffered.Distinct())
            {
                note.Append("- ").Append(title.ReplaceLineEndings(" ")).Append('\n');
            }
        }

        if (visitorWords.Count > 0)
        {
            note.Append("\n**The visitor wrote**\n");
            foreach (var words in visitorWords.Where(w => w.Length > 0))
            {
                note.Append("- “").Append(words.ReplaceLineEndings(" ")).Append("”\n");
            }
        }

        // A long chat is cut rather than lost: the whole thread is right above the note.
        var text = note.ToString().TrimEnd();
        return text.Length <= Message.MaxTextLength ? text : text[..(Message.MaxTextLength - 1)] + "…";
    }
}
