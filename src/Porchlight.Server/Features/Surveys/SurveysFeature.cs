using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Surveys;

public static class SurveysFeature
{
    public static IServiceCollection AddSurveys(this IServiceCollection services) => services
        .AddScoped<SurveyForms>()
        .AddScoped<VisitorSurveys>()
        .AddSingleton<SurveyLinks>()
        .AddDomainEventHandler<ConversationStatusChanged, SurveyOnResolve>()
        .AddDomainEventHandler<SurveyEmailDue, SurveyLinkMailer>();

    public static void MapSurveys(this RouteGroupBuilder api)
    {
        api.MapGet("/inboxes/{inboxId:guid}/survey", async (Guid inboxId, SurveyForms useCase, CancellationToken ct) => (await useCase.GetSettingsAsync(inboxId, ct)).ToOk())
            .WithTags("Surveys").RequirePermission(Permission.ViewWorkspace).Produces<SurveySettingsResponse>();
        api.MapPut("/inboxes/{inboxId:guid}/survey", async (Guid inboxId, SurveySettingsRequest request, SurveyForms useCase, CancellationToken ct) =>
                (await useCase.SaveSettingsAsync(inboxId, request, ct)).ToOk())
            .WithTags("Surveys").RequirePermission(Permission.ManageInboxes).Produces<SurveySettingsResponse>();
        api.MapGet("/conversations/{conversationId:guid}/survey", async (Guid conversationId, SurveyForms useCase, CancellationToken ct) =>
                (await useCase.GetAsync(conversationId, ct)).ToOk())
            .WithTags("Surveys").RequirePermission(Permission.ViewConversations).Produces<SurveyResponseView>();
        api.MapPost("/conversations/{conversationId:guid}/survey", async (Guid conversationId, SurveyForms useCase, CancellationToken ct) =>
                (await useCase.RequestAsync(conversationId, ct)).ToOk())
            .WithTags("Surveys").RequirePermission(Permission.HandleConversations).Produces<SurveyResponseView>();
    }

    /// <summary>
    /// The survey behind an emailed link at <c>/survey/{token}</c>: anonymous (the token is the key), a page without
    /// script answered by a form post, rate-limited per client address like the widget.
    /// </summary>
    public static void MapSurveyLinks(this WebApplication app)
    {
        var links = app.MapGroup("/survey/{token}").RequireRateLimiting(ClientRateLimits.Widget)
            .WithMetadata(new BodySizeLimit(ApiSetup.MaxFormBodyBytes)).ExcludeFromDescription();
        links.MapGet("/", async (string token, bool? thanks, SurveyLinks tokens, VisitorSurveys surveys, AppDbContext db, TimeProvider clock, CancellationToken ct) =>
        {
            if (tokens.Read(token) is not { } answerer || (await surveys.GetAsync(answerer, ct)) is not { Succeeded: true } open)
            {
                return Missing();
            }

            return await PageAsync(db, answerer, open.Value, clock, ct, thanks: thanks == true);
        });
        links.MapPost("/", async (string token, HttpContext http, SurveyLinks tokens, VisitorSurveys surveys, AppDbContext db, TimeProvider clock, CancellationToken ct) =>
        {
            if (tokens.Read(token) is not { } answerer)
            {
                return Missing();
            }

            var form = await http.Request.ReadFormOrNullAsync(ct);
            var posted = new SurveyAnswerRequest(Score(form?["rating"]), Score(form?["effort"]), Score(form?["recommend"]), form?["comment"].ToString() is { Length: > 0 } c ? c : null);
            var answered = await surveys.AnswerAsync(answerer, posted, ct);
            if (answered.Succeeded)
            {
                return Results.Redirect(SurveyLinks.PathFor(token) + "?thanks=true");
            }

            if ((await surveys.GetAsync(answerer, ct)) is not { Succeeded: true } open)
            {
                return Missing();
            }

            var error = answered.Failure!;
            var page = await PageAsync(db, answerer, open.Value, clock, ct, posted: posted, error: error.FieldErrors?.Values.SelectMany(e => e).FirstOrDefault() ?? error.Detail);
            page.StatusCode = error.Kind == FailureKind.Conflict ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest;
            return page;
        });
    }

    private static async Task<RazorComponentResult<SurveyLinkPage>> PageAsync(
        AppDbContext db, SurveyAnswerer answerer, VisitorSurvey? survey, TimeProvider clock, CancellationToken ct,
        SurveyAnswerRequest? posted = null, string? error = null, bool thanks = false) =>
        new(new Dictionary<string, object?>
        {
            [nameof(SurveyLinkPage.WorkspaceName)] = await db.Workspaces.Where(w => w.Id == answerer.WorkspaceId).Select(w => w.Name).FirstAsync(ct),
            [nameof(SurveyLinkPage.Survey)] = survey,
            [nameof(SurveyLinkPage.Posted)] = posted,
            [nameof(SurveyLinkPage.Error)] = error,
            [nameof(SurveyLinkPage.Thanks)] = thanks,
            [nameof(SurveyLinkPage.Now)] = clock.GetUtcNow().UtcDateTime,
        });

    private static RazorComponentResult<SurveyLinkPage> Missing() =>
        new(new Dictionary<string, object?> { [nameof(SurveyLinkPage.WorkspaceName)] = "us" }) { StatusCode = StatusCodes.Status404NotFound };

    // A score the form sent, or null when none was chosen; anything else is out of every scale and refused as such.
    private static int? Score(Microsoft.Extensions.Primitives.StringValues? value) =>
        value?.ToString() is { Length: > 0 } text ? (int.TryParse(text, out var score) ? score : -1) : null;
}
