using Porchlight.Server.Data;
using Porchlight.Server.Features.Assistant;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Reports;

public static class ReportsFeature
{
    public static IServiceCollection AddReports(this IServiceCollection services) => services
        .AddScoped<MeasureConversation>()
        .AddScoped<ReportFacts>()
        .AddScoped<ReportPeriods>()
        .AddScoped<GetReport>()
        .AddScoped<GetServiceReports>()
        .AddScoped<CustomerActivityReport>()
        .AddSingleton<FactsRecompute>()
        .AddHostedService(sp => sp.GetRequiredService<FactsRecompute>())
        .AddScoped<Digests>()
        .AddSingleton<WeeklyDigest>()
        .AddHostedService(sp => sp.GetRequiredService<WeeklyDigest>())
        .AddSingleton<ReportRollups>()
        .AddHostedService(sp => sp.GetRequiredService<ReportRollups>())
        .AddDomainEventHandler<ConversationStarted, RefreshReportFacts>()
        .AddDomainEventHandler<AssistantJoined, RefreshReportFacts>()
        .AddDomainEventHandler<AssistantHandedOver, RefreshReportFacts>()
        .AddDomainEventHandler<ReplyAwaited, RefreshReportFacts>()
        .AddDomainEventHandler<ReplyGiven, RefreshReportFacts>()
        .AddDomainEventHandler<ConversationAssigned, RefreshReportFacts>()
        .AddDomainEventHandler<ConversationStatusChanged, RefreshReportFacts>()
        .AddDomainEventHandler<Surveys.SurveyAnswered, RefreshReportFacts>()
        .AddDomainEventHandler<ConversationLabelsChanged, RefreshReportFacts>();

