using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Widget;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Surveys;

public sealed record SurveySettingsResponse(Guid InboxId, bool IsEnabled, RatingStyle Rating, bool AskEffort, bool AskRecommend, bool AskComment, DateTime? UpdatedAt);

public sealed record SurveySettingsRequest(bool? IsEnabled, RatingStyle? Rating, bool? AskEffort, bool? AskRecommend, bool? AskComment);

/// <summary>What the survey asks: the satisfaction question's style (none: not asked), and whether it asks effort, recommendation and a comment.</summary>
public sealed record SurveyQuestions(RatingStyle Rating, bool AskEffort, bool AskRecommend, bool AskComment)
{
    public static SurveyQuestions Of(SurveySettings settings) => new(settings.Rating, settings.AskEffort, settings.AskRecommend, settings.AskComment);
}

/// <summary>An answer: each score within its scale, or null where not answered; at least one of them, or a comment.</summary>
public sealed record SurveyAnswerRequest(int? Rating, int? Effort, int? Recommend, string? Comment);

/// <summary>A conversation's survey: when it was asked and how, and the answer (all null until the contact answers).</summary>
public sealed record SurveyResponseView(
    Guid ConversationId, SurveyChannel Channel, DateTime RequestedAt, DateTime? AnsweredAt, DateTime? ChangedAt, DateTime? EditableUntil,
    int? Rating, int? Effort, int? Recommend, string? Comment, Guid? AgentId, Guid? TeamId)
{
    public static SurveyResponseView From(SurveyResponse response) => new(
        response.ConversationId, response.Channel, response.RequestedAt, response.AnsweredAt, response.ChangedAt,
        response.AnsweredAt + SurveyResponse.EditWindow, response.Rating, response.Effort, response.Recommend, response.Comment, response.AgentId, response.TeamId);
}

/// <summary>What the widget shows: the questions, and the answer given so far (null before) with how long it may still change.</summary>
public sealed record VisitorSurvey(Guid ConversationId, SurveyQuestions Questions, SurveyAnswerRequest? Answer, DateTime? EditableUntil);

public static class SurveyQueries
{
    /// <summary>The settings of an inbox that asks a survey.</summary>
    public static Expression<Func<SurveySettings, bool>> Asking(Guid inboxId) =>
        s => s.InboxId == inboxId && s.IsEnabled && (s.Rating != RatingStyle.None || s.AskEffort || s.AskRecommend || s.AskComment);
}

/// <summary>An inbox's survey settings, a conversation's survey, and asking for one while the conversation goes on.</summary>
public sealed class SurveyForms(AppDbContext db, ActingAgent actor, TimeProvider clock, ConversationChanges changes)
{
    public async Task<Result<SurveySettingsResponse>> GetSettingsAsync(Guid inboxId, CancellationToken cancellationToken)
    {
        if (!await db.Inboxes.AnyAsync(i => i.Id == inboxId, cancellationToken))
        {
            return Failure.NotFound("The inbox");
        }

        var settings = await db.SurveySettings.AsNoTracking().FirstOrDefaultAsync(s => s.InboxId == inboxId, cancellationToken);
        return Describe(settings ?? SurveySettings.For(Guid.Empty, inboxId), settings is not null);
    }

