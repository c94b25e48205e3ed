using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Email;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Surveys;

/// <summary>
/// The link in a survey email: the workspace, conversation and contact, encrypted and signed with the keys every node
/// shares, valid for <see cref="Lifetime"/>. Whoever holds it may answer that one survey, as the widget's visitor may.
/// </summary>
public sealed class SurveyLinks(IDataProtectionProvider dataProtection, PublicUrls urls)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    private const byte Version = 1;
    private const int PayloadLength = 1 + 16 + 16 + 16;
    private readonly ITimeLimitedDataProtector _protector = dataProtection.CreateProtector("Porchlight.Surveys.EmailLink").ToTimeLimitedDataProtector();

    public static string PathFor(string token) => $"/survey/{token}";

    public string UrlFor(Conversation conversation) => urls.To(PathFor(Issue(conversation)));

    public string Issue(Conversation conversation)
    {
        var payload = new byte[PayloadLength];
        payload[0] = Version;
        conversation.WorkspaceId.TryWriteBytes(payload.AsSpan(1, 16));
        conversation.Id.TryWriteBytes(payload.AsSpan(17, 16));
        conversation.ContactId.TryWriteBytes(payload.AsSpan(33, 16));
        return WebEncoders.Base64UrlEncode(_protector.Protect(payload, Lifetime));
    }

    /// <summary>Who may answer with <paramref name="token"/>, or null when it was not issued here, was altered or has expired.</summary>
    public SurveyAnswerer? Read(string? token) =>
        _protector.UnprotectFromUrl(token) is { Length: PayloadLength } payload && payload[0] == Version
            ? new SurveyAnswerer(new Guid(payload.AsSpan(1, 16)), new Guid(payload.AsSpan(17, 16)), new Guid(payload.AsSpan(33, 16)), InboxId: null)
            : null;
}

/// <summary>
/// A conversation answered by email (an email, or a message left with the offline form) was resolved: its contact is
/// not in a chat to see the widget's survey, so the survey is asked by email, once, when the inbox asks one and the
/// contact has an address.
/// </summary>
public sealed class SurveyOnResolve(AppDbContext db, TimeProvider clock) : IDomainEventHandler<ConversationStatusChanged>
{
    public async Task HandleAsync(ConversationStatusChanged changed, CancellationToken cancellationToken)
    {
        if (changed.To != ConversationStatus.Resolved
            || await db.Conversations.AsNoTracking().FirstOrDefaultAsync(c => c.Id == changed.ConversationId, cancellationToken) is not { } conversation
            || !conversation.IsAnsweredByEmail
            || !await db.SurveySettings.AnyAsync(SurveyQueries.Asking(conversation.InboxId), cancellationToken)
            || await db.SurveyResponses.AnyAsync(r => r.ConversationId == conversation.Id, cancellationToken)
            || !await db.Contacts.AnyAsync(c => c.Id == conversation.ContactId && c.Email != null, cancellationToken))
        {
            return;
        }

        db.SurveyResponses.Add(SurveyResponse.Ask(conversation, SurveyChannel.Email, clock.GetUtcNow().UtcDateTime));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Asked at the same moment by an agent or an earlier delivery of this event: that survey stands.
        }
    }
}

/// <summary>
/// Emails the contact the link to their conversation's survey, the way the conversation's replies go (in its thread,
/// when through a mailbox), and notes in the conversation that it went (or why not). Runs from the outbox, so a
/// failed send is retried; a send that succeeded just before a crash can repeat once.
/// </summary>
public sealed class SurveyLinkMailer(AppDbContext db, ConversationMail mail, SurveyLinks links, ConversationChanges changes)
    : IDomainEventHandler<SurveyEmailDue>
{
    public async Task HandleAsync(SurveyEmailDue due, CancellationToken cancellationToken)
    {
        if (await db.Conversations.FirstOrDefaultAsync(c => c.Id == due.ConversationId, cancellationToken) is not { } conversation)
        {
            return;
        }

        var contact = await db.Contacts.AsNoTracking().Where(c => c.Id == conversation.ContactId).Select(c => c.Name).FirstOrDefaultAsync(cancellationToken);
        var text = $"""
            Hello{(contact is { } name ? " " + name : "")},

            thank you for writing to us. How did we do? Two clicks tell us:

            {links.UrlFor(conversation)}

            The link is yours alone and works for {SurveyLinks.Lifetime.TotalDays:0} days.
            """;
        // Sent by no person: marked so (RFC 3834), so that an autoresponder does not answer it.
        var outcome = await mail.SendAsync(conversation, new OutgoingMail(text, "How did we do?", AnswersThread: false, AutoSubmitted: "auto-generated"), cancellationToken);
        if (outcome.NotSentBecause is { } why)
        {
            await changes.AppendActivityAsync(conversation, null, $"The survey was not emailed: {why}", cancellationToken);
        }
        else if (outcome.SentTo is { } to)
        {
            await changes.AppendActivityAsync(conversation, null, $"The survey was emailed to {to}", cancellationToken);
        }
    }
}
