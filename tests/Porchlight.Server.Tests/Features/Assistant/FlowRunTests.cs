using Porchlight.Server.Features.Assistant;
using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Tests.Features.Assistant;

/// <summary>
/// The flow engine step by step: what each step type says, waits for and changes, how answers are validated,
/// how conditions branch, and that the assistant hands over whenever it cannot go on.
/// </summary>
public sealed class FlowRunTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task Message_ThenNothing_SaysItAndHandsOverBecauseTheFlowEnded()
    {
        var turn = await StartAsync([new FlowStep("hi", "message", Text: "Hello!")]);

        Assert.Equal("Hello!", turn.Replies[0].Text);
        Assert.Equal(FlowOutcome.HandedOver, turn.State.Outcome);
        Assert.Equal("the flow ended", Assert.IsType<HandedOver>(Assert.Single(turn.Effects)).Reason);
    }

    [Fact]
    public async Task Question_ValidAnswer_CollectsTheFieldAndGoesOn()
    {
        FlowStep[] steps = [Question("order", "orderNumber", "pattern", pattern: @"^#?\d{5}$"), End("done")];
        var asked = await StartAsync(steps);

        var answered = await ContinueAsync(steps, asked.State, "#12345");

        Assert.Equal((FlowWait.Answer, "order"), (asked.State.Wait, asked.State.StepId));
        Assert.Equal("#12345", answered.State.Fields["orderNumber"]);
        Assert.Equal([new FieldCollected("orderNumber", "#12345"), new ResolvedByAssistant(FlowOutcome.Ended)], answered.Effects);
        Assert.Equal(FlowOutcome.Ended, answered.State.Outcome);
    }

    [Theory]
    [InlineData("email", "jo@example.com", true)]
    [InlineData("email", "jo@example", false)]
    [InlineData("email", "not an email", false)]
    [InlineData("phone", "+49 (30) 1234-567", true)]
    [InlineData("phone", "call me", false)]
    [InlineData("phone", "12", false)]
    [InlineData("number", "42.5", true)]
    [InlineData("number", "forty", false)]
    [InlineData("text", "anything at all", true)]
    public void Normalise_AnswerForValidation_PassesOnlyWhatFits(string validation, string answer, bool passes) =>
        Assert.Equal(passes, FlowRun.Normalise(Question("q", "f", validation), answer) is not null);

    [Fact]
    public async Task Question_InvalidAnswerThreeTimes_AsksAgainTwiceThenHandsOver()
    {
        FlowStep[] steps = [Question("email", "email", "email", retry: "Hmm, that email looks wrong."), End("done")];
        var turn = await StartAsync(steps);

        var first = await ContinueAsync(steps, turn.State, "nope");
        var second = await ContinueAsync(steps, first.State, "still nope");
        var third = await ContinueAsync(steps, second.State, "never");

        Assert.Equal("Hmm, that email looks wrong.", Assert.Single(first.Replies).Text);
        Assert.Equal(FlowOutcome.Active, second.State.Outcome);
        Assert.Empty(second.State.Fields);
        Assert.Equal(FlowOutcome.HandedOver, third.State.Outcome);
        Assert.Contains("could not be understood", Assert.IsType<HandedOver>(third.Effects.Last()).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Choice_ButtonOrItsNumber_FollowsThatOptionAndKeepsTheAnswer()
    {
        FlowStep[] steps =
        [
            new("topic", "choice", Text: "What is it about?", Field: "topic", Options: [new("Billing", "billing"), new("Shipping", "shipping")]),
            End("billing", "Billing it is."),
            End("shipping", "Shipping it is."),
        ];
        var asked = await StartAsync(steps);

        var byButton = await ContinueAsync(steps, Copy(asked.State), "shipping");
        var byNumber = await ContinueAsync(steps, Copy(asked.State), "1");

        Assert.Equal(["Billing", "Shipping"], asked.Replies.Single().QuickReplies);
        Assert.Equal(("Shipping it is.", "Shipping"), (byButton.Replies[0].Text, byButton.State.Fields["topic"]));
        Assert.Equal(("Billing it is.", "Billing"), (byNumber.Replies[0].Text, byNumber.State.Fields["topic"]));
    }

    [Fact]
    public async Task Choice_FreeTextWithoutElse_AsksAgainWithTheSameButtons()
    {
        FlowStep[] steps = [new("topic", "choice", Text: "Pick one", Options: [new("A", "end"), new("B", "end")]), End("end")];
        var asked = await StartAsync(steps);

        var again = await ContinueAsync(steps, asked.State, "something else");

        Assert.Equal(new FlowReply("Please choose one of these:", ["A", "B"]), Assert.Single(again.Replies), FlowReplyComparer.Instance);
        Assert.Equal((FlowWait.Choice, 1), (again.State.Wait, again.State.Attempts));
    }

    [Fact]
    public async Task Choice_FreeTextWithElse_GoesThereWithTheWordsKept()
    {
        FlowStep[] steps = [new("topic", "choice", Text: "Pick one", Options: [new("A", "end")], ElseNext: "other"), End("end"), End("other", "Got it.")];
        var asked = await StartAsync(steps);

        var other = await ContinueAsync(steps, asked.State, "my parcel is damaged");

        Assert.Equal(("Got it.", "my parcel is damaged"), (other.Replies[0].Text, other.State.Words));
    }

    [Fact]
    public async Task Choice_ButtonThatNamesAPerson_FollowsTheButtonNotAHandover()
    {
        FlowStep[] steps = [new("topic", "choice", Text: "Who should help?", Options: [new("Talk to a sales agent", "sales")]), End("sales", "Sales it is.")];
        var asked = await StartAsync(steps);

        var chosen = await ContinueAsync(steps, asked.State, "Talk to a sales agent");

        Assert.Equal(("Sales it is.", FlowOutcome.Ended), (chosen.Replies[0].Text, chosen.State.Outcome));
    }

    [Fact]
    public async Task Question_ValidAnswerThatMentionsPeople_IsTheAnswer()
    {
        FlowStep[] steps = [Question("size", "groupSize", "pattern", pattern: @"^\d+ people$", next: "done"), End("done", "Noted.")];
        var asked = await StartAsync(steps);

        var answered = await ContinueAsync(steps, asked.State, "4 people");

        Assert.Equal("4 people", answered.State.Fields["groupSize"]);
    }

    [Theory]
    [InlineData("Yes, thanks", true)]
    [InlineData("yes", true)]
    [InlineData("Thanks!", true)]
    [InlineData("Thanks, but I still can't log in", false)]
    [InlineData("thanks, that didn’t help", false)]
    [InlineData("No", false)]
    [InlineData("not really", false)]
    public void SaysYes_Answer_OnlyAPlainYesCounts(string text, bool yes) => Assert.Equal(yes, FlowRun.SaysYes(text));

    [Fact]
    public async Task Continue_StateThatDoesNotFitTheFlow_HandsOverInsteadOfFailing()
    {
        FlowStep[] steps = [new("hello", "message", Text: "Hello", Next: "end"), End("end")];
        var misfit = FlowState.FromClient(new FlowState { StepId = "hello", Wait = FlowWait.Answer, Fields = null!, Words = null!, ArticlesOffered = null! });

        var turn = await ContinueAsync(steps, misfit, "hi");

        Assert.Equal("the flow had no step to continue with", Assert.IsType<HandedOver>(Assert.Single(turn.Effects)).Reason);
    }

    [Fact]
    public async Task Handover_AfterFailedAnswers_StillGivesThreeTriesForTheEmail()
    {
        FlowStep[] steps = [Question("order", "order", "number", next: "done"), End("done")];
        var services = new ScriptedServices { Availability = new(false, false, null) };
        var asked = await StartAsync(steps, services);
        var once = await new FlowRun(new FlowDefinition(steps), services).ContinueAsync(Copy(asked.State), "soon", Ct);
        var twice = await new FlowRun(new FlowDefinition(steps), services).ContinueAsync(Copy(once.State), "later", Ct);

        var third = await new FlowRun(new FlowDefinition(steps), services).ContinueAsync(Copy(twice.State), "never", Ct);
        var badEmail = await new FlowRun(new FlowDefinition(steps), services).ContinueAsync(Copy(third.State), "jo at example", Ct);

        Assert.Equal((FlowWait.ContactEmail, 0), (third.State.Wait, third.State.Attempts));
        Assert.Equal((FlowOutcome.Active, 1), (badEmail.State.Outcome, badEmail.State.Attempts));
    }

    [Fact]
    public async Task Condition_OnFieldsContactAndIntent_TakesTheFirstBranchThatHolds()
    {
        FlowStep[] steps =
        [
            new("plan", "question", Text: "Which plan?", Field: "plan", Next: "route"),
            new("route", "condition", Branches:
            [
                new([new("field.plan", "equals", "enterprise"), new("contact.tier", "equals", "gold")], "vip"),
                new([new("field.plan", "contains", "pro, business")], "pro"),
            ], ElseNext: "basic"),
            End("vip", "VIP"),
            End("pro", "Pro"),
            End("basic", "Basic"),
        ];
        var services = new ScriptedServices { Contact = new FlowContact(null, null, new Dictionary<string, string> { ["tier"] = "gold" }) };

        async Task<string> RouteAsync(string plan)
        {
            var asked = await new FlowRun(new FlowDefinition(steps), services).StartAsync("hi", Ct);
            return (await new FlowRun(new FlowDefinition(steps), services).ContinueAsync(asked.State, plan, Ct)).Replies[0].Text;
        }

        Assert.Equal("VIP", await RouteAsync("Enterprise"));
        Assert.Equal("Pro", await RouteAsync("Business annual"));
        Assert.Equal("Basic", await RouteAsync("free"));
    }

    [Fact]
    public async Task Condition_BusinessHours_BranchesOnTheWorkspaceCalendar()
    {
        FlowStep[] steps = [new("hours", "condition", Branches: [new([new("businessHours", "equals", "open")], "open")], ElseNext: "closed"), End("open", "Open"), End("closed", "Closed")];

        var open = await StartAsync(steps, new ScriptedServices { BusinessHoursOpen = true });
        var closed = await StartAsync(steps, new ScriptedServices { BusinessHoursOpen = false });

        Assert.Equal(("Open", "Closed"), (open.Replies[0].Text, closed.Replies[0].Text));
    }

    [Fact]
    public async Task IdentifyIntent_Confident_SetsTheIntentAndGoesOn()
    {
        FlowStep[] steps = [new("intent", "identifyIntent", Next: "route", Threshold: 0.6), new("route", "condition", Branches: [new([new("intent", "equals", "returns")], "returns")]), End("returns", "Returns!")];
        var services = new ScriptedServices { Prediction = new IntentPrediction("returns", 0.83f) };

        var turn = await StartAsync(steps, services, "I want to send these shoes back");

        Assert.Equal(("returns", 0.83), (turn.State.Intent, Math.Round(turn.State.Confidence!.Value, 2)));
        Assert.Equal("I want to send these shoes back", services.Classified.Single());
        Assert.IsType<IntentRecognised>(turn.Effects[0]);
        Assert.Equal("Returns!", turn.Replies[0].Text);
    }

    [Fact]
    public async Task IdentifyIntent_BelowThreshold_SaysItIsNotSureAndOffersAPerson()
    {
        FlowStep[] steps = [new("intent", "identifyIntent", Next: "end", Threshold: 0.6), End("end")];
        var services = new ScriptedServices { Prediction = new IntentPrediction("returns", 0.41f) };

        var unsure = await StartAsync(steps, services, "hmm");
        var person = await new FlowRun(new FlowDefinition(steps), services).ContinueAsync(Copy(unsure.State), FlowRun.PersonReply, Ct);
        services.Prediction = new IntentPrediction("returns", 0.9f);
        var rephrased = await new FlowRun(new FlowDefinition(steps), services).ContinueAsync(Copy(unsure.State), "return my order", Ct);

        Assert.Null(unsure.State.Intent);
        Assert.Equal([FlowRun.PersonReply, FlowRun.RephraseReply], unsure.Replies.Single().QuickReplies);
        Assert.Contains("not sure", unsure.Replies[0].Text, StringComparison.Ordinal);
        Assert.Equal(FlowOutcome.HandedOver, person.State.Outcome);
        Assert.Equal(("returns", FlowOutcome.Ended), (rephrased.State.Intent, rephrased.State.Outcome));
    }

    [Fact]
    public async Task SuggestArticles_VisitorSaysYes_ResolvesAsContained()
    {
        FlowStep[] steps = [Articles("articles")];
        var services = new ScriptedServices { Articles = [new("Track your order", "https://help.example/track", "…"), new("Delivery times", null, "Most orders arrive in 3 days.")] };

        var offered = await StartAsync(steps, services, "where is my parcel");
        var yes = await new FlowRun(new FlowDefinition(steps), services).ContinueAsync(offered.State, FlowRun.YesReply, Ct);

        Assert.Equal("where is my parcel", services.Searched.Single());
        Assert.Contains("[Track your order](https://help.example/track)", offered.Replies[0].Text, StringComparison.Ordinal);
        Assert.Contains("**Delivery times**: Most orders arrive in 3 days.", offered.Replies[0].Text, StringComparison.Ordinal);
        Assert.Equal([FlowRun.YesReply, FlowRun.NoReply, FlowRun.PersonReply], offered.Replies[1].QuickReplies);
        Assert.Equal((FlowOutcome.Contained, true), (yes.State.Outcome, yes.State.ArticlesHelped));
        Assert.Equal(new ResolvedByAssistant(FlowOutcome.Contained), Assert.Single(yes.Effects));
    }

    [Fact]
    public async Task SuggestArticles_VisitorSaysNo_HandsOverWithTheArticlesRemembered()
    {
        FlowStep[] steps = [Articles("articles")];
        var services = new ScriptedServices { Articles = [new("Track your order", null, "text")] };

        var offered = await StartAsync(steps, services, "where is my parcel");
        var no = await new FlowRun(new FlowDefinition(steps), services).ContinueAsync(offered.State, "no, that didn't help", Ct);

        Assert.Equal(FlowOutcome.HandedOver, no.State.Outcome);
        Assert.Equal((false, "Track your order"), (no.State.ArticlesHelped, no.State.ArticlesOffered.Single()));
        Assert.Equal("the articles offered did not solve it", Assert.IsType<HandedOver>(Assert.Single(no.Effects)).Reason);
    }

    [Fact]
    public async Task SuggestArticles_NothingFound_SaysSoAndTakesTheElseStep()
    {
        FlowStep[] steps = [Articles("articles", elseNext: "sorry"), End("sorry", "Let me find someone.")];

        var turn = await StartAsync(steps, new ScriptedServices(), "quantum flux capacitor");

        Assert.Equal(["I couldn't find an article about that.", "Let me find someone."], turn.Replies.Select(r => r.Text));
    }

    [Fact]
    public async Task SuggestArticles_FromAnAnsweredField_SearchesThatAnswer()
    {
        FlowStep[] steps = [Question("ask", "question", "text", next: "articles"), Articles("articles", field: "question")];
        var services = new ScriptedServices();

        var asked = await StartAsync(steps, services, "hello");
        await new FlowRun(new FlowDefinition(steps), services).ContinueAsync(asked.State, "reset my password", Ct);

        Assert.Equal("reset my password", services.Searched.Single());
    }

    [Fact]
    public async Task LabelAndPriority_Steps_AreEffectsInOrder()
    {
        FlowStep[] steps = [new("l", "setLabel", Next: "p", Label: "vip"), new("p", "setPriority", Next: "end", Priority: "High"), End("end")];

        var turn = await StartAsync(steps);

        Assert.Equal([new LabelAdded("vip"), new PriorityChanged(ConversationPriority.High), new ResolvedByAssistant(FlowOutcome.Ended)], turn.Effects);
    }

    [Fact]
    public async Task Handover_DuringBusinessHoursWithAgentsOnline_ConnectsAtOnce()
    {
        var team = Guid.NewGuid();
        var turn = await StartAsync([new FlowStep("h", "handover", TeamId: team)], new ScriptedServices { Availability = new(true, true, null) });

        Assert.Equal(new HandedOver(team, "the flow's step “h” hands over"), Assert.Single(turn.Effects));
        Assert.Contains("connecting you with a person", turn.Replies.Single().Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handover_OutsideHoursWithoutEmail_SaysWhenAndAsksForAnEmailFirst()
    {
        FlowStep[] steps = [new("h", "handover")];
        var services = new ScriptedServices { Availability = new(false, false, "when we open again, Monday 09:00 (Europe/Berlin time)") };

        var asked = await StartAsync(steps, services);
        var wrong = await new FlowRun(new FlowDefinition(steps), services).ContinueAsync(Copy(asked.State), "tomorrow", Ct);
        var given = await new FlowRun(new FlowDefinition(steps), services).ContinueAsync(Copy(wrong.State), "jo@example.com", Ct);

        Assert.Contains("outside our business hours", asked.Replies[0].Text, StringComparison.Ordinal);
        Assert.Contains("Monday 09:00 (Europe/Berlin time)", asked.Replies[0].Text, StringComparison.Ordinal);
        Assert.Equal((FlowWait.ContactEmail, FlowOutcome.Active), (asked.State.Wait, asked.State.Outcome));
        Assert.Empty(asked.Effects);
        Assert.Equal(FlowOutcome.Active, wrong.State.Outcome);
        Assert.Equal([new FieldCollected("email", "jo@example.com"), new HandedOver(null, "the flow's step “h” hands over")], given.Effects);
    }

    [Fact]
    public async Task Handover_NobodyOnlineButEmailKnown_SaysSoAndHandsOverWithoutAsking()
    {
        var services = new ScriptedServices { Availability = new(true, false, null), Contact = new FlowContact("Jo", "jo@example.com", new Dictionary<string, string>()) };

        var turn = await StartAsync([new FlowStep("h", "handover")], services);

        Assert.StartsWith("Nobody from our team is online right now", turn.Replies.Single().Text, StringComparison.Ordinal);
        Assert.IsType<HandedOver>(Assert.Single(turn.Effects));
    }

    [Theory]
    [InlineData("Talk to a person", true)]
    [InlineData("can I speak to a human please", true)]
    [InlineData("Ich möchte mit einem Mitarbeiter sprechen", true)]
    [InlineData("where is my parcel", false)]
    [InlineData("my travel agent booked a tent for 12 people in march and the poles broke on the second night out", false)]
    public void WantsPerson_Message_RecognisesShortRequestsForAPerson(string text, bool wants) => Assert.Equal(wants, FlowRun.WantsPerson(text));

    [Fact]
    public async Task AnyWaitingStep_VisitorAsksForAPerson_HandsOverAtOnce()
    {
        FlowStep[] steps = [Question("q", "orderNumber", "number"), End("end")];
        var asked = await StartAsync(steps);

        var turn = await ContinueAsync(steps, asked.State, "I want to talk to a human");

        Assert.Equal("the visitor asked for a person", Assert.IsType<HandedOver>(Assert.Single(turn.Effects)).Reason);
    }

    [Fact]
    public async Task Loop_WithoutWaiting_IsCutAndHandedOver()
    {
        FlowStep[] steps = [new("a", "message", Text: "A", Next: "b"), new("b", "message", Text: "B", Next: "a")];

        var turn = await StartAsync(steps);

        Assert.Equal(FlowRun.MaxStepsPerTurn, turn.Replies.Count(r => r.Text is "A" or "B"));
        Assert.Contains("a loop", Assert.IsType<HandedOver>(Assert.Single(turn.Effects)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FinishedState_AnotherMessage_ChangesNothing()
    {
        FlowStep[] steps = [End("end", "Bye")];
        var ended = await StartAsync(steps);

        var after = await ContinueAsync(steps, ended.State, "hello?");

        Assert.Empty(after.Replies);
        Assert.Empty(after.Effects);
    }

    [Fact]
    public async Task Versioning_StateOfTheOldVersion_ContinuesWithTheOldStepsAfterAnEdit()
    {
        FlowStep[] v1 = [Question("q", "size", "text", next: "end"), End("end", "Thanks (v1)")];
        FlowStep[] v2 = [new("intro", "message", Text: "New intro", Next: "end"), End("end", "Thanks (v2)")];
        var flow = AssistantFlow.Create(Guid.NewGuid(), Guid.NewGuid());
        var first = flow.Change(new FlowDefinition(v1), isEnabled: true, botWebhookId: null, DateTime.UtcNow)!;
        var asked = await StartAsync(first.Definition.Steps);

        var second = flow.Change(new FlowDefinition(v2), isEnabled: true, botWebhookId: null, DateTime.UtcNow)!;
        var unchanged = flow.Change(new FlowDefinition(v2), isEnabled: false, botWebhookId: null, DateTime.UtcNow);
        var continued = await ContinueAsync(first.Definition.Steps, asked.State, "XL");

        Assert.Equal((1, 2, 2), (first.Number, second.Number, flow.Version));
        Assert.Null(unchanged);
        Assert.Equal(second.Id, flow.CurrentVersionId);
        Assert.Equal(("Thanks (v1)", "XL"), (continued.Replies[0].Text, continued.State.Fields["size"]));
    }

    private static FlowStep Question(string id, string field, string validation, string? pattern = null, string? retry = null, string? next = "done") =>
        new(id, "question", Text: $"Your {field}?", Next: next, Field: field, Validation: validation, Pattern: pattern, RetryText: retry);

    private static FlowStep End(string id, string? text = null) => new(id, "end", Text: text);

    private static FlowStep Articles(string id, string? elseNext = null, string? field = null) => new(id, "suggestArticles", ElseNext: elseNext, Field: field);

    private static Task<FlowTurn> StartAsync(IReadOnlyList<FlowStep> steps, ScriptedServices? services = null, string opening = "hello") =>
        new FlowRun(new FlowDefinition(steps), services ?? new ScriptedServices()).StartAsync(opening, Ct);

    private static Task<FlowTurn> ContinueAsync(IReadOnlyList<FlowStep> steps, FlowState state, string text) =>
        new FlowRun(new FlowDefinition(steps), new ScriptedServices()).ContinueAsync(Copy(state), text, Ct);

    // A state as stored between turns: each turn works on its own copy, as each message reads it from the database.
    private static FlowState Copy(FlowState state) =>
        System.Text.Json.JsonSerializer.Deserialize<FlowState>(System.Text.Json.JsonSerializer.Serialize(state))!;

    private sealed class FlowReplyComparer : IEqualityComparer<FlowReply>
    {
        public static readonly FlowReplyComparer Instance = new();

        public bool Equals(FlowReply? x, FlowReply? y) => x?.Text == y?.Text && x!.QuickReplies.SequenceEqual(y!.QuickReplies);

        public int GetHashCode(FlowReply obj) => obj.Text.GetHashCode(StringComparison.Ordinal);
    }

    /// <summary>Answers the engine's questions from fixed values and records what it asked.</summary>
    private sealed class ScriptedServices : IFlowServices
    {
        public FlowContact Contact { get; init; } = new(null, null, new Dictionary<string, string>());

        public bool BusinessHoursOpen { get; init; } = true;

        public IntentPrediction? Prediction { get; set; }

        public IReadOnlyList<OfferedArticle> Articles { get; init; } = [];

        public FlowAvailability Availability { get; init; } = new(true, true, null);

        public List<string> Classified { get; } = [];

        public List<string> Searched { get; } = [];

        public Task<IntentPrediction?> ClassifyAsync(string text, CancellationToken cancellationToken)
        {
            Classified.Add(text);
            return Task.FromResult(Prediction);
        }

        public Task<IReadOnlyList<OfferedArticle>> FindArticlesAsync(string words, string? intent, int max, CancellationToken cancellationToken)
        {
            Searched.Add(words);
            return Task.FromResult<IReadOnlyList<OfferedArticle>>([.. Articles.Take(max)]);
        }

        public Task<FlowAvailability> AvailabilityAsync(Guid? teamId, CancellationToken cancellationToken) => Task.FromResult(Availability);
    }
}
