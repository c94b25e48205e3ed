using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.ApiTokens;

namespace Porchlight.Server.Hosting;

/// <summary>Things a person may be allowed to do. Endpoints and pages name the permission they need.</summary>
public enum Permission
{
    /// <summary>See the workspace, its agents, teams and inboxes (everyone needs this to work).</summary>
    ViewWorkspace,

    /// <summary>Edit one's own profile and password.</summary>
    ManageOwnProfile,

    /// <summary>Create and revoke one's own API tokens.</summary>
    ManageOwnTokens,

    /// <summary>Read conversations, their messages and contacts.</summary>
    ViewConversations,

    /// <summary>
    /// See and handle the conversations of every inbox. Without it, a person sees only the conversations of the
    /// inboxes they are a member of (<see cref="Features.Inboxes.InboxMember"/>).
    /// </summary>
    SeeEveryInbox,

    /// <summary>Reply, write notes, assign, label, snooze and resolve conversations.</summary>
    HandleConversations,

    /// <summary>Create, change and delete the workspace's shared canned responses (everyone keeps personal ones).</summary>
    ManageSharedCannedResponses,

    ManageWorkspace,
    ManageAgents,
    ManageTeams,
    ManageInboxes,
    ViewAudit,

    /// <summary>Read reports and site analytics.</summary>
    ViewReports,

    /// <summary>Set caps and routing, assign beyond an agent's cap, and change other agents' status.</summary>
    ManageRouting,

    /// <summary>Write, publish and delete knowledge-base articles and their categories.</summary>
    ManageKnowledgeBase,

    /// <summary>Configure the automated assistant: its intents and flows.</summary>
    ManageAssistant,

    /// <summary>Review conversations against scorecards, run calibrations and sampling, and deal with agents' flags.</summary>
    ReviewQuality,

    /// <summary>
    /// Speak for customers in API inboxes: start their conversations and post their messages, as an integration (an SMS
    /// gateway, a mobile app's backend) does with its token.
    /// </summary>
    RelayContactMessages,

    /// <summary>Define contacts' attributes, and import, export and merge contacts in bulk.</summary>
    ManageContacts,

    /// <summary>
    /// Answer privacy requests: export everything kept about one contact, and erase a contact (docs/privacy.md).
    /// Owners and Admins only: an erasure cannot be undone.
    /// </summary>
    HandlePrivacyRequests,
    /// <summary>Set how long each class of data is kept, read retention's reports, and place and release legal holds.</summary>
    ManageRetention,

    /// <summary>Set the staffing targets and the forecast's adjustments; plan shifts and time off.</summary>
    ManageWorkforce,
}

/// <summary>
/// The one place that states what each role may do, and which API token scope each permission needs.
/// Authorization policies (<see cref="PermissionAuthorization"/>) and use cases both read it.
/// </summary>
public static class RolePermissions
{
    /// <summary>What every person needs to work at all, granted by every role, custom ones too.</summary>
    public static readonly IReadOnlySet<Permission> Baseline = new HashSet<Permission>
    {
        Permission.ViewWorkspace, Permission.ManageOwnProfile, Permission.ManageOwnTokens,
    };

    private static readonly Permission[] Everyone = [.. Baseline, Permission.ViewConversations, Permission.HandleConversations];

    private static readonly Permission[] Administration =
    [
        Permission.SeeEveryInbox, Permission.ManageWorkspace, Permission.ManageAgents, Permission.ManageTeams, Permission.ManageInboxes, Permission.ViewAudit,
        Permission.ManageSharedCannedResponses, Permission.ViewReports, Permission.ManageRouting, Permission.ManageKnowledgeBase,
        Permission.ManageAssistant, Permission.ReviewQuality, Permission.RelayContactMessages, Permission.ManageContacts,
        Permission.HandlePrivacyRequests,
        Permission.ManageRetention, Permission.ManageWorkforce,
    ];

    private static readonly Dictionary<AgentRole, HashSet<Permission>> Table = new()
    {
        [AgentRole.Agent] = [.. Everyone],
        [AgentRole.Supervisor] = [.. Everyone, Permission.SeeEveryInbox, Permission.ManageTeams, Permission.ViewReports, Permission.ManageRouting, Permission.ManageKnowledgeBase, Permission.ManageAssistant, Permission.ReviewQuality, Permission.ManageContacts, Permission.ManageWorkforce],
        [AgentRole.Admin] = [.. Everyone, .. Administration],
        [AgentRole.Owner] = [.. Everyone, .. Administration],
    };

