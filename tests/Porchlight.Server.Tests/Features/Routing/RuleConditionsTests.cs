using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Routing;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Tests.Features.Routing;

public sealed class RuleConditionsTests
{
    private static readonly RuleSubject Subject = new(
        "Hi, I want to CANCEL my subscription and get a refund",
        ["billing"],
        ConversationPriority.High,
        BusinessHoursOpen: false,
        "Ada Lovelace",
        "ada@bigcorp.example",
        new Dictionary<string, string> { ["plan"] = "Enterprise", ["language"] = "de" },
        () => Task.FromResult<string?>("https://shop.example/pricing?ref=ad"),
        days => Task.FromResult(days >= 3), // the contact's previous conversation was three days ago
        Language: () => Task.FromResult<string?>("de-AT"));

    [Theory]
    [InlineData("message", "contains", "chargeback, cancel")]
    [InlineData("message", "contains", "refund")]
    [InlineData("label", "equals", "Billing")]
    [InlineData("label", "notEquals", "returns")]
    [InlineData("priority", "atLeast", "Medium")]
    [InlineData("priority", "equals", "high")]
    [InlineData("businessHours", "equals", "closed")]
    [InlineData("pageUrl", "contains", "/pricing")]
    [InlineData("contact.email", "contains", "@bigcorp.example")]
    [InlineData("contact.name", "exists", "")]
    [InlineData("contact.plan", "equals", "enterprise")]
    [InlineData("contact.language", "notEquals", "en")]
    [InlineData("repeatContact", "equals", "7")]
    [InlineData("language", "equals", "de")]
    [InlineData("language", "equals", "DE-at")]
    [InlineData("language", "contains", "fr, de")]
    [InlineData("language", "notEquals", "de-DE")]
    [InlineData("language", "exists", "")]
    public async Task Match_ConditionThatHolds_Matches(string field, string op, string value) =>
        Assert.True(await RuleConditions.MatchAsync([new RuleCondition(field, op, value)], Subject));

    [Theory]
    [InlineData("message", "contains", "lawyer, chargeback")]
    [InlineData("label", "equals", "returns")]
    [InlineData("priority", "atLeast", "Urgent")]
    [InlineData("businessHours", "equals", "open")]
    [InlineData("pageUrl", "contains", "/checkout")]
    [InlineData("contact.plan", "equals", "Free")]
    [InlineData("contact.company", "exists", "")]
    [InlineData("repeatContact", "equals", "2")]
    [InlineData("language", "equals", "d")]
    [InlineData("language", "equals", "de-DE")]
    [InlineData("language", "contains", "fr, en")]
    [InlineData("language", "notEquals", "de")]
    public async Task Match_ConditionThatFails_DoesNotMatch(string field, string op, string value) =>
        Assert.False(await RuleConditions.MatchAsync([new RuleCondition(field, op, value)], Subject));

    [Fact]
    public async Task Match_SeveralConditions_AllMustHoldAndNoneMeansEverything()
    {
        Assert.True(await RuleConditions.MatchAsync([], Subject));
        Assert.False(await RuleConditions.MatchAsync([new("message", "contains", "cancel"), new("contact.plan", "equals", "Free")], Subject));
        Assert.True(await RuleConditions.MatchAsync([new("message", "contains", "cancel"), new("contact.plan", "equals", "Enterprise")], Subject));
    }

    [Fact]
    public async Task Match_NoConditionOnThePage_NeverAsksForIt()
    {
        var asked = false;
        var subject = Subject with { PageUrl = () => { asked = true; return Task.FromResult<string?>(null); } };

        await RuleConditions.MatchAsync([new("message", "contains", "cancel")], subject);

        Assert.False(asked); // the page comes from the tracker: only a rule about it pays for the look-up
    }

    [Theory]
    [InlineData("colour", "equals", "red", "conditions[0].field")]
    [InlineData("message", "resembles", "red", "conditions[0].operator")]
    [InlineData("message", "atLeast", "High", "conditions[0].value")]
    [InlineData("businessHours", "equals", "sometimes", "conditions[0].value")]
    [InlineData("message", "contains", " ", "conditions[0].value")]
    [InlineData("contact.", "equals", "x", "conditions[0].field")]
    [InlineData("repeatContact", "equals", "0", "conditions[0].value")]
    [InlineData("repeatContact", "contains", "7", "conditions[0].value")]
    public void Validate_BadCondition_NamesTheField(string field, string op, string value, string error)
    {
        var errors = new FieldErrors();

        RuleConditions.Validate(errors, "conditions", [new RuleCondition(field, op, value)]);

        Assert.Contains(error, errors.ToFailure().FieldErrors!.Keys);
    }
}