    public async Task<Result<SurveySettingsResponse>> SaveSettingsAsync(Guid inboxId, SurveySettingsRequest request, CancellationToken cancellationToken)
    {
        if (await db.Inboxes.AsNoTracking().Where(i => i.Id == inboxId).Select(i => new { i.WorkspaceId }).FirstOrDefaultAsync(cancellationToken) is not { } inbox)
        {
            return Failure.NotFound("The inbox");
        }

        if (request.Rating is { } rating && !Enum.IsDefined(rating))
        {
            return Failure.Invalid("rating", "None, Stars or Emoji.");
        }

        var settings = await db.SurveySettings.FirstOrDefaultAsync(s => s.InboxId == inboxId, cancellationToken)
            ?? db.SurveySettings.Add(SurveySettings.For(inbox.WorkspaceId, inboxId)).Entity;
        settings.Change(
            request.IsEnabled ?? settings.IsEnabled, request.Rating ?? settings.Rating, request.AskEffort ?? settings.AskEffort,
            request.AskRecommend ?? settings.AskRecommend, request.AskComment ?? settings.AskComment, clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        return Describe(settings, saved: true);
    }

    public async Task<Result<SurveyResponseView>> GetAsync(Guid conversationId, CancellationToken cancellationToken)
    {
        if (!await db.Conversations.AnyAsync(c => c.Id == conversationId, cancellationToken))
        {
            return Failure.NotFound("The conversation");
        }

        return await db.SurveyResponses.AsNoTracking().FirstOrDefaultAsync(r => r.ConversationId == conversationId, cancellationToken) is { } response
            ? SurveyResponseView.From(response)
            : Failure.NotFound("The conversation's survey");
    }

    /// <summary>
    /// Asks the contact for their feedback now, before (or without) a resolve: the widget shows the survey in the
    /// conversation, or, when the contact is not in the chat (the conversation began with the offline form), the
    /// survey's link goes to them by email. Asking again changes nothing: a conversation has one survey.
    /// </summary>
    public async Task<Result<SurveyResponseView>> RequestAsync(Guid conversationId, CancellationToken cancellationToken)
    {
        if (await db.Conversations.FirstOrDefaultAsync(c => c.Id == conversationId, cancellationToken) is not { } conversation)
        {
            return Failure.NotFound("The conversation");
        }

        if (!await db.SurveySettings.AnyAsync(SurveyQueries.Asking(conversation.InboxId), cancellationToken))
        {
            return Failure.Conflict("The conversation's inbox asks no survey; turn its survey on first.");
        }

        if (await db.SurveyResponses.AsNoTracking().FirstOrDefaultAsync(r => r.ConversationId == conversationId, cancellationToken) is { } existing)
        {
            return SurveyResponseView.From(existing);
        }

        var byEmail = conversation.IsAnsweredByEmail;
        if (byEmail && !await db.Contacts.AnyAsync(c => c.Id == conversation.ContactId && c.Email != null, cancellationToken))
        {
            return Failure.Conflict("The contact is not in the chat and has no email address to send the survey to.");
        }

        var response = db.SurveyResponses.Add(SurveyResponse.Ask(conversation, byEmail ? SurveyChannel.Email : SurveyChannel.Requested, clock.GetUtcNow().UtcDateTime)).Entity;
        // The activity tells the contact's widget the conversation changed; it looks for the survey then.
        await changes.AppendActivityAsync(conversation, actor.AgentId, byEmail ? "Emailed the contact a survey" : "Asked the contact for feedback", cancellationToken);
        return SurveyResponseView.From(response);
    }

    private static SurveySettingsResponse Describe(SurveySettings settings, bool saved) => new(
        settings.InboxId, settings.IsEnabled, settings.Rating, settings.AskEffort, settings.AskRecommend, settings.AskComment, saved ? settings.UpdatedAt : null);
}

/// <summary>
/// Who answers a survey: the visitor in the widget (their contact, in their inbox) or whoever holds the conversation's
/// emailed link (the contact it was sent to).
/// </summary>
public sealed record SurveyAnswerer(Guid WorkspaceId, Guid ConversationId, Guid ContactId, Guid? InboxId)
{
    public static SurveyAnswerer Of(VisitorIdentity visitor, Guid conversationId) => new(visitor.WorkspaceId, conversationId, visitor.ContactId, visitor.InboxId);
}

/// <summary>
/// The survey as the contact answers it, in the widget or by the emailed link: shown once the conversation is
/// resolved (or it was asked for), answered once, and changeable for a short while (<see cref="SurveyResponse.EditWindow"/>).
/// </summary>
public sealed class VisitorSurveys(AppDbContext db, TenantScope tenant, TimeProvider clock)
{
    public async Task<Result<VisitorSurvey>> GetAsync(SurveyAnswerer answerer, CancellationToken cancellationToken)
    {
        var open = await OpenAsync(answerer, cancellationToken);
        if (!open.Succeeded)
        {
            return open.Failure!;
        }

        var (_, settings, response) = open.Value;
        return Describe(answerer.ConversationId, settings, response);
    }