    public static void MapReports(this RouteGroupBuilder api)
    {
        api.MapGet("/conversations/{conversationId:guid}/measures", async (Guid conversationId, MeasureConversation useCase, CancellationToken ct) =>
                (await useCase.HandleAsync(conversationId, ct)).ToOk())
            .WithTags("Reports").RequirePermission(Permission.ViewConversations).Produces<ConversationMeasuresResponse>();

        var reports = api.MapGroup("/reports").WithTags("Reports");
        reports.MapGet("/overview", async ([AsParameters] ReportQuery query, GetReport report, CancellationToken ct) =>
                (await report.OverviewAsync(query, ct)).ToOk())
            .RequirePermission(Permission.ViewReports).Produces<ReportResponse>();
        reports.MapGet("/overview.csv", async ([AsParameters] ReportQuery query, GetReport report, CancellationToken ct) =>
                (await report.OverviewAsync(query, ct)).ToHttp(r => Csv(ReportCsv.Days(r), $"overview-{r.From:yyyy-MM-dd}-{r.To:yyyy-MM-dd}.csv")))
            .RequirePermission(Permission.ViewReports).Produces<string>(contentType: "text/csv");
        foreach (var (path, by) in new[]
                 {
                     ("agents", ReportBreakdown.Agent), ("teams", ReportBreakdown.Team), ("inboxes", ReportBreakdown.Inbox),
                     ("labels", ReportBreakdown.Label), ("intents", ReportBreakdown.Intent),
                 })
        {
            reports.MapGet($"/{path}", async ([AsParameters] ReportQuery query, GetReport report, CancellationToken ct) =>
                    (await report.BreakdownAsync(by, query, ct)).ToOk())
                .RequirePermission(Permission.ViewReports).Produces<BreakdownResponse>();
            reports.MapGet($"/{path}.csv", async ([AsParameters] ReportQuery query, GetReport report, CancellationToken ct) =>
                    (await report.BreakdownAsync(by, query, ct)).ToHttp(r => Csv(ReportCsv.Breakdown(r), $"{path}-{r.From:yyyy-MM-dd}-{r.To:yyyy-MM-dd}.csv")))
                .RequirePermission(Permission.ViewReports).Produces<string>(contentType: "text/csv");
        }

        reports.MapGet("/sla", async ([AsParameters] ReportQuery query, GetServiceReports report, CancellationToken ct) => (await report.SlaAsync(query, ct)).ToOk())
            .RequirePermission(Permission.ViewReports).Produces<SlaReportResponse>();
        reports.MapGet("/sla.csv", async ([AsParameters] ReportQuery query, GetServiceReports report, CancellationToken ct) =>
                (await report.SlaAsync(query, ct)).ToHttp(r => Csv(ReportCsv.Sla(r), $"sla-{r.From:yyyy-MM-dd}-{r.To:yyyy-MM-dd}.csv")))
            .RequirePermission(Permission.ViewReports).Produces<string>(contentType: "text/csv");
        reports.MapGet("/recompute", async (AppDbContext db, FactsRecompute recompute, CancellationToken ct) => TypedResults.Ok(await recompute.StatusAsync(db, ct)))
            .RequirePermission(Permission.ViewReports).Produces<FactsRecomputeResponse>();
        reports.MapPost("/recompute", async (AppDbContext db, FactsRecompute recompute, CancellationToken ct) =>
                TypedResults.Accepted("/api/v1/reports/recompute", await recompute.RequestAsync(db, ct)))
            .RequirePermission(Permission.ManageWorkspace).Produces<FactsRecomputeResponse>(StatusCodes.Status202Accepted);
        reports.MapGet("/digest", async (DateOnly? week, Digests digests, CancellationToken ct) => (await digests.ComposeAsync(week, ct)).ToOk())
            .RequirePermission(Permission.ViewReports).Produces<DigestResponse>();
        reports.MapGet("/insights", async ([AsParameters] ReportQuery query, GetServiceReports report, CancellationToken ct) => (await report.InsightsAsync(query, ct)).ToOk())
            .RequirePermission(Permission.ViewReports).Produces<InsightsResponse>();
        reports.MapGet("/repeat-contacts", async ([AsParameters] ReportQuery query, GetServiceReports report, CancellationToken ct) => (await report.RepeatContactsAsync(query, ct)).ToOk())
            .RequirePermission(Permission.ViewReports).Produces<RepeatContactsResponse>();
        reports.MapGet("/self-service", async ([AsParameters] ReportQuery query, GetServiceReports report, CancellationToken ct) => (await report.SelfServiceAsync(query, ct)).ToOk())
            .RequirePermission(Permission.ViewReports).Produces<SelfServiceResponse>();
        reports.MapGet("/self-service.csv", async ([AsParameters] ReportQuery query, GetServiceReports report, CancellationToken ct) =>
                (await report.SelfServiceAsync(query, ct)).ToHttp(r => Csv(ReportCsv.SelfService(r), $"self-service-{r.From:yyyy-MM-dd}-{r.To:yyyy-MM-dd}.csv")))
            .RequirePermission(Permission.ViewReports).Produces<string>(contentType: "text/csv");
        reports.MapGet("/customer-activity", async ([AsParameters] ReportQuery query, int? windowDays, string? attribute, CustomerActivityReport report, CancellationToken ct) =>
                (await report.HandleAsync(query, windowDays, attribute, ct)).ToOk())
            .RequirePermission(Permission.ViewReports).Produces<CustomerActivityResponse>();
        reports.MapGet("/surveys", async ([AsParameters] ReportQuery query, GetServiceReports report, CancellationToken ct) => (await report.SurveysAsync(query, ct)).ToOk())
            .RequirePermission(Permission.ViewReports).Produces<SurveyReportResponse>();
        reports.MapGet("/surveys.csv", async ([AsParameters] ReportQuery query, GetServiceReports report, CancellationToken ct) =>
                (await report.SurveysAsync(query, ct)).ToHttp(r => Csv(ReportCsv.Surveys(r), $"surveys-{r.From:yyyy-MM-dd}-{r.To:yyyy-MM-dd}.csv")))
            .RequirePermission(Permission.ViewReports).Produces<string>(contentType: "text/csv");
    }

    private static Microsoft.AspNetCore.Http.HttpResults.FileContentHttpResult Csv(string text, string fileName) =>
        TypedResults.File(System.Text.Encoding.UTF8.GetBytes(text), "text/csv; charset=utf-8", fileName);
}