    public static bool Allows(AgentRole role, Permission permission) => Table[role].Contains(permission);

    /// <summary>
    /// Whether a person with the built-in <paramref name="role"/> and, if given, a custom role granting
    /// <paramref name="customPermissions"/> may use <paramref name="permission"/>: a custom role replaces the built-in
    /// one's permissions, except an Owner's, who keeps all of them.
    /// </summary>
    public static bool Allows(AgentRole role, IReadOnlyCollection<Permission>? customPermissions, Permission permission) =>
        customPermissions is null || role == AgentRole.Owner
            ? Allows(role, permission)
            : Baseline.Contains(permission) || customPermissions.Contains(permission);

    /// <summary>What a permission allows, in the words of docs/security.md's table, for pages that offer it.</summary>
    public static string Describe(Permission permission) => permission switch
    {
        Permission.ViewWorkspace => "See the workspace, its agents, teams, inboxes and settings that everyone works by.",
        Permission.ManageOwnProfile => "Edit one's own profile, password and availability.",
        Permission.ManageOwnTokens => "Create and revoke one's own API tokens.",
        Permission.ViewConversations => "Read conversations, messages, contacts, companies, segments and visitors.",
        Permission.HandleConversations => "Reply, write notes, assign, label, snooze and resolve; edit contacts.",
        Permission.SeeEveryInbox => "See and handle the conversations of every inbox, not only of the inboxes one is a member of.",
        Permission.ManageSharedCannedResponses => "Keep the workspace's shared canned responses (everyone keeps personal ones).",
        Permission.ManageWorkspace => "Workspace settings, business hours, dashboard apps, webhooks, report recomputation.",
        Permission.ManageAgents => "Invite agents, change roles, deactivate.",
        Permission.ManageTeams => "Create teams and change their members.",
        Permission.ManageInboxes => "Create and configure inboxes, widgets, email mailboxes, campaigns, identity secrets.",
        Permission.ViewAudit => "Read and export the audit trail.",
        Permission.ViewReports => "Reports, exports of reports, site analytics, campaigns' figures.",
        Permission.ManageRouting => "Caps, skills, routing rules, SLA policies, automation, other agents' status.",
        Permission.ManageKnowledgeBase => "Write, publish and delete articles and categories.",
        Permission.ManageAssistant => "The automated assistant's intents and flows.",
        Permission.ReviewQuality => "Scorecards, reviews, calibrations, sampling, agents' flags.",
        Permission.RelayContactMessages => "Speak for customers of API inboxes (an integration's token).",
        Permission.ManageContacts => "Contact attributes, companies, segments, import, export and merge.",
        Permission.HandlePrivacyRequests => "Privacy requests: export everything kept about a contact, erase a contact.",
        Permission.ManageRetention => "Retention policies and their runs' reports, legal holds on contacts and conversations.",
        Permission.ManageWorkforce => "Staffing targets, forecast adjustments, shifts, schedule suggestions and time off.",
        _ => permission.ToString(),
    };

    /// <summary>The scope an API token needs, in addition to its agent's role, to use a permission.</summary>
    public static TokenScopes RequiredScope(Permission permission) => permission switch
    {
        Permission.ViewWorkspace or Permission.ViewConversations or Permission.SeeEveryInbox or Permission.ViewReports => TokenScopes.Read,
        Permission.ManageOwnProfile or Permission.HandleConversations or Permission.ReviewQuality
            or Permission.RelayContactMessages => TokenScopes.Write,
        _ => TokenScopes.Admin,
    };

    /// <summary>
    /// Whether <paramref name="actor"/> may give <paramref name="target"/>'s holder the role
    /// <paramref name="newRole"/> (or deactivate them when <paramref name="newRole"/> is null):
    /// only an Owner touches Owners or makes new ones.
    /// </summary>
    public static bool CanChangeAgent(AgentRole actor, IReadOnlyCollection<Permission>? actorCustomPermissions, AgentRole target, AgentRole? newRole) =>
        Allows(actor, actorCustomPermissions, Permission.ManageAgents)
        && (actor == AgentRole.Owner || (target != AgentRole.Owner && newRole != AgentRole.Owner));

    /// <summary>Roles an inviter may hand out.</summary>
    public static bool CanInvite(AgentRole actor, IReadOnlyCollection<Permission>? actorCustomPermissions, AgentRole invitedRole) =>
        Allows(actor, actorCustomPermissions, Permission.ManageAgents) && (actor == AgentRole.Owner || invitedRole != AgentRole.Owner);
}
