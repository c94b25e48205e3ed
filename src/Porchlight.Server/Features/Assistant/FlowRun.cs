using System.Globalization;
using System.Net.Mail;
using System.Text.RegularExpressions;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Assistant;

/// <summary>What the assistant waits for from the visitor, if anything.</summary>
public enum FlowWait
{
    None = 0,
    Answer = 1,
    Choice = 2,
    ArticleFeedback = 3,
    Rephrase = 4,
    ContactEmail = 5,
}

/// <summary>Where a conversation with the assistant stands; every state but Active is final.</summary>
public enum FlowOutcome
{
    Active = 0,

    /// <summary>The visitor said an article solved it: served without a person.</summary>
    Contained = 1,

    /// <summary>The flow reached an end step and resolved the conversation.</summary>
    Ended = 2,

    HandedOver = 3,

    /// <summary>An agent stepped in before the assistant was done.</summary>
    TakenOver = 4,
}

/// <summary>
/// What the assistant knows about one conversation: where it is in its flow, what it waits for, and what it has
/// learned. Kept with the conversation (AssistantSession), so the next message continues where this one stopped.
/// </summary>
public sealed class FlowState
{
    public string? StepId { get; set; }

    public FlowWait Wait { get; set; }

    /// <summary>How often the current question has been asked again.</summary>
    public int Attempts { get; set; }

    /// <summary>The answers collected, by field name.</summary>
    public Dictionary<string, string> Fields { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The visitor's latest words that were not an answer to a question: what articles and intents are found for.</summary>
    public string Words { get; set; } = "";

    public string? Intent { get; set; }

    public double? Confidence { get; set; }

    public List<string> ArticlesOffered { get; set; } = [];

    /// <summary>Whether the articles offered solved it, once the visitor said.</summary>
    public bool? ArticlesHelped { get; set; }

    public FlowOutcome Outcome { get; set; }

    /// <summary>The team a handover is for, while the assistant asks for an email address first.</summary>
    public Guid? HandoverTeamId { get; set; }

    public string? HandoverReason { get; set; }

    /// <summary>A state as a client sent it (the editor's preview): what is missing filled in, what is out of range pulled in.</summary>
    public static FlowState FromClient(FlowState given) => new()
    {
        StepId = given.StepId,
        Wait = Enum.IsDefined(given.Wait) ? given.Wait : FlowWait.None,
        Attempts = Math.Clamp(given.Attempts, 0, FlowRun.MaxAttempts),
        Fields = new Dictionary<string, string>((given.Fields ?? []).Where(f => f.Value is not null), StringComparer.Ordinal),
        Words = given.Words ?? "",
        Intent = given.Intent,
        // 1e309 reads as infinity, which no answer can carry (JSON has none): a confidence is from 0 to 1.
        Confidence = given.Confidence is { } confidence && double.IsFinite(confidence) ? Math.Clamp(confidence, 0, 1) : null,
        ArticlesOffered = [.. (given.ArticlesOffered ?? []).Where(a => a is not null)],
        ArticlesHelped = given.ArticlesHelped,
        Outcome = Enum.IsDefined(given.Outcome) ? given.Outcome : FlowOutcome.Active,
        HandoverTeamId = given.HandoverTeamId,
        HandoverReason = given.HandoverReason,
    };
}

/// <summary>A message from the assistant; <see cref="QuickReplies"/> become buttons the visitor can press.</summary>
public sealed record FlowReply(string Text, IReadOnlyList<string> QuickReplies);

/// <summary>An article the assistant offers: its title and where to read it (or its text, when it has no public address).</summary>
public sealed record OfferedArticle(string Title, string? Url, string ChatText);

/// <summary>The visitor as the assistant sees them.</summary>
public sealed record FlowContact(string? Name, string? Email, IReadOnlyDictionary<string, string> Attributes);

/// <summary>Whether people can answer now, and when they will if not (text such as "within a few hours").</summary>
public sealed record FlowAvailability(bool BusinessHoursOpen, bool AgentsOnline, string? ExpectedReply);

/// <summary>Something the conversation must change because of the assistant's turn.</summary>
public abstract record FlowEffect;

/// <summary>An answer was collected: name and email describe the contact, other fields the conversation.</summary>
public sealed record FieldCollected(string Field, string Value) : FlowEffect;

public sealed record LabelAdded(string Label) : FlowEffect;

public sealed record PriorityChanged(ConversationPriority Priority) : FlowEffect;

public sealed record IntentRecognised(string Intent, double Confidence) : FlowEffect;

/// <summary>The conversation is resolved by the assistant (<paramref name="Outcome"/> Contained or Ended).</summary>
public sealed record ResolvedByAssistant(FlowOutcome Outcome) : FlowEffect;

/// <summary>The conversation goes to people: <paramref name="TeamId"/>, else routing decides.</summary>
public sealed record HandedOver(Guid? TeamId, string Reason) : FlowEffect;

/// <summary>One turn of the assistant: what it says, what it changes, and where it now stands.</summary>
public sealed record FlowTurn(List<FlowReply> Replies, List<FlowEffect> Effects, FlowState State);

/// <summary>What the assistant asks of the rest of Porchlight while it runs: intents, articles, availability.</summary>
public interface IFlowServices
{
    FlowContact Contact { get; }

