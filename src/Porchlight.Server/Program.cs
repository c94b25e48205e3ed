using Porchlight.Server.Components;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.ApiChannel;
using Porchlight.Server.Features.ApiTokens;
using Porchlight.Server.Features.Contacts;
using Porchlight.Server.Features.Assistant;
using Porchlight.Server.Features.Reports;
using Porchlight.Server.Features.Attachments;
using Porchlight.Server.Features.Audit;
using Porchlight.Server.Features.Automation;
using Porchlight.Server.Features.Campaigns;
using Porchlight.Server.Features.CannedResponses;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.DashboardApps;
using Porchlight.Server.Features.Email;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Features.KnowledgeBase;
using Porchlight.Server.Features.Privacy;
using Porchlight.Server.Features.Quality;
using Porchlight.Server.Features.Retention;
using Porchlight.Server.Features.Workforce;
using Porchlight.Server.Features.Routing;
using Porchlight.Server.Features.Setup;
using Porchlight.Server.Features.SignIn;
using Porchlight.Server.Features.Sla;
using Porchlight.Server.Features.Surveys;
using Porchlight.Server.Features.Teams;
using Porchlight.Server.Features.Tracking;
using Porchlight.Server.Features.Webhooks;
using Porchlight.Server.Hosting.Cluster;
using Porchlight.Server.Features.Widget;
using Porchlight.Server.Features.Workspaces;
using Porchlight.Server.Hosting;

// One executable, two faces: `porchlight <command>` for operators, otherwise the web server.
var command = OperatorCommand.Parse(args);
if (command.Error is { } usageError)
{
    Console.Error.WriteLine(usageError);
    Console.Error.WriteLine("Run `porchlight --help` for usage.");
    return OperatorCommand.ExitUsage;
}

if (command.Name == "help")
{
    Console.WriteLine(OperatorCommand.Usage);
    return OperatorCommand.ExitOk;
}

var builder = WebApplication.CreateBuilder(command.HostArgs);
if (StartupConfiguration.Problems(builder.Configuration) is { Count: > 0 } problems)
{
    Console.Error.WriteLine("Porchlight cannot start because of its configuration:");
    foreach (var problem in problems)
    {
        Console.Error.WriteLine($"  - {problem}");
    }

    return OperatorCommand.ExitConfiguration;
}

builder.LimitConnections();
builder.Services
    .AddSingleton<TimeProvider>(new StorageClock(TimeProvider.System))
    .AddData(builder.Configuration)
    .AddClusterNode(builder.Configuration)
    .AddDataProtectionKeys(builder.Configuration)
    .AddPorchlightAuthentication(builder.Configuration)
    .AddPorchlightApi()
    .AddPorchlightObservability()
    .AddAppShell()
    .AddAgentRevalidation()
    .AddAudit()
    .AddEmail(builder.Configuration)
    .AddContacts()
    .AddWorkspaces()
    .AddPrivacy()
    .AddAgents()
    .AddTeams()
    .AddInboxes()
    .AddApiTokens()
    .AddConversations(builder.Configuration)
    .AddApiChannel()
    .AddAttachments(builder.Configuration)
    .AddCannedResponses()
    .AddCampaigns()
    .AddWidget()
    .AddTracking()
    .AddQueuesAndRouting()
    .AddServiceLevels()
    .AddAutomation()
    .AddWebhooks(builder.Configuration)
    .AddDashboardApps()
    .AddKnowledgeBase()
    .AddHelpCenter()
    .AddAssistant()
    .AddReports()
    .AddSurveys()
    .AddQuality()
    .AddRetention()
    .AddWorkforce()
    .AddCluster(builder.Configuration)
    .AddSignIn(builder.Configuration)
    .AddSingleton<SetupGate>()
    .AddSingleton<PublicUrls>()
    .AddTrustedProxies(builder.Configuration);

var app = builder.Build();

if (command.Name is not null)
{
    return await OperatorCommand.RunAsync(command, app.Services);
}

if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DatabaseOptions>>().Value.MigrateOnStart)
{
    await DataFeature.MigrateAsync(app.Services, CancellationToken.None);
}

if (app.Logger.IsEnabled(LogLevel.Information))
{
    app.Logger.LogInformation("Connections at once: at most {MaxConnections} (none: no limit).", app.Services.GetRequiredService<ConnectionCap>().MaxConnections);
}

app.UseForwardedHeaders();
app.UseSecurityHeaders();
app.UseExceptionHandler();
app.UseTrackingIngestion();
app.UseStatusCodePages();
app.UseBodySizeLimits();
app.UseKnownCharsets();
app.UseSetupGate();
app.UseRateLimiter();
app.UseCors();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();
app.UseActingAgent();

app.MapObservability();
var api = app.MapApiV1();
api.MapWorkspaces();
api.MapAgents();
api.MapTeams();
api.MapInboxes();
api.MapApiTokens();
api.MapAudit();
api.MapConversations();
api.MapContacts();
api.MapPrivacy();
api.MapApiChannel();
api.MapEmailInboxes();
api.MapAttachments(builder.Configuration);
api.MapCannedResponses();
api.MapTrackingApi();
api.MapCampaigns();
api.MapQueuesAndRouting();
api.MapServiceLevels();
api.MapAutomation();
api.MapWebhooks();
api.MapDashboardApps();
api.MapKnowledgeBase();
api.MapAssistant();
api.MapReports();
api.MapSurveys();
api.MapQuality();
api.MapRetention();
api.MapWorkforce();
app.MapAgentHub();
app.MapWidget();
app.MapHelpCenter();
app.MapSurveyLinks();
app.MapAttachmentDownloads();
app.MapSignIn();
app.MapAppShell();

await app.RunAsync();
return OperatorCommand.ExitOk;
