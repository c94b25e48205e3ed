using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Features.DashboardApps;

/// <summary>
/// The message a dashboard app's frame receives by <c>postMessage</c> when it loads, when the agent opens another
/// conversation, when the open conversation or its contact changes, and when it asks with
/// <c>{ type: "porchlight:request-context" }</c> (docs/dashboard-apps.md). Within a <see cref="Version"/> fields
/// are only ever added; a change that would break a receiver raises the version.
/// </summary>
/// <param name="Type">Always <c>porchlight:context</c>.</param>
/// <param name="Version">The message format's version: 1.</param>
/// <param name="Conversation">The conversation open in the inbox.</param>
/// <param name="Contact">Its contact, as the sidebar shows them.</param>
/// <param name="Agent">The signed-in agent looking at it.</param>
public sealed record DashboardAppContext(
    string Type, int Version, DashboardAppConversation Conversation, DashboardAppContact Contact, DashboardAppAgent Agent)
{
    public const string MessageType = "porchlight:context";
    public const int CurrentVersion = 1;

    /// <summary>
    /// The context of <paramref name="conversation"/>, or null while its contact is not known yet (a conversation
    /// just opened, or one whose visitor was just identified as another contact): an app is never told one
    /// conversation with another's contact.
    /// </summary>
    public static DashboardAppContext? Of(
        ConversationResponse? conversation, ContactResponse? contact, Inboxes.InboxResponse? inbox, string? assigneeName, string? teamName, DashboardAppAgent agent)
    {
        if (conversation is null || contact is null || contact.Id != conversation.Contact.Id)
        {
            return null;
        }

        return new(MessageType, CurrentVersion,
            new DashboardAppConversation(
                conversation.Id, conversation.Number, conversation.Status.ToString(), conversation.Priority.ToString(),
                conversation.InboxId, inbox?.Name ?? "", inbox?.Channel.ToString() ?? "", conversation.Origin.ToString(),
                conversation.AssigneeId, assigneeName, conversation.TeamId, teamName, conversation.Labels, conversation.Attributes, conversation.CreatedAt),
            new DashboardAppContact(contact.Id, contact.Name, contact.Email, contact.ExternalId, contact.Attributes, contact.Tags),
            agent);
    }
}

/// <summary>The open conversation as a dashboard app is told it.</summary>
/// <param name="Id">The conversation's id, as in the REST API.</param>
/// <param name="Number">The number agents see (#42).</param>
/// <param name="Status">Open, Pending, Snoozed or Resolved.</param>
/// <param name="Priority">None, Low, Medium, High or Urgent.</param>
/// <param name="InboxId">The inbox it came in through.</param>
/// <param name="InboxName">That inbox's name.</param>
/// <param name="Channel">The inbox's channel: WebWidget, Api or Email.</param>
/// <param name="Origin">How it started: Chat, OfflineForm, Api, Email, and so on.</param>
/// <param name="AssigneeId">The agent it is assigned to, if any.</param>
/// <param name="AssigneeName">That agent's name.</param>
/// <param name="TeamId">The team it is assigned to, if any.</param>
/// <param name="TeamName">That team's name.</param>
/// <param name="Labels">Its labels.</param>
/// <param name="Attributes">Its own attributes (an order number an integration set).</param>
/// <param name="CreatedAt">When it started (UTC).</param>
public sealed record DashboardAppConversation(
    Guid Id, int Number, string Status, string Priority, Guid InboxId, string InboxName, string Channel, string Origin,
    Guid? AssigneeId, string? AssigneeName, Guid? TeamId, string? TeamName,
    IReadOnlyList<string> Labels, IReadOnlyDictionary<string, string> Attributes, DateTime CreatedAt);

/// <summary>The conversation's contact as a dashboard app is told it: what a CRM looks its record up by.</summary>
/// <param name="Id">The contact's id, as in the REST API.</param>
/// <param name="Name">The name agents see (the email, or "Visitor …", for a contact without a name).</param>
/// <param name="Email">Their email, if known.</param>
/// <param name="ExternalId">Your system's id for them, if an integration or the site's identify call set one.</param>
/// <param name="Attributes">Their attributes.</param>
/// <param name="Tags">Their tags.</param>
public sealed record DashboardAppContact(
    Guid Id, string Name, string? Email, string? ExternalId, IReadOnlyDictionary<string, string> Attributes, IReadOnlyList<string> Tags);

/// <summary>The signed-in agent who has the conversation open.</summary>
public sealed record DashboardAppAgent(Guid Id, string Name);
