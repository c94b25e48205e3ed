namespace Porchlight.Server.Features.Assistant;

/// <summary>
/// The demo shop's assistant: it greets, recognises what the visitor wants, asks for the order number when it is
/// about an order, offers articles, sends payment questions straight to Billing, and hands over whatever remains.
/// The containment benchmark (bench/, "assistant") runs visitors through it.
/// </summary>
public static class DemoFlow
{
    public static FlowDefinition For(Guid billingTeamId) => new([
        new("greeting", "message", Text: "Hi, I'm Acme's assistant 👋 I can answer most questions right away, and a person from our team is always one message away.", Next: "intent"),
        new("intent", "identifyIntent", Next: "route", Threshold: 0.45),
        new("route", "condition", Branches:
        [
            new([new("intent", "equals", "human")], "handover"),
            new([new("intent", "contains", "payment, refunds")], "billing"),
            new([new("intent", "contains", "order-status, change-address")], "order"),
        ], ElseNext: "articles"),
        new("order", "question", Text: "What's your order number? It's in your confirmation email, like 10482.", Next: "articles", Field: "orderNumber",
            Validation: "pattern", Pattern: @"^#?\d{5,8}$", RetryText: "Order numbers have 5 to 8 digits, like 10482. Could you check it?"),
        new("articles", "suggestArticles", Text: "Here's what I found:", ElseNext: "handover"),
        new("billing", "handover", Text: "Payments and refunds are handled by our billing team; I'm passing you on.", TeamId: billingTeamId),
        new("handover", "handover"),
    ]);

    /// <summary>Gives the inbox the demo flow, switched on.</summary>
    public static void AddTo(Data.AppDbContext db, Guid workspaceId, Guid inboxId, Guid billingTeamId, DateTime now)
    {
        var flow = AssistantFlow.Create(workspaceId, inboxId);
        db.AssistantFlows.Add(flow);
        db.AssistantFlowVersions.Add(flow.Change(For(billingTeamId), isEnabled: true, botWebhookId: null, now)!);
    }
}
