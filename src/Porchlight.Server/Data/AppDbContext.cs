using System.Linq.Expressions;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.ApiTokens;
using Porchlight.Server.Features.Attachments;
using Porchlight.Server.Features.Audit;
using Porchlight.Server.Features.CannedResponses;
using Porchlight.Server.Features.Contacts;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Features.Teams;
using Porchlight.Server.Features.Workspaces;

namespace Porchlight.Server.Data;

/// <summary>
/// The one context of the application. It is abstract: <see cref="SqliteAppDbContext"/> and
/// <see cref="PostgresAppDbContext"/> carry each provider's own migrations (see Data/README.md).
/// </summary>
public abstract class AppDbContext(DbContextOptions options, TenantScope tenant)
    : IdentityUserContext<Agent, Guid>(options), IDataProtectionKeyContext
{
    /// <summary>
    /// Keys that protect cookies and antiforgery tokens. Kept in the database so restarts keep people
    /// signed in and every node of a cluster can read every other node's cookies.
    /// </summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<Workspace> Workspaces => Set<Workspace>();

    public DbSet<Agent> Agents => Set<Agent>();

    public DbSet<AgentStatusPeriod> AgentStatusPeriods => Set<AgentStatusPeriod>();

    /// <summary>Signed-in browsers of agents; the app's cookie is honoured only while its row is here.</summary>
    public DbSet<Features.SignIn.AgentSession> AgentSessions => Set<Features.SignIn.AgentSession>();

    public DbSet<Invitation> Invitations => Set<Invitation>();

    public DbSet<Team> Teams => Set<Team>();

    public DbSet<TeamMember> TeamMembers => Set<TeamMember>();

    public DbSet<Inbox> Inboxes => Set<Inbox>();

    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

    public DbSet<Contact> Contacts => Set<Contact>();

    public DbSet<Conversation> Conversations => Set<Conversation>();

    public DbSet<Message> Messages => Set<Message>();

    public DbSet<Attachment> Attachments => Set<Attachment>();

    public DbSet<CannedResponse> CannedResponses => Set<CannedResponse>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<AuditChainAnchor> AuditChainAnchors => Set<AuditChainAnchor>();

    public DbSet<Features.Retention.RetentionPolicy> RetentionPolicies => Set<Features.Retention.RetentionPolicy>();

    public DbSet<Features.Retention.LegalHold> LegalHolds => Set<Features.Retention.LegalHold>();

    public DbSet<Features.Retention.RetentionRun> RetentionRuns => Set<Features.Retention.RetentionRun>();

    public DbSet<Features.Retention.AnonymizedConversation> AnonymizedConversations => Set<Features.Retention.AnonymizedConversation>();

    public DbSet<Features.Workforce.StaffingSettings> StaffingSettings => Set<Features.Workforce.StaffingSettings>();

    public DbSet<Features.Workforce.ForecastAdjustment> ForecastAdjustments => Set<Features.Workforce.ForecastAdjustment>();

    public DbSet<Features.Workforce.Shift> Shifts => Set<Features.Workforce.Shift>();

    public DbSet<Features.Workforce.TimeOff> TimeOff => Set<Features.Workforce.TimeOff>();

    public DbSet<Features.Workforce.WorkloadAlert> WorkloadAlerts => Set<Features.Workforce.WorkloadAlert>();

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<Hosting.Cluster.JobLease> JobLeases => Set<Hosting.Cluster.JobLease>();

    public DbSet<Features.Tracking.TrackedEvent> TrackedEvents => Set<Features.Tracking.TrackedEvent>();

    public DbSet<Features.Tracking.TrackedVisitor> TrackedVisitors => Set<Features.Tracking.TrackedVisitor>();

    public DbSet<Features.KnowledgeBase.Article> Articles => Set<Features.KnowledgeBase.Article>();

    public DbSet<Features.KnowledgeBase.ArticleCategory> ArticleCategories => Set<Features.KnowledgeBase.ArticleCategory>();

    public DbSet<Features.KnowledgeBase.ArticleRead> ArticleReads => Set<Features.KnowledgeBase.ArticleRead>();

    public DbSet<Features.KnowledgeBase.ArticleTerm> ArticleTerms => Set<Features.KnowledgeBase.ArticleTerm>();

    public DbSet<Features.KnowledgeBase.HelpCenter> HelpCenters => Set<Features.KnowledgeBase.HelpCenter>();

    public DbSet<Features.Assistant.Intent> Intents => Set<Features.Assistant.Intent>();

    public DbSet<Features.Assistant.IntentModel> IntentModels => Set<Features.Assistant.IntentModel>();

    public DbSet<Features.Assistant.AssistantFlow> AssistantFlows => Set<Features.Assistant.AssistantFlow>();

    public DbSet<Features.Assistant.AssistantFlowVersion> AssistantFlowVersions => Set<Features.Assistant.AssistantFlowVersion>();

    public DbSet<Features.Assistant.AssistantSession> AssistantSessions => Set<Features.Assistant.AssistantSession>();

    public DbSet<Features.Reports.ConversationEvent> ConversationEvents => Set<Features.Reports.ConversationEvent>();

    public DbSet<Features.Reports.ReportFact> ReportFacts => Set<Features.Reports.ReportFact>();

    public DbSet<Features.Reports.ReportRollup> ReportRollups => Set<Features.Reports.ReportRollup>();

    public DbSet<Features.Reports.ReportTeamRollup> ReportTeamRollups => Set<Features.Reports.ReportTeamRollup>();

    public DbSet<Features.Reports.ReportLabelRollup> ReportLabelRollups => Set<Features.Reports.ReportLabelRollup>();

    public DbSet<Features.Reports.StaleReportDay> StaleReportDays => Set<Features.Reports.StaleReportDay>();

    public DbSet<Features.Surveys.SurveySettings> SurveySettings => Set<Features.Surveys.SurveySettings>();

    public DbSet<Features.Surveys.SurveyResponse> SurveyResponses => Set<Features.Surveys.SurveyResponse>();

    public DbSet<Features.Webhooks.WebhookSubscription> WebhookSubscriptions => Set<Features.Webhooks.WebhookSubscription>();

    public DbSet<Features.Webhooks.WebhookDelivery> WebhookDeliveries => Set<Features.Webhooks.WebhookDelivery>();

    public DbSet<Features.Tracking.TrackedSession> TrackedSessions => Set<Features.Tracking.TrackedSession>();

    public DbSet<Features.Tracking.DailySalt> DailySalts => Set<Features.Tracking.DailySalt>();

    public DbSet<Features.Tracking.SiteDailyStat> SiteDailyStats => Set<Features.Tracking.SiteDailyStat>();

    public DbSet<Features.Tracking.StaleSiteDay> StaleSiteDays => Set<Features.Tracking.StaleSiteDay>();

    public DbSet<Features.Campaigns.Campaign> Campaigns => Set<Features.Campaigns.Campaign>();

    public DbSet<Features.Campaigns.ProactiveMessage> ProactiveMessages => Set<Features.Campaigns.ProactiveMessage>();

    public DbSet<Features.Routing.RoutingDecision> RoutingDecisions => Set<Features.Routing.RoutingDecision>();

    public DbSet<Features.Routing.RoutingRule> RoutingRules => Set<Features.Routing.RoutingRule>();

    public DbSet<Features.Sla.SlaPolicy> SlaPolicies => Set<Features.Sla.SlaPolicy>();

    public DbSet<Features.Sla.SlaClock> SlaClocks => Set<Features.Sla.SlaClock>();

    public DbSet<Features.Automation.AutomationRule> AutomationRules => Set<Features.Automation.AutomationRule>();

    public DbSet<Features.Automation.AutomationRun> AutomationRuns => Set<Features.Automation.AutomationRun>();

    public DbSet<Features.Quality.Scorecard> Scorecards => Set<Features.Quality.Scorecard>();

    public DbSet<Features.Quality.QualityReview> QualityReviews => Set<Features.Quality.QualityReview>();

    public DbSet<Features.Quality.Calibration> Calibrations => Set<Features.Quality.Calibration>();

    public DbSet<Features.Quality.ConversationFlag> ConversationFlags => Set<Features.Quality.ConversationFlag>();

    public DbSet<Features.Quality.QualitySampling> QualitySamplings => Set<Features.Quality.QualitySampling>();

    public DbSet<Features.Email.EmailChannel> EmailChannels => Set<Features.Email.EmailChannel>();

    public DbSet<Features.Email.EmailMessage> EmailMessages => Set<Features.Email.EmailMessage>();

    public DbSet<ContactAttributeDefinition> ContactAttributeDefinitions => Set<ContactAttributeDefinition>();

    public DbSet<ContactNote> ContactNotes => Set<ContactNote>();

    public DbSet<Company> Companies => Set<Company>();

    public DbSet<Segment> Segments => Set<Segment>();
    public DbSet<CustomRole> CustomRoles => Set<CustomRole>();

    public DbSet<Features.DashboardApps.DashboardApp> DashboardApps => Set<Features.DashboardApps.DashboardApp>();

    /// <summary>The name of the filter that keeps every query within the current workspace.</summary>
    public const string TenantFilter = "Tenant";

    /// <summary>
    /// The name of the filter that keeps conversations within the inboxes the acting agent belongs to (see
    /// <see cref="TenantScope.InboxesOfAgentId"/>). Work that must count every inbox's conversations on such an
    /// agent's behalf (another agent's load, a contact's erasure) sets it aside with <see cref="InboxAccess.AcrossInboxes"/>.
    /// </summary>
    public const string InboxAccessFilter = "InboxAccess";

    /// <summary>Read by the tenant query filters on every query; null means operator scope.</summary>
    public Guid? CurrentWorkspaceId => tenant.WorkspaceId;

    /// <summary>Read by the inbox access filter on every query of conversations; null means every inbox.</summary>
    public Guid? CurrentInboxesOfAgentId => tenant.InboxesOfAgentId;

    public DbSet<InboxMember> InboxMembers => Set<InboxMember>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<Microsoft.AspNetCore.Identity.IdentityUserClaim<Guid>>().ToTable("AgentClaims");
        builder.Entity<Microsoft.AspNetCore.Identity.IdentityUserLogin<Guid>>().ToTable("AgentLogins");
        builder.Entity<Microsoft.AspNetCore.Identity.IdentityUserToken<Guid>>().ToTable("AgentTokens");
        builder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);

        builder.Entity<Workspace>().HasQueryFilter(TenantFilter, TenantFilterFor(typeof(Workspace), nameof(Workspace.Id)));
        foreach (var entityType in builder.Model.GetEntityTypes().Where(t => typeof(IWorkspaceOwned).IsAssignableFrom(t.ClrType)))
        {
            builder.Entity(entityType.ClrType).HasQueryFilter(TenantFilter, TenantFilterFor(entityType.ClrType, nameof(IWorkspaceOwned.WorkspaceId)));
        }

        // The parameter's null test is settled before the SQL is written, as the tenant filter's is: an agent who
        // sees every inbox pays nothing, one who does not gets an indexed look-up of their membership per row.
        builder.Entity<Conversation>().HasQueryFilter(InboxAccessFilter, c => EF.Parameter(CurrentInboxesOfAgentId) == null
            || InboxMembers.Any(m => m.InboxId == c.InboxId && m.AgentId == CurrentInboxesOfAgentId));
    }

    /// <summary>
    /// e => EF.Parameter(CurrentWorkspaceId) == null || e.WorkspaceId == CurrentWorkspaceId, built per entity type.
    /// Referencing this context's property makes EF read the value per query, not once per model. The null test is
    /// left to the database command as a test of the parameter, which EF settles by the parameter's value before it
    /// writes the SQL: a workspace's query says <c>"WorkspaceId" = @id</c> and the operator's says nothing. Written
    /// plainly, EF would send the null test as a yes/no parameter, <c>(@p OR "WorkspaceId" = @id)</c>, which no index
    /// can answer: every query of a range (a month's report rows, the latest conversations) read its whole table.
    /// </summary>
    private LambdaExpression TenantFilterFor(Type entityType, string ownerProperty)
    {
        var entity = Expression.Parameter(entityType, "e");
        var current = Expression.Property(Expression.Constant(this), nameof(CurrentWorkspaceId));
        var owner = Expression.Convert(Expression.Property(entity, ownerProperty), typeof(Guid?));
        var currentInTheCommand = Expression.Call(typeof(EF).GetMethod(nameof(EF.Parameter))!.MakeGenericMethod(typeof(Guid?)), current);
        var body = Expression.OrElse(
            Expression.Equal(currentInTheCommand, Expression.Constant(null, typeof(Guid?))),
            Expression.Equal(owner, current));
        return Expression.Lambda(body, entity);
    }
}
