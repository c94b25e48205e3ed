using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Assistant;

/// <summary>A bot's message to the visitor; <c>clientId</c> makes a retry return the stored message.</summary>
public sealed record BotMessageRequest(string? ClientId, string? Text, List<string>? QuickReplies);

/// <summary>
/// A bot handing the conversation to people: why, optionally what to say first, the team (else routing rules), and
/// what it learned (an intent with its confidence, and answers by name), all of which go into the agent's note.
/// </summary>
public sealed record BotHandoverRequest(
    string? Reason, string? Text, Guid? TeamId, string? Intent, double? Confidence, Dictionary<string, string>? Fields, List<string>? ArticlesOffered);

/// <summary>A bot resolving the conversation: the visitor's question was answered (counted as contained).</summary>
public sealed record BotResolveRequest(string? Text);

/// <summary>
/// The API side of an external bot (the inbox's assistant names its webhook): it answers the visitor messages it
/// receives, hands over with what it learned, or resolves, with the same effects as the built-in flow. Each call
/// applies to a conversation the bot still attends; afterwards it answers 409.
/// </summary>
public sealed class AssistantBots(AppDbContext db, ConversationChanges changes, AssistantTurns turns, TimeProvider clock)
{
    public const int MaxFields = 20;
    public const int MaxClientIdLength = Message.MaxClientIdLength - 4;

    public async Task<Result<MessageResponse>> SendAsync(Guid conversationId, BotMessageRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        MessageRules.ClientId(errors, request.ClientId);
        if (request.ClientId is { Length: > MaxClientIdLength })
        {
            errors.Add("clientId", $"At most {MaxClientIdLength} characters (a bot's ids are kept with a prefix).");
        }

        errors.Required("text", request.Text, Message.MaxTextLength);
        ValidateQuickReplies(errors, request.QuickReplies);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var clientId = "bot-" + request.ClientId;
        if (await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.ConversationId == conversationId && m.ClientId == clientId, cancellationToken) is { } earlier)
        {
            return await DescribeAsync(conversationId, earlier, cancellationToken);
        }

        var message = new AutomaticMessage(MessageKind.Outgoing, request.Text!.Trim(), request.QuickReplies?.ConvertAll(r => r.Trim()), clientId);
        var turn = new FlowTurn([], [], new FlowState());
        var outcome = await ActAsync(conversationId, turn, [message], keepState: true, cancellationToken);
        if (outcome is not null)
        {
            return outcome;
        }

