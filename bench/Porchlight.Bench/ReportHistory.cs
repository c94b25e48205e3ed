using Porchlight.Server.Data;
using Porchlight.Server.Features.Assistant;
using Porchlight.Server.Features.Contacts;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Reports;
using Porchlight.Server.Features.Sla;

namespace Porchlight.Bench;

/// <summary>One transaction's worth of generated history.</summary>
internal sealed record HistoryChunk(List<Contact> Contacts, List<Conversation> Conversations, List<Message> Messages, List<ConversationEvent> Events, List<ReportFact> Facts);

/// <summary>
/// A year of a busy support team, deterministic for a seed: conversations through the day (more in the afternoon,
/// fewer at weekends), a third attended by the assistant first (nearly half of those contained), the rest queued in a
/// team and taken by one of its agents, a few exchanges, a transfer now and then, a resolve, and some reopened. Each
/// conversation has ten messages, its event log as the server writes it, and its facts as the server computes them.
/// </summary>
internal sealed class ReportHistory(
    Guid workspaceId, BusinessCalendar calendar, Guid[] inboxIds, Guid[] teamIds, Guid[] agentIds, DateOnly first, int days, int conversations, int seed)
{
    private const int MessagesPerConversation = 10;
    private static readonly string[] Questions =
    [
        "Hi, where is my order? Tracking hasn't moved in three days.", "Can I return the boots if I wore them once outside?",
        "Is the Ridgeline tent waterproof at the seams?", "I was charged twice for the same order, please help.",
        "Do you ship to Norway, and how long does it take?", "The zipper broke after a week, that's really disappointing.",
    ];

    private static readonly string[] Answers =
    [
        "Thanks for waiting! Let me check that for you.", "I've looked into it: it's on its way and should arrive tomorrow.",
        "Yes, returns are free within 30 days.", "I've refunded the second charge; you'll see it in 3–5 days.",
    ];

    private readonly Dictionary<DateOnly, int> _begunPerDay = [];

    public Guid WorkspaceId => workspaceId;

    /// <summary>How many of the generated conversations began on the days given (in the workspace's zone); after <see cref="Chunks"/>.</summary>
    public int ConversationsBegun(DateOnly from, DateOnly to) => _begunPerDay.Where(d => d.Key >= from && d.Key <= to).Sum(d => d.Value);

    public IEnumerable<HistoryChunk> Chunks(int size)
    {
        var random = new Random(seed);
        var contactIds = new List<Guid>();
        var start = first.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        for (var done = 0; done < conversations;)
        {
            var chunk = new HistoryChunk([], [], [], [], []);
            for (var i = 0; i < size && done < conversations; i++, done++)
            {
                var at = start.AddDays(random.Next(days)).Add(TimeOfDay(random));
                if (at.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday && random.Next(2) == 0)
                {
                    at = at.AddDays(at.DayOfWeek == DayOfWeek.Saturday ? -1 : 1); // quieter weekends
                }

                Guid contactId;
                if (contactIds.Count == 0 || random.Next(10) < 3)
                {
                    var contact = Contact.ForVisitor(workspaceId, TimeOrderedIds.Next(), at);
                    chunk.Contacts.Add(contact);
                    contactIds.Add(contactId = contact.Id);
                }
                else
                {
                    contactId = contactIds[random.Next(contactIds.Count)];
                }

                var inboxId = inboxIds[random.Next(10) < 6 ? 0 : random.Next(inboxIds.Length)];
                var conversation = Conversation.Start(workspaceId, inboxId, contactId, 1000 + done, ConversationOrigin.Chat, null, at);
                conversation.ClearDomainEvents();
                chunk.Conversations.Add(conversation);
                var day = calendar.DayOf(at);
                _begunPerDay[day] = _begunPerDay.GetValueOrDefault(day) + 1;

                var life = Life(random, conversation, at);
                chunk.Events.AddRange(life.Events);
                chunk.Messages.AddRange(life.Messages);
                var timeline = life.Events.ConvertAll(e => e.ToTimeline());
                chunk.Facts.AddRange(ConversationMeasures.Of(timeline, calendar).Facts.Select(f => ReportFact.Of(f, workspaceId, conversation.Id, inboxId, calendar)));
            }

            yield return chunk;
        }
    }

    // Most conversations begin between 08:00 and 20:00, some at night.
    private static TimeSpan TimeOfDay(Random random) => random.Next(10) < 8
        ? TimeSpan.FromMinutes(8 * 60 + random.Next(12 * 60))
        : TimeSpan.FromMinutes(random.Next(24 * 60));

    private (List<ConversationEvent> Events, List<Message> Messages) Life(Random random, Conversation conversation, DateTime at)
    {
        var events = new List<ConversationEvent>();
        var messages = new List<Message>();
        var id = conversation.Id;
        var t = at;
        void Log(IDomainEvent domainEvent) => events.Add(ConversationEvent.For(domainEvent, t)!);
        void Write(MessageKind kind, Guid? agentId) => messages.Add(Message.Create(conversation, messages.Count + 1, Guid.NewGuid().ToString("N"), kind, agentId,
            kind == MessageKind.Incoming ? Questions[random.Next(Questions.Length)] : Answers[random.Next(Answers.Length)], t));
        TimeSpan Minutes(double mean) => TimeSpan.FromSeconds(Math.Min(-Math.Log(1 - random.NextDouble()) * mean * 60, 3 * 86400));

        Log(new ConversationStarted(workspaceId, id, conversation.InboxId, conversation.ContactId, conversation.Number, t));
        Write(MessageKind.Incoming, null);
        var team = teamIds[random.Next(teamIds.Length)];
        if (random.Next(3) == 0)
        {
            Log(new AssistantJoined(workspaceId, id));
            t += TimeSpan.FromSeconds(2);
            Write(MessageKind.Outgoing, null);
            t += Minutes(2);
            Write(MessageKind.Incoming, null);
            if (random.Next(100) < 45)
            {
                Write(MessageKind.Outgoing, null);
                Log(new ConversationStatusChanged(workspaceId, id, ConversationStatus.Open, ConversationStatus.Resolved, t));
                return (events, Padded(messages, Write));
            }

            Log(new AssistantHandedOver(workspaceId, id, conversation.InboxId, team));
        }

        Log(new ReplyAwaited(workspaceId, id, t, First: true));
        Log(new ConversationAssigned(workspaceId, id, null, null, null, team));
        t += Minutes(3);
        var agent = Agent(random, team);
        Log(new ConversationAssigned(workspaceId, id, null, team, agent, team));
        t += random.Next(20) == 0 ? TimeSpan.FromHours(random.Next(1, 14)) : Minutes(2);
        Write(MessageKind.Outgoing, agent);
        Log(new ReplyGiven(workspaceId, id, t, agent));
        for (var exchange = random.Next(1, 4); exchange > 0; exchange--)
        {
            t += Minutes(4);
            Write(MessageKind.Incoming, null);
            Log(new ReplyAwaited(workspaceId, id, t, First: false));
            t += Minutes(3);
            Write(MessageKind.Outgoing, agent);
            Log(new ReplyGiven(workspaceId, id, t, agent));
        }

        if (random.Next(10) == 0)
        {
            var other = teamIds[random.Next(teamIds.Length)];
            var next = Agent(random, other);
            t += Minutes(5);
            Log(new ConversationAssigned(workspaceId, id, agent, team, next, other));
            (agent, team) = (next, other);
            t += Minutes(10);
            Write(MessageKind.Outgoing, agent);
        }

        t += Minutes(20);
        Log(new ConversationStatusChanged(workspaceId, id, ConversationStatus.Open, ConversationStatus.Resolved, t));
        if (random.Next(100) < 8)
        {
            t += TimeSpan.FromHours(random.Next(1, 48));
            Write(MessageKind.Incoming, null);
            Log(new ConversationStatusChanged(workspaceId, id, ConversationStatus.Resolved, ConversationStatus.Open, t));
            Log(new ReplyAwaited(workspaceId, id, t, First: false));
            t += Minutes(15);
            Write(MessageKind.Outgoing, agent);
            Log(new ReplyGiven(workspaceId, id, t, agent));
            t += Minutes(10);
            Log(new ConversationStatusChanged(workspaceId, id, ConversationStatus.Open, ConversationStatus.Resolved, t));
        }

        return (events, Padded(messages, Write));
    }

    // Ten messages a conversation: notes of the team make up the rest (written at the last message's time).
    private static List<Message> Padded(List<Message> messages, Action<MessageKind, Guid?> write)
    {
        while (messages.Count < MessagesPerConversation)
        {
            write(MessageKind.Note, null);
        }

        return messages;
    }

    // Agents work in teams of ten (the sixty agents over six teams).
    private Guid Agent(Random random, Guid team)
    {
        var teamIndex = Array.IndexOf(teamIds, team);
        var perTeam = agentIds.Length / teamIds.Length;
        return agentIds[teamIndex * perTeam + random.Next(perTeam)];
    }
}