    bool BusinessHoursOpen { get; }

    Task<IntentPrediction?> ClassifyAsync(string text, CancellationToken cancellationToken);

    Task<IReadOnlyList<OfferedArticle>> FindArticlesAsync(string words, string? intent, int max, CancellationToken cancellationToken);

    Task<FlowAvailability> AvailabilityAsync(Guid? teamId, CancellationToken cancellationToken);
}

/// <summary>
/// The flow engine: from a state and the visitor's newest message, runs steps until one waits for the visitor or the
/// assistant is done, and says what to send and to change. It stores nothing itself, so the flow editor's preview
/// runs exactly what conversations run. A flow that would run more than <see cref="MaxStepsPerTurn"/> steps without
/// waiting (a loop) hands over, as does one that runs out of steps: when in doubt, a person answers.
/// </summary>
public sealed partial class FlowRun(FlowDefinition definition, IFlowServices services)
{
    public const int MaxStepsPerTurn = 50;
    public const int MaxAttempts = 3;
    public const string PersonReply = "Talk to a person";
    public const string YesReply = "Yes, thanks";
    public const string NoReply = "No";
    public const string RephraseReply = "Let me rephrase";
    public static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(100);

    private static readonly HashSet<string> PersonWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "human", "person", "agent", "operator", "representative", "someone", "somebody", "staff", "people",
        "mensch", "mitarbeiter", "mitarbeiterin", "jemand",
    };

