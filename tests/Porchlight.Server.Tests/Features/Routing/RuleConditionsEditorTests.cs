using Bunit;
using MudBlazor.Services;
using Porchlight.Server.Components;
using Porchlight.Server.Features.Routing;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Tests.Features.Routing;

/// <summary>The condition rows that routing and automation rule forms share: what is saved is what the row shows.</summary>
public sealed class RuleConditionsEditorTests : BunitContext
{
    private static readonly ConditionChoice Billing = new("0195f0d2-6f0b-7c1e-9a1b-3a4d5e6f7a8b", "Billing");
    private static readonly ConditionChoice Returns = new("0195f0d2-6f0b-7c1e-9a1b-3a4d5e6f7a8c", "Returns");

    private static readonly ConditionField[] Fields =
    [
        new("message", "Message"), new("team", "Team", [Billing, Returns]), ConditionField.Priority("Priority"), ConditionField.ContactAttribute,
    ];

    public RuleConditionsEditorTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }

    [Fact]
    public void Editor_FieldWithChoicesPicked_OffersTheChoicesAndSavesTheFirstOneWithIs()
    {
        var conditions = new List<RuleConditionDraft> { new() { Field = "message", Operator = "contains", Value = "refund" } };
        var editor = RenderEditor(conditions, new FormErrors());

        editor.Find("#rule-field-0").Change("team");

        Assert.Equal(["Billing", "Returns"], editor.FindAll("#rule-value-0 option").Select(o => o.TextContent));
        Assert.Equal(new RuleCondition("team", "equals", Billing.Value), conditions[0].ToCondition());
        editor.Find("#rule-field-0").Change("message");
        Assert.Equal("", conditions[0].Value); // An id means nothing as typed text.
    }

    [Fact]
    public void Editor_IsSet_AsksForNoValueAndSavesNone()
    {
        var conditions = new List<RuleConditionDraft> { new() { Field = "team", Operator = "equals", Value = Returns.Value } };
        var editor = RenderEditor(conditions, new FormErrors());

        editor.Find("#rule-operator-0").Change("exists");

        Assert.Empty(editor.FindAll("#rule-value-0"));
        Assert.Equal(new RuleCondition("team", "exists", ""), conditions[0].ToCondition());
    }

    [Fact]
    public void Editor_ValueSavedInAnotherCase_ShowsTheMatchingChoice()
    {
        var conditions = new List<RuleConditionDraft> { RuleConditionDraft.From(new RuleCondition("team", "equals", Returns.Value.ToUpperInvariant())) };

        var editor = RenderEditor(conditions, new FormErrors());

        Assert.Equal(Returns.Value, editor.Find("#rule-value-0").GetAttribute("value"));
        Assert.Equal(Returns.Value, conditions[0].Value);
    }

    [Fact]
    public void Editor_UseCaseRejectsOneCondition_ShowsItsErrorAtThatRow()
    {
        var conditions = new List<RuleConditionDraft>
        {
            new() { Field = "message", Operator = "contains", Value = "refund" },
            new() { Field = "priority", Operator = "atLeast", Value = "" },
        };
        var errors = new FieldErrors();
        RuleConditions.Validate(errors, "conditions", [.. conditions.Select(c => c.ToCondition())]);
        var form = new FormErrors();
        form.Set(errors.ToFailure());

        var editor = RenderEditor(conditions, form);

        Assert.Empty(editor.Find("#rule-condition-0").QuerySelectorAll(".pl-error-text"));
        Assert.Contains("atLeast compares priorities", editor.Find("#rule-condition-1 .pl-error-text").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Editor_RendersAgainWithErrors_RowsKeepTheirChangeHandlerIds()
    {
        var conditions = new List<RuleConditionDraft> { new(), new() { Field = "team", Operator = "equals", Value = Billing.Value } };
        var editor = RenderEditor(conditions, new FormErrors());
        var ids = ChangeHandlerIds(editor);
        Assert.All(ids, id => Assert.NotNull(id));

        var errors = new FormErrors();
        errors.Set(new FieldErrors().Add("conditions[0].value", "1–500 characters.").ToFailure());
        editor.Render(p => p.Add(e => e.Errors, errors));

        Assert.Equal(ids, ChangeHandlerIds(editor));
        Assert.Equal("1–500 characters.", editor.Find("#rule-condition-0 .pl-error-text").TextContent);
    }

    [Fact]
    public void Editor_ContactAttributeNamed_SavesTheAttributeAsTheField()
    {
        var conditions = new List<RuleConditionDraft> { new() };
        var editor = RenderEditor(conditions, new FormErrors());

        editor.Find("#rule-field-0").Change(RuleConditions.ContactPrefix);
        editor.Find("#rule-attribute-0").Change(" plan ");

        Assert.Equal("contact.plan", conditions[0].Field);
        Assert.Equal("contact.plan", editor.Find("#rule-field-0").GetAttribute("value"));
    }

    [Fact]
    public void Describe_PickedId_NamesTheChoice()
    {
        Assert.Equal("Team is Billing", RuleConditionsEditor.Describe(new RuleCondition("team", "equals", Billing.Value), Fields));
        Assert.Equal("Message contains any of return, refund", RuleConditionsEditor.Describe(new RuleCondition("message", "contains", "return, refund"), Fields));
        Assert.Equal("Team is set", RuleConditionsEditor.Describe(new RuleCondition("team", "exists", ""), Fields));
    }

    private IRenderedComponent<RuleConditionsEditor> RenderEditor(List<RuleConditionDraft> conditions, FormErrors errors) =>
        Render<RuleConditionsEditor>(p => p.Add(e => e.Conditions, conditions).Add(e => e.Fields, Fields).Add(e => e.Errors, errors));

    private static string?[] ChangeHandlerIds(IRenderedComponent<RuleConditionsEditor> editor) =>
        [.. editor.FindAll("select, input").Select(e => e.GetAttribute("blazor:onchange"))];
}
