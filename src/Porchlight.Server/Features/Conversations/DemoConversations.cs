using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Widget;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Conversations;

/// <summary>
/// Believable conversations for the demo workspace: customers of an outdoor shop asking about orders,
/// returns and products, some answered, some waiting, some resolved, spread over the last days.
/// Written through the same use cases the widget and the inbox use.
/// </summary>
public sealed class DemoConversations(
    AppDbContext db,
    ActingAgent actor,
    StartVisitorConversation startConversation,
    SetVisitorAttributes setAttributes,
    SendVisitorMessage sendVisitorMessage,
    SendAgentMessage sendAgentMessage,
    ChangeConversation changeConversation)
{
    private enum Who
    {
        Customer,
        Agent,
        Note,
    }

    private sealed record Line(Who Who, string Text);

    private sealed record Script(
        string Name, string Email, Dictionary<string, string> Attributes, int HoursAgo, int? Agent,
        ConversationStatus Status, ConversationPriority Priority, string[] Labels, Line[] Lines,
        Dictionary<string, string>? ConversationAttributes = null);

    private static readonly Script[] Scripts =
    [
        new("Hannah Schmidt", "hannah.schmidt@example.com", new() { ["plan"] = "Member", ["orders"] = "7" }, 1, null,
            ConversationStatus.Open, ConversationPriority.High, ["shipping"],
            [new(Who.Customer, "Hi! My order #48213 was supposed to arrive yesterday but tracking hasn't moved since Monday."),
             new(Who.Customer, "We're leaving for a hiking trip on Saturday, so I really need the boots by Friday 😬")],
            ConversationAttributes: new() { ["orderNumber"] = "48213", ["carrier"] = "DHL" }),
        new("James Okafor", "james.okafor@example.com", new() { ["plan"] = "Guest" }, 2, 2,
            ConversationStatus.Open, ConversationPriority.Medium, ["product-question"],
            [new(Who.Customer, "Is the Ridgeline 2 tent really waterproof? The listing says 3000 mm but reviews mention leaks at the seams."),
             new(Who.Agent, "Hi James! The fly is 3000 mm and the seams are taped at the factory. The leaks in older reviews were from the 2023 batch, which we replaced."),
             new(Who.Customer, "Good to know. Does it fit two people with backpacks inside?")]),
        new("Sofia Marquez", "sofia.m@example.com", new() { ["plan"] = "Member", ["orders"] = "3" }, 5, 3,
            ConversationStatus.Open, ConversationPriority.None, ["returns"],
            [new(Who.Customer, "I'd like to return a rain jacket, it's too small. Do I need the original box?"),
             new(Who.Agent, "Hi Sofia, no box needed, just the tags. I've emailed you a prepaid return label."),
             new(Who.Note, "Second size exchange for this customer this year; offered the free exchange anyway."),
             new(Who.Customer, "Thank you, that was quick!")]),
        new("Wei Chen", "wei.chen@example.com", new() { ["plan"] = "Business", ["company"] = "Summit Guides Ltd" }, 8, 0,
            ConversationStatus.Open, ConversationPriority.Urgent, ["billing", "b2b"],
            [new(Who.Customer, "Our invoice INV-2291 charged VAT although we gave our VAT ID at checkout. Can you reissue it?"),
             new(Who.Note, "@Priya can you check the VAT ID validation? Third B2B case this week."),
             new(Who.Agent, "Hi Wei, sorry about that. I'm reissuing the invoice without VAT now; you'll have it within the hour.")],
            ConversationAttributes: new() { ["invoice"] = "INV-2291" }),
        new("Emma Johansson", "emma.j@example.com", new(), 20, 4,
            ConversationStatus.Resolved, ConversationPriority.None, ["product-question"],
            [new(Who.Customer, "Which sleeping bag would you recommend for -5 °C?"),
             new(Who.Agent, "For -5 °C comfort, the Nordpol 600 is our favourite: down, 1.1 kg, and it packs small."),
             new(Who.Customer, "Perfect, ordered it. Thanks!")]),
        new("Lucas Moreau", "lucas.moreau@example.com", new() { ["plan"] = "Guest" }, 26, null,
            ConversationStatus.Open, ConversationPriority.None, [],
            [new(Who.Customer, "Do you ship to Switzerland? The checkout only lists EU countries.")]),
        new("Aiko Tanaka", "aiko.tanaka@example.com", new() { ["plan"] = "Member" }, 30, 2,
            ConversationStatus.Pending, ConversationPriority.Low, ["warranty"],
            [new(Who.Customer, "The zipper of my backpack broke after two months. Is that covered by the warranty?"),
             new(Who.Agent, "It is. Could you send a photo of the zipper and your order number? Then we'll send a replacement."),
             new(Who.Note, "Waiting for the photo; set to pending.")]),
        new("Noah Williams", "noah.w@example.com", new(), 44, 3,
            ConversationStatus.Resolved, ConversationPriority.None, ["shipping"],
            [new(Who.Customer, "Can I change the delivery address of an order that has not shipped yet?"),
             new(Who.Agent, "Yes, done: your order will go to the new address in Hamburg."),
             new(Who.Customer, "Great, thanks a lot.")]),
        new("Fatima Al-Sayed", "fatima.alsayed@example.com", new() { ["plan"] = "Member", ["orders"] = "12" }, 50, 0,
            ConversationStatus.Open, ConversationPriority.High, ["billing"],
            [new(Who.Customer, "I was charged twice for order #47110."),
             new(Who.Agent, "I can see both charges. The second one is a pending authorisation and will disappear within 3 business days."),
             new(Who.Customer, "It's been 5 days and it's still there.")]),
        new("Oliver Brown", "oliver.brown@example.com", new(), 70, null,
            ConversationStatus.Resolved, ConversationPriority.None, [],
            [new(Who.Customer, "What are your store opening hours on Sundays?"),
             new(Who.Customer, "Never mind, found it on the website!")]),
    ];

    public async Task<int> SeedAsync(Guid workspaceId, Guid inboxId, IReadOnlyList<Agent> agents, CancellationToken cancellationToken)
    {
        var started = new List<(Guid ConversationId, int HoursAgo)>();
        foreach (var script in Scripts)
        {
            var visitor = VisitorTokens.NewAnonymous(workspaceId, inboxId);
            // What the shop's site knows about its customers arrives as the host page would send it; the pre-chat form asks name and email.
            if (script.Attributes.Count > 0)
            {
                Ok(await setAttributes.HandleAsync(visitor, new SetAttributesRequest(script.Attributes), cancellationToken));
            }

            var fields = new Dictionary<string, string> { ["name"] = script.Name, ["email"] = script.Email };
            var lines = script.Lines.AsEnumerable().GetEnumerator();
            lines.MoveNext();
            var first = Ok(await startConversation.HandleAsync(visitor, new StartConversationRequest(NewClientId(), lines.Current.Text, fields), cancellationToken));
            var conversationId = first.Value.Conversation.Id;
            var agent = agents[script.Agent ?? 0];
            actor.Enter(agent, null);
            if (script.Agent is not null)
            {
                Ok(await changeConversation.AssignAsync(conversationId, new AssignRequest(agent.Id, null), cancellationToken));
            }

            while (lines.MoveNext())
            {
                if (lines.Current.Who == Who.Customer)
                {
                    Ok(await sendVisitorMessage.HandleAsync(visitor, conversationId, new SendVisitorMessageRequest(NewClientId(), lines.Current.Text), cancellationToken));
                }
                else
                {
                    Ok(await sendAgentMessage.HandleAsync(conversationId, new SendMessageRequest(lines.Current.Text, lines.Current.Who == Who.Note, null), cancellationToken));
                }
            }

            if (script.Priority != ConversationPriority.None)
            {
                Ok(await changeConversation.PriorityAsync(conversationId, new ChangePriorityRequest(script.Priority), cancellationToken));
            }

            if (script.Labels.Length > 0)
            {
                Ok(await changeConversation.LabelsAsync(conversationId, new ChangeLabelsRequest([.. script.Labels]), cancellationToken));
            }

            if (script.ConversationAttributes is { } attributes)
            {
                Ok(await changeConversation.AttributesAsync(conversationId, new ChangeAttributesRequest(attributes), cancellationToken));
            }

            if (script.Status != ConversationStatus.Open)
            {
                Ok(await changeConversation.StatusAsync(conversationId, new ChangeStatusRequest(script.Status, null), cancellationToken));
            }

            started.Add((conversationId, script.HoursAgo));
        }

        await BackdateAsync(started, cancellationToken);
        return Scripts.Length;
    }

    // The use cases stamp everything "now"; spread each conversation over its own past, a minute per message.
    private async Task BackdateAsync(List<(Guid ConversationId, int HoursAgo)> conversations, CancellationToken cancellationToken)
    {
        foreach (var (conversationId, hoursAgo) in conversations)
        {
            var shift = TimeSpan.FromHours(hoursAgo);
            var messages = await db.Messages.Where(m => m.ConversationId == conversationId).OrderBy(m => m.Sequence).ToListAsync(cancellationToken);
            var start = messages[0].CreatedAt - shift;
            for (var i = 0; i < messages.Count; i++)
            {
                var at = start + TimeSpan.FromMinutes(i * 3);
                await db.Messages.Where(m => m.Id == messages[i].Id)
                    .ExecuteUpdateAsync(set => set.SetProperty(m => m.CreatedAt, at), cancellationToken);
            }

            DateTime At(int index) => start + TimeSpan.FromMinutes(index * 3);
            DateTime? LastOf(MessageKind kind) => messages.FindLastIndex(m => m.Kind == kind) is var i and >= 0 ? At(i) : null;
            DateTime? firstReply = messages.FindIndex(m => m.Kind == MessageKind.Outgoing) is var r and >= 0 ? At(r) : null;
            var last = At(messages.Count - 1);
            // A contact still waiting has waited since their first message after the last agent reply.
            var lastReply = messages.FindLastIndex(m => m.Kind == MessageKind.Outgoing && m.AuthorAgentId != null);
            DateTime? waitingSince = messages.FindIndex(lastReply + 1, m => m.Kind == MessageKind.Incoming) is var w and >= 0 ? At(w) : null;
            await db.Conversations.Where(c => c.Id == conversationId).ExecuteUpdateAsync(set => set
                .SetProperty(c => c.CreatedAt, start)
                .SetProperty(c => c.LastActivityAt, last)
                .SetProperty(c => c.LastContactMessageAt, LastOf(MessageKind.Incoming))
                .SetProperty(c => c.LastAgentMessageAt, LastOf(MessageKind.Outgoing))
                .SetProperty(c => c.FirstAgentReplyAt, firstReply)
                .SetProperty(c => c.AwaitingReplySince, c => c.AwaitingReplySince == null ? null : waitingSince)
                .SetProperty(c => c.ResolvedAt, c => c.ResolvedAt == null ? null : last), cancellationToken);
        }
    }

    private static T Ok<T>(Result<T> result) =>
        result.Succeeded ? result.Value! : throw new InvalidOperationException($"Demo data could not be written: {result.Failure!.Detail}");

    private static string NewClientId() => "demo_" + Guid.NewGuid().ToString("N");
}