        var stored = await db.Messages.AsNoTracking().FirstAsync(m => m.ConversationId == conversationId && m.ClientId == clientId, cancellationToken);
        return await DescribeAsync(conversationId, stored, cancellationToken);
    }

    public async Task<Result<Done>> HandOverAsync(Guid conversationId, BotHandoverRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        errors.Required("reason", request.Reason, 200);
        errors.MaxLength("text", request.Text, Message.MaxTextLength);
        errors.MaxLength("intent", request.Intent, Intent.MaxNameLength);
        if (request.Confidence is < 0 or > 1)
        {
            errors.Add("confidence", "Between 0 and 1.");
        }

        if (request.Fields is { } fields && (fields.Count > MaxFields
            || fields.Any(f => f.Key.Length is 0 or > FlowDefinition.MaxFieldLength || f.Value is not { Length: > 0 and <= CustomAttributes.MaxValueLength })))
        {
            errors.Add("fields", $"Up to {MaxFields} answers: names of 1–{FlowDefinition.MaxFieldLength} characters, values of 1–{CustomAttributes.MaxValueLength}.");
        }
        else if (request.Fields?.GetValueOrDefault("email") is { } email && !FlowRun.IsEmail(email.Trim()))
        {
            errors.Add("fields.email", "The contact's email address: a valid one.");
        }
        else if (request.Fields?.GetValueOrDefault("name") is { Length: > Contacts.Contact.MaxNameLength })
        {
            errors.Add("fields.name", $"The contact's name: at most {Contacts.Contact.MaxNameLength} characters.");
        }

        if (request.ArticlesOffered is { Count: > 10 } || request.ArticlesOffered?.Any(a => a is not { Length: > 0 and <= 200 }) == true)
        {
            errors.Add("articlesOffered", "Up to 10 titles of 1–200 characters.");
        }

        if (request.TeamId is { } teamId && !await db.Teams.AnyAsync(t => t.Id == teamId, cancellationToken))
        {
            errors.Add("teamId", "No team of this workspace has this id.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var reason = request.Reason!.Trim();
        var state = new FlowState
        {
            Intent = string.IsNullOrWhiteSpace(request.Intent) ? null : request.Intent.Trim(),
            Confidence = request.Confidence,
            Fields = new Dictionary<string, string>(request.Fields ?? [], StringComparer.Ordinal),
            ArticlesOffered = request.ArticlesOffered ?? [],
            Outcome = FlowOutcome.HandedOver,
            HandoverTeamId = request.TeamId,
            HandoverReason = reason,
        };
        var effects = new List<FlowEffect>();
        effects.AddRange(state.Fields.Select(f => new FieldCollected(f.Key, f.Value)));
        if (state.Intent is { } intent)
        {
            effects.Add(new IntentRecognised(intent, state.Confidence ?? 1));
        }

        effects.Add(new HandedOver(request.TeamId, reason));
        List<AutomaticMessage> said = string.IsNullOrWhiteSpace(request.Text) ? [] : [new(MessageKind.Outgoing, request.Text.Trim())];
        return await ActAsync(conversationId, new FlowTurn([], effects, state), said, keepState: false, cancellationToken) is { } failed ? failed : new Done();
    }

    public async Task<Result<Done>> ResolveAsync(Guid conversationId, BotResolveRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        errors.MaxLength("text", request.Text, Message.MaxTextLength);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var state = new FlowState { Outcome = FlowOutcome.Contained, ArticlesHelped = true };
        List<AutomaticMessage> said = string.IsNullOrWhiteSpace(request.Text) ? [] : [new(MessageKind.Outgoing, request.Text.Trim())];
        var turn = new FlowTurn([], [new ResolvedByAssistant(FlowOutcome.Contained)], state);
        return await ActAsync(conversationId, turn, said, keepState: false, cancellationToken) is { } failed ? failed : new Done();
    }

    // Applies the bot's turn to the conversation it attends, under its lock; a failure when it does not (any more).
    private async Task<Failure?> ActAsync(Guid conversationId, FlowTurn turn, List<AutomaticMessage> messages, bool keepState, CancellationToken cancellationToken)
    {
        if (!await db.Conversations.AnyAsync(c => c.Id == conversationId, cancellationToken))
        {
            return Failure.NotFound("The conversation");
        }

        Failure? failure = null;
        await changes.DecideAndWriteAsync(async ct =>
        {
            await RowLocks.LockAsync<Conversation>(db, conversationId, ct);
            var conversation = await db.Conversations.FirstAsync(c => c.Id == conversationId, ct);
            var session = await db.AssistantSessions.FirstOrDefaultAsync(s => s.ConversationId == conversationId, ct);
            if (session is not { BotWebhookId: not null, Outcome: FlowOutcome.Active } || session.State.Wait == FlowWait.ContactEmail
                || AnswerAsAssistant.PeopleHaveIt(conversation))
            {
                failure = Failure.Conflict(session is not { BotWebhookId: not null } ? "No external bot attends this conversation."
                    : session.Outcome != FlowOutcome.Active ? $"The bot no longer attends this conversation ({session.Outcome})."
                    : "The bot no longer attends this conversation: a person has it.");
                return null;
            }

            var now = clock.GetUtcNow().UtcDateTime;
            session.Answered(keepState ? session.State : turn.State, session.HandledSequence, now);
            var activity = await turns.ApplyAsync(turn, conversation, messages, now, ct);
            return new ConversationDecision(conversation, activity, messages);
        }, authorAgentId: null, cancellationToken);
        return failure;
    }

    private static void ValidateQuickReplies(FieldErrors errors, List<string>? quickReplies)
    {
        if (quickReplies is { Count: > FlowDefinition.MaxOptions } || quickReplies?.Any(r => r is not { Length: > 0 } || r.Trim().Length is 0 or > FlowDefinition.MaxOptionLength) == true)
        {
            errors.Add("quickReplies", $"Up to {FlowDefinition.MaxOptions} buttons of 1–{FlowDefinition.MaxOptionLength} characters.");
        }
    }

    private async Task<Result<MessageResponse>> DescribeAsync(Guid conversationId, Message message, CancellationToken cancellationToken)
    {
        var conversation = await db.Conversations.AsNoTracking().FirstAsync(c => c.Id == conversationId, cancellationToken);
        return await changes.DescribeAsync(conversation, message, cancellationToken);
    }
}
