using Porchlight.Server.Data;
using Porchlight.Server.Features.Assistant;
using Porchlight.Server.Features.Contacts;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Sla;

namespace Porchlight.Server.Features.Reports;

/// <summary>One transaction's worth of generated history.</summary>
public sealed record HistoryChunk(
    List<Contact> Contacts, List<Conversation> Conversations, List<Message> Messages, List<ConversationEvent> Events, List<ReportFact> Facts, List<Surveys.SurveyResponse> Surveys);

/// <summary>Who the generated conversations are for: a workspace (and its calendar), its inboxes, and its teams with their agents.</summary>
public sealed record HistoryCast(Guid WorkspaceId, BusinessCalendar Calendar, Guid[] InboxIds, (Guid TeamId, Guid[] AgentIds)[] Teams);

/// <summary>
/// A past of a busy support team, deterministic for a seed, for the demo workspace's reports and the reports bench:
/// conversations through the day (more in the working hours, fewer at weekends), a third attended by the assistant
/// first (nearly half of those contained), the rest queued in a team and taken by one of its agents, a few exchanges,
/// a transfer now and then, a resolve, and some reopened and resolved again. Each conversation lives through the
/// entity's own methods, so its event log is the one the server would have written, and its facts are computed from
/// that log as the server computes them. Conversations end resolved.
/// </summary>
/// <param name="firstNumber">The display number of the first conversation; the others follow it.</param>
/// <param name="surveyPercent">How many in a hundred contacts answer a survey after the resolve (none by default, as in the bench).</param>
/// <param name="customerTone">Whether each conversation gets its topic label and customer-tone fact (not in the bench's recorded figures).</param>
public sealed class GeneratedHistory(
    HistoryCast cast, DateOnly first, int days, int conversations, int seed, int firstNumber = 1, int messagesPerConversation = 10, int surveyPercent = 0,
    bool customerTone = false)
{
    // Satisfaction 5 down to 1, effort 7 down to 1: how often each is given, in a hundred answers.
    private static readonly int[] RatingOdds = [50, 25, 10, 8, 7];
    private static readonly int[] EffortOdds = [35, 30, 15, 8, 5, 4, 3];

    private static readonly string[] PraiseComments = ["Super quick, thank you!", "Very helpful and friendly.", "Problem solved in minutes."];
    private static readonly string[] ComplaintComments = ["Took far too long to get an answer.", "I had to explain everything twice.", "Still waiting for the refund."];

    private static readonly string[] Questions =
    [
        "Hi, where is my order? Tracking hasn't moved in three days.", "Can I return the boots if I wore them once outside?",
        "Is the Ridgeline tent waterproof at the seams?", "I was charged twice for the same order, please help.",
        "Do you ship to Norway, and how long does it take?", "The zipper broke after a week, that's really disappointing.",
    ];

    /// <summary>The label of each question's topic, in the order of <see cref="Questions"/>.</summary>
    private static readonly string[] QuestionTopics = ["shipping", "returns", "product", "billing", "shipping", "product"];

    private static readonly string[] Answers =
    [
        "Thanks for waiting! Let me check that for you.", "I've looked into it: it's on its way and should arrive tomorrow.",
        "Yes, returns are free within 30 days.", "I've refunded the second charge; you'll see it in 3–5 days.",
    ];

    private readonly Dictionary<DateOnly, int> _begunPerDay = [];

    /// <summary>How many of the generated conversations began on the days given (in the workspace's zone); after <see cref="Chunks"/>.</summary>
    public int ConversationsBegun(DateOnly from, DateOnly to) => _begunPerDay.Where(d => d.Key >= from && d.Key <= to).Sum(d => d.Value);

    public IEnumerable<HistoryChunk> Chunks(int size)
    {
        var random = new Random(seed);
        var contactIds = new List<Guid>();
        var begun = new List<(Guid ContactId, DateTime At, ReportFact Fact)>(conversations);
        var end = cast.Calendar.StartOf(first.AddDays(days));
        for (var done = 0; done < conversations;)
        {
            var chunk = new HistoryChunk([], [], [], [], [], []);
            for (var i = 0; i < size && done < conversations; i++, done++)
            {
                // From the day's own start, so a day after a clock change still ends at its midnight.
                var at = cast.Calendar.StartOf(first.AddDays(random.Next(days))).Add(TimeOfDay(random));
                at = at < end ? at : end.AddMinutes(-1); // the last day may be one the clocks go forward, an hour short
                if (at.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday && random.Next(2) == 0)
                {
                    // Quieter weekends: Saturday's move to Friday, Sunday's to Monday, unless that Monday lies after the
                    // history's last day (which can be today, hours of it still to come): then to Friday as well.
                    var forward = at.DayOfWeek == DayOfWeek.Sunday && at.AddDays(1) < end;
                    at = at.AddDays(forward ? 1 : at.DayOfWeek == DayOfWeek.Saturday ? -1 : -2);
                }

                Guid contactId;
                if (contactIds.Count == 0 || random.Next(10) < 3)
                {
                    var contact = Contact.ForVisitor(cast.WorkspaceId, TimeOrderedIds.Next(), at);
                    contact.ClearDomainEvents(); // history: nothing to tell integrations of
                    chunk.Contacts.Add(contact);
                    contactIds.Add(contactId = contact.Id);
                }
                else
                {
                    contactId = contactIds[random.Next(contactIds.Count)];
                }

                var inboxId = cast.InboxIds[random.Next(10) < 6 ? 0 : random.Next(cast.InboxIds.Length)];
                var conversation = Conversation.Start(cast.WorkspaceId, inboxId, contactId, firstNumber + done, ConversationOrigin.Chat, null, at);
                chunk.Conversations.Add(conversation);
                var day = cast.Calendar.DayOf(at);
                _begunPerDay[day] = _begunPerDay.GetValueOrDefault(day) + 1;

                var (events, messages) = Life(random, conversation, at);
                chunk.Events.AddRange(events);
                chunk.Messages.AddRange(messages);
                var facts = ConversationMeasures.Of(events.ConvertAll(e => e.ToTimeline()), cast.Calendar).Facts
                    .Select(f => ReportFact.Of(f, cast.WorkspaceId, conversation.Id, inboxId, cast.Calendar)).ToList();
                if (customerTone)
                {
                    conversation.ChangeLabels([QuestionTopics[Array.IndexOf(Questions, messages.First(m => m.Kind == MessageKind.Incoming).Text)]]);
                    conversation.ClearDomainEvents();
                }

                var factsBefore = chunk.Facts.Count; // this conversation's facts, labelled once they are all there
                chunk.Facts.AddRange(facts);
                begun.Add((contactId, at, facts.Single(f => f.Metric == ReportMetric.Conversations)));
                if (customerTone && messages.Where(m => m.Kind == MessageKind.Incoming && m.Sentiment is not null).ToList() is { Count: > 0 } said)
                {
                    chunk.Facts.Add(ReportFact.Tone(said.Average(m => m.Sentiment!.Value), said.Min(m => m.CreatedAt), cast.WorkspaceId, conversation.Id, inboxId,
                        conversation.TeamId, conversation.AssigneeId, cast.Calendar));
                }

                if (surveyPercent > 0 && random.Next(100) < surveyPercent)
                {
                    var survey = Survey(random, conversation, messages[^1].CreatedAt.AddMinutes(random.Next(1, 30)));
                    chunk.Surveys.Add(survey);
                    chunk.Facts.Add(ReportFact.Score(ReportMetric.Satisfaction, survey.Rating!.Value, cast.WorkspaceId, conversation.Id, inboxId, survey.AnsweredAt!.Value, survey.AgentId, survey.TeamId, cast.Calendar));
                    chunk.Facts.Add(ReportFact.Score(ReportMetric.Effort, survey.Effort!.Value, cast.WorkspaceId, conversation.Id, inboxId, survey.AnsweredAt!.Value, survey.AgentId, survey.TeamId, cast.Calendar));
                }

                for (var f = factsBefore; f < chunk.Facts.Count; f++)
                {
                    chunk.Facts[f].Labelled(conversation.Labels);
                }
            }

            yield return chunk;
        }

        // Whether each contact came back is known once all their conversations are: a last chunk of those facts only.
        var returned = new List<ReportFact>();
        foreach (var contact in begun.GroupBy(b => b.ContactId))
        {
            DateTime? previous = null, latest = null; // previous: the latest that began strictly before, as the server looks it up
            foreach (var (_, at, fact) in contact.OrderBy(b => b.At))
            {
                previous = latest < at ? latest : previous;
                if (ReportFact.Returned(fact, at, previous) is { } comeBack)
                {
                    returned.Add(comeBack);
                }

                latest = at;
            }
        }

        yield return new HistoryChunk([], [], [], [], returned, []);
    }

    // The contact's answer in the widget after the resolve, for the agent who had the conversation: mostly happy, now and then a comment.
    private static Surveys.SurveyResponse Survey(Random random, Conversation conversation, DateTime at)
    {
        var rating = 5 - Pick(random, RatingOdds);
        var effort = 7 - Pick(random, EffortOdds);
        var comments = rating >= 4 ? PraiseComments : ComplaintComments;
        var comment = random.Next(10) < 3 ? comments[random.Next(comments.Length)] : null;
        var survey = Surveys.SurveyResponse.Ask(conversation, Surveys.SurveyChannel.Widget, at);
        survey.Answer(conversation, conversation.AssigneeId, rating, effort, null, comment, at);
        survey.ClearDomainEvents(); // its facts are written here, as the server's refresh would write them
        return survey;
    }

    // The index drawn with the given odds (they add up to 100).
    private static int Pick(Random random, int[] odds)
    {
        var roll = random.Next(100);
        for (var i = 0; i < odds.Length; i++)
        {
            if ((roll -= odds[i]) < 0)
            {
                return i;
            }
        }

        return odds.Length - 1;
    }

    // Most conversations begin between 08:00 and 20:00 (the workspace's time), some at night.
    private static TimeSpan TimeOfDay(Random random) => random.Next(10) < 8
        ? TimeSpan.FromMinutes(8 * 60 + random.Next(12 * 60))
        : TimeSpan.FromMinutes(random.Next(24 * 60));

    private (List<ConversationEvent> Events, List<Message> Messages) Life(Random random, Conversation conversation, DateTime at)
    {
        var events = new List<ConversationEvent>();
        var messages = new List<Message>();
        var t = at;
        // What the conversation raised becomes its log, as the server's interceptor writes it; then it is forgotten.
        void Log(params IDomainEvent[] more)
        {
            foreach (var raised in conversation.DomainEvents.Concat(more))
            {
                if (ConversationEvent.For(raised, t) is { } entry)
                {
                    events.Add(entry);
                }
            }

            conversation.ClearDomainEvents();
        }

        void Write(MessageKind kind, Guid? agentId)
        {
            var text = kind == MessageKind.Incoming ? Questions[random.Next(Questions.Length)] : Answers[random.Next(Answers.Length)];
            // Stock sentences for the demo and the bench: nothing in them to mask.
            var message = Message.Create(conversation, conversation.LastSequence + 1, Guid.NewGuid().ToString("N"), kind, agentId, text, t, Privacy.PiiDetectors.None);
            messages.Add(message);
            conversation.Record(message);
            Log();
        }

        TimeSpan Minutes(double mean) => TimeSpan.FromSeconds(Math.Min(-Math.Log(1 - random.NextDouble()) * mean * 60, 3 * 86400));

        Log();
        var (team, agents) = cast.Teams[random.Next(cast.Teams.Length)];
        var attended = random.Next(3) == 0;
        if (attended)
        {
            Log(new AssistantJoined(cast.WorkspaceId, conversation.Id));
        }

        Write(MessageKind.Incoming, null);
        if (attended)
        {
            t += TimeSpan.FromSeconds(2);
            Write(MessageKind.Outgoing, null);
            t += Minutes(2);
            Write(MessageKind.Incoming, null);
            t += TimeSpan.FromSeconds(2);
            Write(MessageKind.Outgoing, null);
            if (random.Next(100) < 45)
            {
                conversation.ChangeStatus(ConversationStatus.Resolved, null, t);
                Log();
                return (events, Padded(messages, Write));
            }

            conversation.ReachPeople(t);
            Log(new AssistantHandedOver(cast.WorkspaceId, conversation.Id, conversation.InboxId, team));
        }

        conversation.Assign(null, team, t);
        Log();
        t += Minutes(3);
        var agent = agents[random.Next(agents.Length)];
        conversation.Assign(agent, team, t);
        Log();
        t += random.Next(20) == 0 ? TimeSpan.FromHours(random.Next(1, 14)) : Minutes(2);
        Write(MessageKind.Outgoing, agent);
        for (var exchange = random.Next(1, 4); exchange > 0; exchange--)
        {
            t += Minutes(4);
            Write(MessageKind.Incoming, null);
            t += Minutes(3);
            Write(MessageKind.Outgoing, agent);
        }

        if (random.Next(10) == 0)
        {
            (team, agents) = cast.Teams[random.Next(cast.Teams.Length)];
            agent = agents[random.Next(agents.Length)];
            t += Minutes(5);
            conversation.Assign(agent, team, t);
            Log();
            t += Minutes(10);
            Write(MessageKind.Outgoing, agent);
        }

        t += Minutes(20);
        conversation.ChangeStatus(ConversationStatus.Resolved, null, t);
        Log();
        if (random.Next(100) < 8)
        {
            t += TimeSpan.FromHours(random.Next(1, 48));
            Write(MessageKind.Incoming, null); // reopens it
            t += Minutes(15);
            Write(MessageKind.Outgoing, agent);
            t += Minutes(10);
            conversation.ChangeStatus(ConversationStatus.Resolved, null, t);
            Log();
        }

        return (events, Padded(messages, Write));
    }

    // The notes of the team make up the rest of the messages (written at the last message's time).
    private List<Message> Padded(List<Message> messages, Action<MessageKind, Guid?> write)
    {
        while (messages.Count < messagesPerConversation)
        {
            write(MessageKind.Note, null);
        }

        return messages;
    }
}
