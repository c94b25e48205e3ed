using Bunit;
using MudBlazor.Services;
using Porchlight.Server.Components;
using Porchlight.Server.Features.Automation;
using Porchlight.Server.Features.Routing;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Tests.Features.Automation;

/// <summary>The automation page's rule form and summaries: a value's input follows its action, and rules read as sentences.</summary>
public sealed class AutomationRuleFormTests : BunitContext
{
    private static readonly ConditionChoice Billing = new("0195f0d2-6f0b-7c1e-9a1b-3a4d5e6f7a8b", "Billing");
    private static readonly ConditionChoice Marco = new("0195f0d2-6f0b-7c1e-9a1b-3a4d5e6f7a8d", "Marco Bianchi");
    private static readonly ConditionChoice Website = new("0195f0d2-6f0b-7c1e-9a1b-3a4d5e6f7a8e", "Website chat");
    private static readonly AutomationNames Names = new([Billing], [Marco], [Website]);

    public AutomationRuleFormTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }

    [Fact]
    public void Summary_RuleWithConditionsAndActions_ReadsAsOneSentenceWithNames()
    {
        var rule = new AutomationRuleResponse(
            Guid.NewGuid(), 1, "Refunds", true, AutomationTrigger.MessageReceived,
            [new RuleCondition("message", "contains", "refund"), new RuleCondition("inbox", "equals", Website.Value.ToUpperInvariant())],
            [new AutomationAction("addLabel", "billing"), new AutomationAction("setPriority", "High"), new AutomationAction("assignTeam", Billing.Value),
             new AutomationAction("sendReply", "We are on it."), new AutomationAction("snooze", "30")]);

        Assert.Equal(
            "When a message is received, if message contains any of refund and inbox is Website chat → add label billing, set priority High, send to team Billing, send a reply, snooze for 30 min",
            Names.Summary(rule));
    }

    [Fact]
    public void Summary_NoConditions_SaysOnlyWhenAndThen()
    {
        var rule = new AutomationRuleResponse(Guid.NewGuid(), 1, "Close", true, AutomationTrigger.SlaBreached, [], [new AutomationAction("assignAgent", Marco.Value), new AutomationAction("unassign")]);

        Assert.Equal("When an SLA target is missed → assign to Marco Bianchi, unassign", Names.Summary(rule));
    }

    [Fact]
    public void Form_ActionTypeChanged_ShowsItsInputAndSavesWhatItShows()
    {
        var draft = new AutomationRuleDraft { Name = "Triage" };
        var form = RenderForm(draft);

        form.Find("#automation-action-type-0").Change("assignTeam");
        Assert.Equal(["Billing"], form.FindAll("#automation-action-value-0 option").Select(o => o.TextContent));
        form.Find("#automation-add-action").Click();
        form.Find("#automation-action-type-1").Change("snooze");
        Assert.Equal("number", form.Find("#automation-action-value-1").GetAttribute("type"));
        form.Find("#automation-add-action").Click();
        form.Find("#automation-action-type-2").Change("sendReply");
        form.Find("#automation-action-value-2").Change("Thanks, we will be right with you.");
        form.Find("#automation-add-action").Click();
        form.Find("#automation-action-type-3").Change("resolve");

        Assert.Empty(form.FindAll("#automation-action-value-3"));
        Assert.Equal(
            [new AutomationAction("assignTeam", Billing.Value), new AutomationAction("snooze", "60"), new AutomationAction("sendReply", "Thanks, we will be right with you."), new AutomationAction("resolve")],
            draft.ToRequest().Actions);
    }

    [Fact]
    public void Form_ActionMovedAndRemoved_SavesTheNewOrder()
    {
        var draft = new AutomationRuleDraft { Name = "Triage" };
        var form = RenderForm(draft);
        form.Find("#automation-action-value-0").Change("vip");
        form.Find("#automation-add-action").Click();
        form.Find("#automation-action-type-1").Change("addNote");
        form.Find("#automation-action-value-1").Change("A VIP wrote.");
        form.Find("#automation-add-action").Click();
        form.Find("#automation-action-type-2").Change("unassign");

        form.Find("#automation-action-1").QuerySelector("button[aria-label='Move action up']")!.Click();
        form.Find("#automation-action-2").QuerySelector("button[aria-label='Remove action']")!.Click();

        Assert.Equal([new AutomationAction("addNote", "A VIP wrote."), new AutomationAction("addLabel", "vip")], draft.ToRequest().Actions);
        Assert.Equal("A VIP wrote.", form.Find("#automation-action-value-0").GetAttribute("value"));
    }

    [Fact]
    public void Form_UseCaseRejectsAnAction_ShowsTheErrorAtThatAction()
    {
        var draft = new AutomationRuleDraft { Name = "Triage" };
        var errors = new FormErrors();
        errors.Set(new FieldErrors().Add("actions[0]", "addLabel needs a label of 1–40 characters.").ToFailure());

        var form = RenderForm(draft, errors);

        Assert.Equal("addLabel needs a label of 1–40 characters.", form.Find("#automation-action-0 .pl-error-text").TextContent);
    }

    private IRenderedComponent<AutomationRuleForm> RenderForm(AutomationRuleDraft draft, FormErrors? errors = null) =>
        Render<AutomationRuleForm>(p => p.Add(f => f.Draft, draft).Add(f => f.Names, Names).Add(f => f.Errors, errors ?? new FormErrors()));
}
