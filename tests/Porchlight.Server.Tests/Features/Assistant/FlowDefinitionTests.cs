using Porchlight.Server.Features.Assistant;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Tests.Features.Assistant;

/// <summary>A flow is checked as a whole before it is saved: a flow that could not run as written is refused field by field.</summary>
public sealed class FlowDefinitionTests
{
    private static readonly Guid KnownTeam = Guid.NewGuid();

    [Fact]
    public void Validate_DemoAndStarterFlows_AreValid()
    {
        Assert.Empty(ErrorsOf(DemoFlow.For(KnownTeam).Steps));
        Assert.Empty(ErrorsOf(AssistantFlows.Starter.Steps));
    }

    [Theory]
    [InlineData("steps[1].id", "a", "message")]
    [InlineData("steps[1].id", "has space", "message")]
    [InlineData("steps[1].type", "b", "dance")]
    public void Validate_BadIdOrType_NamesTheField(string field, string id, string type) =>
        Assert.Contains(field, ErrorsOf([new("a", "message", Text: "Hi", Next: "a"), new(id, type, Text: "x")]).Keys);

    [Fact]
    public void Validate_NextStepThatDoesNotExist_IsRefusedWherever_ItIsNamed()
    {
        var errors = ErrorsOf(
        [
            new("a", "message", Text: "Hi", Next: "nowhere"),
            new("b", "choice", Text: "Pick", Options: [new("One", "missing")], ElseNext: "gone"),
            new("c", "condition", Branches: [new([new("intent", "equals", "x")], "void")]),
        ]);

        Assert.Equal(["steps[0].next", "steps[1].elseNext", "steps[1].options[0].next", "steps[2].branches[0].next"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Validate_StepWithoutWhatItsTypeNeeds_IsRefused()
    {
        var errors = ErrorsOf(
        [
            new("message", "message"),
            new("question", "question", Text: "Email?", Validation: "shoe-size"),
            new("choice", "choice", Text: "Pick"),
            new("condition", "condition"),
            new("intent", "identifyIntent", Threshold: 1.5),
            new("articles", "suggestArticles", MaxArticles: 9),
            new("handover", "handover", TeamId: Guid.NewGuid()),
            new("label", "setLabel", Label: " "),
            new("priority", "setPriority", Priority: "Whenever"),
            new("pattern", "question", Text: "Code?", Field: "code", Validation: "pattern", Pattern: "([a-z"),
        ]);

        Assert.Equal(
            [
                "steps[0].text", "steps[1].field", "steps[1].validation", "steps[2].options", "steps[3].branches", "steps[4].threshold",
                "steps[5].maxArticles", "steps[6].teamId", "steps[7].label", "steps[8].priority", "steps[9].pattern",
            ],
            errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Validate_ConditionOnAnUnknownSubject_IsRefused()
    {
        var errors = ErrorsOf([new("c", "condition", Branches: [new([new("weather", "equals", "sunny"), new("field.plan", "sounds-like", "pro")], "c")])]);

        Assert.Equal(["steps[0].branches[0].conditions[0].subject", "steps[0].branches[0].conditions[1].operator"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Validate_EmailNotValidatedOrHoursConditionMisspelt_IsRefused()
    {
        var errors = ErrorsOf(
        [
            new("email", "question", Text: "Email?", Field: "email", Next: "hours"),
            new("hours", "condition", Branches: [new([new("businessHours", "equals", "yes")], "email"), new([new("businessHours", "exists", null)], "email")]),
        ]);

        Assert.Equal(["steps[0].validation", "steps[1].branches[0].conditions[0].value", "steps[1].branches[1].conditions[0].value"],
            errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Validate_NoStepsOrTooMany_IsRefused()
    {
        Assert.Contains("steps", ErrorsOf([]).Keys);
        Assert.Contains("steps", ErrorsOf([.. Enumerable.Range(0, FlowDefinition.MaxSteps + 1).Select(i => new FlowStep($"s{i}", "end"))]).Keys);
    }

    private static IReadOnlyDictionary<string, string[]> ErrorsOf(IReadOnlyList<FlowStep> steps)
    {
        var errors = new FieldErrors();
        FlowDefinition.Validate(errors, new FlowDefinition(steps), id => id == KnownTeam);
        return errors.Any ? errors.ToFailure().FieldErrors! : new Dictionary<string, string[]>();
    }
}