    private static readonly HashSet<string> YesWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "yes", "yep", "yeah", "yup", "y", "solved", "helped", "thanks", "thank", "great", "perfect", "ja", "danke", "gelöst",
    };

    private static readonly HashSet<string> NoWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "no", "nope", "nah", "n", "not", "didnt", "doesnt", "cant", "cannot", "wont", "never", "nein", "nicht", "kein", "keine",
    };

    private static readonly HashSet<string> Buts = new(StringComparer.OrdinalIgnoreCase) { "but", "still", "however", "aber", "noch", "trotzdem" };

    private readonly List<FlowReply> _replies = [];
    private readonly List<FlowEffect> _effects = [];

    /// <summary>Starts the flow for a conversation whose opening message is <paramref name="openingWords"/>.</summary>
    public async Task<FlowTurn> StartAsync(string openingWords, CancellationToken cancellationToken)
    {
        var state = new FlowState { Words = openingWords.Trim() };
        if (WantsPerson(openingWords))
        {
            return await HandOverAsync(state, null, "the visitor asked for a person", cancellationToken);
        }

        return await RunFromAsync(state, definition.Steps[0].Id, cancellationToken);
    }

    /// <summary>Continues with the visitor's newest message.</summary>
    public async Task<FlowTurn> ContinueAsync(FlowState state, string text, CancellationToken cancellationToken)
    {
        text = text.Trim();
        if (state.Outcome != FlowOutcome.Active)
        {
            return Turn(state);
        }

        if (state.Wait == FlowWait.ContactEmail)
        {
            return await CollectEmailAsync(state, text, cancellationToken);
        }

        // The step the state waits in, if it is the kind that waits so (a state from elsewhere may not fit the flow).
        var step = definition.Find(state.StepId) is { } found && WaitsIn(found, state.Wait) ? found : null;

        // What the step asked for wins over a request for a person: a button "Talk to sales", an answer "4 people".
        if (step is not null && AnswersTheStep(step, state.Wait, text))
        {
            return state.Wait == FlowWait.Choice
                ? await ChooseAsync(state, step, text, cancellationToken)
                : await AnswerAsync(state, step, text, cancellationToken);
        }

        if (WantsPerson(text))
        {
            var why = state.Wait switch
            {
                FlowWait.Rephrase => "the assistant was not sure what the visitor needs, and they chose a person",
                FlowWait.ArticleFeedback => "the visitor asked for a person instead of the articles offered",
                _ => "the visitor asked for a person",
            };
            return await HandOverAsync(state, null, why, cancellationToken);
        }

        if (step is null)
        {
            // The version this conversation runs always has its steps; a state without a step is one that never waited.
            return await HandOverAsync(state, null, "the flow had no step to continue with", cancellationToken);
        }

        return state.Wait switch
        {
            FlowWait.Answer => await AnswerAsync(state, step, text, cancellationToken),
            FlowWait.Choice => await ChooseAsync(state, step, text, cancellationToken),
            FlowWait.ArticleFeedback => await ArticleFeedbackAsync(state, step, text, cancellationToken),
            _ => await RephraseAsync(state, step, text, cancellationToken),
        };
    }

    /// <summary>Hands over without another word (the visitor has gone quiet), with the reason given or the one that was waiting.</summary>
    public FlowTurn HandOverNow(FlowState state, string reason) => Handover(state, state.HandoverTeamId, reason);

    private static bool WaitsIn(FlowStep step, FlowWait wait) => (wait, step.Type) switch
    {
        (FlowWait.Answer, "question") => step.Field is not null,
        (FlowWait.Choice, "choice") => step.Options is { Count: > 0 },
        (FlowWait.ArticleFeedback, "suggestArticles") => true,
        (FlowWait.Rephrase, "identifyIntent") => true,
        _ => false,
    };

    // A button of the choice, or an answer the question's validation accepts (free text accepts anything, so it does not count).
    private static bool AnswersTheStep(FlowStep step, FlowWait wait, string text) => wait switch
    {
        FlowWait.Choice => OptionFor(step, text) is not null,
        FlowWait.Answer => step.Validation is not (null or "text") && Normalise(step, text) is not null,
        _ => false,
    };

    private static FlowOption? OptionFor(FlowStep step, string text)
    {
        var options = step.Options ?? [];
        return options.FirstOrDefault(o => string.Equals(o.Label.Trim(), text, StringComparison.OrdinalIgnoreCase))
            ?? (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= 1 && number <= options.Count ? options[number - 1] : null);
    }

    private async Task<FlowTurn> AnswerAsync(FlowState state, FlowStep step, string text, CancellationToken cancellationToken)
    {
        if (Normalise(step, text) is not { } value)
        {
            return await AskAgainAsync(state, step, step.RetryText ?? RetryTextFor(step.Validation), [], cancellationToken);
        }

        Collect(state, step.Field!, value);
        return await RunFromAsync(state, step.Next, cancellationToken);
    }

    private async Task<FlowTurn> ChooseAsync(FlowState state, FlowStep step, string text, CancellationToken cancellationToken)
    {
        var options = step.Options ?? [];
        if (OptionFor(step, text) is { } chosen)
        {
            if (step.Field is { } field)
            {
                Collect(state, field, chosen.Label.Trim());
            }

            return await RunFromAsync(state, chosen.Next, cancellationToken);
        }

        if (step.ElseNext is not null)
        {
            state.Words = text;
            if (step.Field is { } field)
            {
                Collect(state, field, text);
            }

            return await RunFromAsync(state, step.ElseNext, cancellationToken);
        }

        return await AskAgainAsync(state, step, step.RetryText ?? "Please choose one of these:", [.. options.Select(o => o.Label)], cancellationToken);
    }

    private async Task<FlowTurn> ArticleFeedbackAsync(FlowState state, FlowStep step, string text, CancellationToken cancellationToken)
    {
        if (SaysYes(text))
        {
            state.ArticlesHelped = true;
            Say("Glad that helped! If anything else comes up, just write here.");
            _effects.Add(new ResolvedByAssistant(FlowOutcome.Contained));
            return Finish(state, FlowOutcome.Contained);
        }

        state.ArticlesHelped = false;
        return step.ElseNext is { } next
            ? await RunFromAsync(state, next, cancellationToken)
            : await HandOverAsync(state, null, "the articles offered did not solve it", cancellationToken);
    }

    private async Task<FlowTurn> RephraseAsync(FlowState state, FlowStep step, string text, CancellationToken cancellationToken)
    {
        if (string.Equals(text, RephraseReply, StringComparison.OrdinalIgnoreCase))
        {
            Say("Sure, tell me in your own words what you need.");
            return Turn(state);
        }

        state.Words = text;
        if (await RecogniseAsync(state, step, cancellationToken))
        {
            return await RunFromAsync(state, step.Next, cancellationToken);
        }

        return await HandOverAsync(state, null, "the assistant was not sure what the visitor needs", cancellationToken);
    }

    private async Task<FlowTurn> CollectEmailAsync(FlowState state, string text, CancellationToken cancellationToken)
    {
        if (IsEmail(text))
        {
            Collect(state, "email", text);
            Say($"Thank you. We'll reply to {text} as soon as we can.");
            return Handover(state, state.HandoverTeamId, state.HandoverReason ?? "handed over");
        }

        state.Attempts++;
        if (state.Attempts >= MaxAttempts || WantsPerson(text))
        {
            Say("No problem, we'll answer here as soon as someone is back.");
            return Handover(state, state.HandoverTeamId, state.HandoverReason ?? "handed over");
        }

        Say("That doesn't look like an email address. Could you check it?");
        return Turn(state);
    }

    // Runs steps from stepId until one waits for the visitor or the assistant is done.
    private async Task<FlowTurn> RunFromAsync(FlowState state, string? stepId, CancellationToken cancellationToken)
    {
        state.Wait = FlowWait.None;
        state.Attempts = 0;
        for (var ran = 0; ran < MaxStepsPerTurn; ran++)
        {
            if (definition.Find(stepId) is not { } step)
            {
                return await HandOverAsync(state, null, "the flow ended", cancellationToken);
            }

            state.StepId = step.Id;
            switch (step.Type)
            {
                case "message":
                    Say(step.Text!);
                    stepId = step.Next;
                    break;
                case "question":
                    Say(step.Text!);
                    return Wait(state, FlowWait.Answer);
                case "choice":
                    Say(step.Text!, [.. step.Options!.Select(o => o.Label.Trim())]);
                    return Wait(state, FlowWait.Choice);
                case "condition":
                    stepId = step.Branches!.FirstOrDefault(b => b.Conditions.All(c => Holds(c, state)))?.Next ?? step.ElseNext;
                    break;
                case "setLabel":
                    _effects.Add(new LabelAdded(step.Label!.Trim()));
                    stepId = step.Next;
                    break;
                case "setPriority":
                    _ = EnumNames.TryParse<ConversationPriority>(step.Priority, out var priority);
                    _effects.Add(new PriorityChanged(priority));
                    stepId = step.Next;
                    break;
                case "identifyIntent":
                    if (!await RecogniseAsync(state, step, cancellationToken))
                    {
                        Say(step.RetryText ?? "I'm not sure I understood. Would you like to talk to a person, or tell me in other words?", [PersonReply, RephraseReply]);
                        return Wait(state, FlowWait.Rephrase);
                    }

                    stepId = step.Next;
                    break;
                case "suggestArticles":
                    var query = step.Field is { } field && state.Fields.TryGetValue(field, out var asked) ? asked : state.Words;
                    var articles = await services.FindArticlesAsync(query, state.Intent, step.MaxArticles ?? FlowDefinition.DefaultArticles, cancellationToken);
                    if (articles.Count == 0)
                    {
                        Say("I couldn't find an article about that.");
                        if (step.ElseNext is null)
                        {
                            return await HandOverAsync(state, null, "no article matched the visitor's question", cancellationToken);
                        }

                        stepId = step.ElseNext;
                        break;
                    }

                    state.ArticlesOffered.AddRange(articles.Select(a => a.Title));
                    Say(OfferText(step.Text, articles));
                    Say("Did that solve it?", [YesReply, NoReply, PersonReply]);
                    return Wait(state, FlowWait.ArticleFeedback);
                case "handover":
                    if (step.Text is { } handoverText)
                    {
                        Say(handoverText);
                    }

                    // Reached after articles that did not help, that is the reason an agent wants to read.
                    var why = state.ArticlesHelped == false ? "the articles offered did not solve it" : $"the flow's step “{step.Id}” hands over";
                    return await HandOverAsync(state, step.TeamId, why, cancellationToken);
                case "end":
                    if (step.Text is { } endText)
                    {
                        Say(endText);
                    }

                    _effects.Add(new ResolvedByAssistant(FlowOutcome.Ended));
                    return Finish(state, FlowOutcome.Ended);
            }
        }

        return await HandOverAsync(state, null, $"the flow ran {MaxStepsPerTurn} steps without waiting for the visitor (a loop)", cancellationToken);
    }

    /// <summary>
    /// Hands over, honestly: outside business hours or with nobody online the visitor hears so, when to expect an
    /// answer, and is asked for an email address if the team has none to answer to (the handover follows the answer).
    /// </summary>
    public async Task<FlowTurn> HandOverAsync(FlowState state, Guid? teamId, string reason, CancellationToken cancellationToken)
    {
        var availability = await services.AvailabilityAsync(teamId, cancellationToken);
        if (availability.BusinessHoursOpen && availability.AgentsOnline)
        {
            Say("I'm connecting you with a person from our team. They'll see everything you've told me.");
            return Handover(state, teamId, reason);
        }

        var away = availability.BusinessHoursOpen ? "Nobody from our team is online right now" : "We're outside our business hours right now";
        var expect = availability.ExpectedReply is { } expected ? $", and we'll reply {expected}" : "";
        Say($"{away}{expect}. Your message is with our team and they'll see everything you've told me.");
        var email = state.Fields.GetValueOrDefault("email") ?? services.Contact.Email;
        if (string.IsNullOrWhiteSpace(email))
        {
            Say("What email address can we reach you at?");
            state.HandoverTeamId = teamId;
            state.HandoverReason = reason;
            state.Attempts = 0;
            return Wait(state, FlowWait.ContactEmail);
        }

        return Handover(state, teamId, reason);
    }

    private FlowTurn Handover(FlowState state, Guid? teamId, string reason)
    {
        state.HandoverReason = reason;
        _effects.Add(new HandedOver(teamId, reason));
        return Finish(state, FlowOutcome.HandedOver);
    }

    private async Task<bool> RecogniseAsync(FlowState state, FlowStep step, CancellationToken cancellationToken)
    {
        var prediction = state.Words.Length == 0 ? null : await services.ClassifyAsync(state.Words, cancellationToken);
        if (prediction is null || prediction.Confidence < (step.Threshold ?? FlowDefinition.DefaultThreshold))
        {
            return false;
        }

        state.Intent = prediction.Intent;
        state.Confidence = Math.Round(prediction.Confidence, 3);
        _effects.Add(new IntentRecognised(prediction.Intent, state.Confidence.Value));
        return true;
    }

    private async Task<FlowTurn> AskAgainAsync(FlowState state, FlowStep step, string retry, IReadOnlyList<string> quickReplies, CancellationToken cancellationToken)
    {
        state.Attempts++;
        if (state.Attempts >= MaxAttempts)
        {
            return await HandOverAsync(state, null, $"the visitor's answer to “{step.Text}” could not be understood", cancellationToken);
        }

        Say(retry, quickReplies);
        return Turn(state);
    }

    private void Collect(FlowState state, string field, string value)
    {
        state.Fields[field] = value;
        _effects.Add(new FieldCollected(field, value));
    }

    private bool Holds(FlowCondition condition, FlowState state)
    {
        var value = condition.Value?.Trim() ?? "";
        var subject = condition.Subject;
        if (subject == "businessHours")
        {
            var open = services.BusinessHoursOpen == value.Equals("open", StringComparison.OrdinalIgnoreCase);
            return condition.Operator == "notEquals" ? !open : open;
        }

        var contact = services.Contact;
        var actual = subject switch
        {
            "intent" => state.Intent,
            "message" => state.Words,
            "contact.name" => contact.Name,
            "contact.email" => state.Fields.GetValueOrDefault("email") ?? contact.Email,
            _ when subject.StartsWith("field.", StringComparison.Ordinal) => state.Fields.GetValueOrDefault(subject["field.".Length..]),
            _ => contact.Attributes.GetValueOrDefault(subject[Routing.RuleConditions.ContactPrefix.Length..]),
        };
        return Routing.RuleConditions.Compare(condition.Operator, actual, value);
    }

    private static string OfferText(string? intro, IReadOnlyList<OfferedArticle> articles) =>
        (intro ?? "These articles may answer your question:") + "\n\n"
        + string.Join("\n", articles.Select(a => a.Url is { } url ? $"- [{a.Title}]({url})" : $"- **{a.Title}**: {Excerpt(a.ChatText)}"));

    private static string Excerpt(string text) => text.Length <= 280 ? text : text[..279] + "…";

    /// <summary>The answer as it is kept, or null when it does not pass the step's validation.</summary>
    public static string? Normalise(FlowStep step, string text)
    {
        text = text.Trim();
        if (text.Length == 0 || text.Length > FlowDefinition.MaxTextLength)
        {
            return null;
        }

        return step.Validation switch
        {
            "email" => IsEmail(text) ? text : null,
            "phone" => PhoneNumber().IsMatch(text) && text.Count(char.IsAsciiDigit) is >= 6 and <= 15 ? text : null,
            "number" => decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out _) ? text : null,
            "pattern" => Matches(step.Pattern!, text) ? text : null,
            _ => text,
        };
    }

    private static bool Matches(string pattern, string text)
    {
        try
        {
            return Regex.IsMatch(text, pattern, RegexOptions.None, PatternTimeout);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static string RetryTextFor(string? validation) => validation switch
    {
        "email" => "That doesn't look like an email address. Could you check it?",
        "phone" => "That doesn't look like a phone number. Could you check it?",
        "number" => "Please answer with a number.",
        "pattern" => "That doesn't look right. Could you check it?",
        _ => "Could you say that again?",
    };

    public static bool IsEmail(string text) =>
        text.Length <= 254 && !text.Contains(' ', StringComparison.Ordinal) && MailAddress.TryCreate(text, out var address) && address.Address == text
        && address.Host.Contains('.', StringComparison.Ordinal);

    /// <summary>Whether the visitor asks for a person: the quick reply, or a short message that names one.</summary>
    public static bool WantsPerson(string text)
    {
        if (string.Equals(text.Trim(), PersonReply, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var words = Words(text);
        return words.Count is > 0 and <= 8 && words.Any(PersonWords.Contains);
    }

    /// <summary>
    /// Whether the visitor says the articles solved it: the button, or words of yes (a plain "thanks" among them) with
    /// nothing that takes it back ("thanks, but I still can't…", "that didn't help").
    /// </summary>
    public static bool SaysYes(string text)
    {
        if (string.Equals(text.Trim(), YesReply, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var words = Words(text);
        return words.Any(YesWords.Contains) && !words.Any(w => NoWords.Contains(w) || Buts.Contains(w) || w.EndsWith("n't", StringComparison.Ordinal));
    }

    // Words as typed, with the typographic apostrophe of phone keyboards made plain ("didn’t" is "didn't").
    private static List<string> Words(string text) => [.. WordPattern().Matches(text.Replace('’', '\'')).Select(m => m.Value)];

    private void Say(string text, IReadOnlyList<string>? quickReplies = null) => _replies.Add(new FlowReply(text, quickReplies ?? []));

    private FlowTurn Wait(FlowState state, FlowWait wait)
    {
        state.Wait = wait;
        return Turn(state);
    }

    private FlowTurn Finish(FlowState state, FlowOutcome outcome)
    {
        state.Wait = FlowWait.None;
        state.Outcome = outcome;
        return Turn(state);
    }

    private FlowTurn Turn(FlowState state) => new([.. _replies], [.. _effects], state);

    [GeneratedRegex(@"^\+?[0-9 ()./-]+$")]
    private static partial Regex PhoneNumber();

    [GeneratedRegex(@"[\p{L}']+")]
    private static partial Regex WordPattern();
}