    public async Task<Result<VisitorSurvey>> AnswerAsync(SurveyAnswerer answerer, SurveyAnswerRequest request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        InRange(errors, "rating", request.Rating, 1, 5);
        InRange(errors, "effort", request.Effort, 1, 7);
        InRange(errors, "recommend", request.Recommend, 0, 10);
        if (request.Comment?.Trim().Length > SurveyResponse.MaxCommentLength)
        {
            errors.Add("comment", $"At most {SurveyResponse.MaxCommentLength} characters.");
        }

        if (request is { Rating: null, Effort: null, Recommend: null } && string.IsNullOrWhiteSpace(request.Comment))
        {
            errors.Add("rating", "Answer at least one question.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var open = await OpenAsync(answerer, cancellationToken);
        if (!open.Succeeded)
        {
            return open.Failure!;
        }

        var (conversation, settings, response) = open.Value;
        var asked = SurveyQuestions.Of(settings);
        if ((request.Rating is not null && asked.Rating == RatingStyle.None) || (request.Effort is not null && !asked.AskEffort)
            || (request.Recommend is not null && !asked.AskRecommend) || (request.Comment is not null && !asked.AskComment))
        {
            return Failure.Invalid("rating", "Answer only what the survey asks.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        response ??= db.SurveyResponses.Add(SurveyResponse.Ask(conversation, SurveyChannel.Widget, now)).Entity;
        if (!response.CanAnswer(now))
        {
            return Failure.Conflict("This survey was answered a while ago and can no longer be changed.");
        }

        var agentId = await AnsweringAgent.OfAsync(db, conversation, cancellationToken);
        response.Answer(conversation, agentId, request.Rating, request.Effort, request.Recommend, request.Comment, now);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Answered in another tab at the same moment: that answer stands, and this one can change it.
            return Failure.Conflict("The survey was answered at the same moment elsewhere; try again.");
        }

        return Describe(answerer.ConversationId, settings, response);
    }

    // The contact's conversation, its inbox's survey, and the survey so far: a survey opens with the resolve or a request.
    private async Task<Result<(Conversation Conversation, SurveySettings Settings, SurveyResponse? Response)>> OpenAsync(
        SurveyAnswerer answerer, CancellationToken cancellationToken)
    {
        tenant.Enter(answerer.WorkspaceId);
        var conversation = await db.Conversations.AsNoTracking()
            .FirstOrDefaultAsync(
                c => c.Id == answerer.ConversationId && c.ContactId == answerer.ContactId && (answerer.InboxId == null || c.InboxId == answerer.InboxId),
                cancellationToken);
        if (conversation is null)
        {
            return Failure.NotFound("The conversation");
        }

        var settings = await db.SurveySettings.AsNoTracking().FirstOrDefaultAsync(SurveyQueries.Asking(conversation.InboxId), cancellationToken);
        var response = await db.SurveyResponses.FirstOrDefaultAsync(r => r.ConversationId == conversation.Id, cancellationToken);
        if (settings is null || (response is null && conversation.Status != ConversationStatus.Resolved))
        {
            return Failure.NotFound("The conversation's survey");
        }

        return (conversation, settings, response);
    }

    private static VisitorSurvey Describe(Guid conversationId, SurveySettings settings, SurveyResponse? response) => new(
        conversationId, SurveyQuestions.Of(settings),
        response is { IsAnswered: true } ? new SurveyAnswerRequest(response.Rating, response.Effort, response.Recommend, response.Comment) : null,
        response?.AnsweredAt + SurveyResponse.EditWindow);

    private static void InRange(FieldErrors errors, string field, int? value, int least, int most)
    {
        if (value is { } v && (v < least || v > most))
        {
            errors.Add(field, $"From {least} to {most}.");
        }
    }
}
