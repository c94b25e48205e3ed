using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting.Cluster;

namespace Porchlight.Server.Features.Assistant;

/// <summary>
/// No conversation stays with an assistant that cannot move it on. Every few seconds (on every node; each handover is
/// decided under the conversation's lock, so two nodes cannot both make it):
/// <list type="bullet">
/// <item>an external bot that has not written since the visitor's latest message for longer than its patience
/// (<c>Assistant:BotPatience</c>, a minute) is handed over, as the built-in flow would; a bot whose webhook fails, is
/// switched off or was deleted ends the same way;</item>
/// <item>a handover held for an email address the visitor has not given for <c>Assistant:EmailPatience</c> (two
/// minutes) goes ahead without one: the visitor was told the team has their message.</item>
/// </list>
/// </summary>
public sealed class AssistantTimeouts(IServiceScopeFactory scopes, JobLeases leases, TimeProvider clock, IConfiguration configuration, ILogger<AssistantTimeouts> logger)
    : BackgroundService
{
    public static readonly TimeSpan DefaultBotPatience = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan DefaultEmailPatience = TimeSpan.FromMinutes(2);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        leases.RunAsync(
            nameof(AssistantTimeouts), configuration.GetValue("Assistant:TimeoutCheckInterval", TimeSpan.FromSeconds(10)), logger, "Handing over stalled assistant conversations",
            ct => HandOverStalledAsync(clock.GetUtcNow().UtcDateTime, ct), stoppingToken);

    /// <summary>Hands over every conversation stalled as of <paramref name="asOf"/>; answers how many.</summary>
    public async Task<int> HandOverStalledAsync(DateTime asOf, CancellationToken cancellationToken)
    {
        var botPatience = configuration.GetValue("Assistant:BotPatience", DefaultBotPatience);
        var emailPatience = configuration.GetValue("Assistant:EmailPatience", DefaultEmailPatience);
        var (botCutoff, emailCutoff) = (asOf - botPatience, asOf - emailPatience);
        List<(Guid WorkspaceId, Guid ConversationId, bool Bot)> stalled;
        await using (var scope = scopes.CreateAsyncScope())
        {
            // Operator scope: every workspace's conversations.
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            // The query narrows to conversations where someone has been quiet since before the later cutoff; what each
            // waits for is in the session's state (JSON), told apart here among the few it found.
            var quietSince = botCutoff < emailCutoff ? emailCutoff : botCutoff;
            var candidates = await db.AssistantSessions.IgnoreQueryFilters().AsNoTracking()
                .Where(s => s.Outcome == FlowOutcome.Active)
                .Join(db.Conversations.IgnoreQueryFilters(), s => s.ConversationId, c => c.Id, (s, c) => new { Session = s, Conversation = c })
                .Where(x => x.Conversation.AssigneeId == null && x.Conversation.FirstAgentReplyAt == null
                    && (x.Conversation.LastContactMessageAt < quietSince || x.Conversation.LastAgentMessageAt < quietSince))
                .ToListAsync(cancellationToken);
            stalled = [.. candidates
                .Where(x => x.Session.State.Wait == FlowWait.ContactEmail
                    ? StalledConversations.WaitsForEmail(x.Conversation, emailCutoff)
                    : x.Session.BotWebhookId is not null && StalledConversations.BotIsSilent(x.Conversation, botCutoff))
                .Select(x => (x.Session.WorkspaceId, x.Session.ConversationId, x.Session.State.Wait != FlowWait.ContactEmail))];
        }

        var handedOver = 0;
        foreach (var (workspaceId, conversationId, bot) in stalled)
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspaceId);
            var conversations = scope.ServiceProvider.GetRequiredService<StalledConversations>();
            var done = bot
                ? await conversations.HandOverFromSilentBotAsync(conversationId, botCutoff,
                    string.Create(CultureInfo.InvariantCulture, $"the bot did not answer within {botPatience.TotalSeconds:0} s"), cancellationToken)
                : await conversations.HandOverWithoutEmailAsync(conversationId, emailCutoff, cancellationToken);
            handedOver += done ? 1 : 0;
        }

        return handedOver;
    }
}

/// <summary>The handovers <see cref="AssistantTimeouts"/> decides, each re-checked under the conversation's lock.</summary>
public sealed class StalledConversations(AppDbContext db, ConversationChanges changes, AssistantTurns turns, TimeProvider clock)
{
    /// <summary>
    /// Hands over from a bot that has not written since the visitor's latest message, which came before
    /// <paramref name="cutoff"/>; false when the bot has answered (or stopped attending) meanwhile.
    /// </summary>
    public async Task<bool> HandOverFromSilentBotAsync(Guid conversationId, DateTime cutoff, string reason, CancellationToken cancellationToken)
    {
        var (session, conversation) = await ReadAsync(conversationId, cancellationToken);
        if (session is not { BotWebhookId: not null, Outcome: FlowOutcome.Active } || conversation is null)
        {
            return false;
        }

        var turn = await (await turns.RunFor(session, conversation, cancellationToken)).HandOverAsync(session.State, null, reason, cancellationToken);
        return await StoreAsync(session, turn, c => BotIsSilent(c, cutoff), cancellationToken);
    }

    /// <summary>Goes ahead with a handover held for an email address the visitor has not given since before <paramref name="cutoff"/>.</summary>
    public async Task<bool> HandOverWithoutEmailAsync(Guid conversationId, DateTime cutoff, CancellationToken cancellationToken)
    {
        var (session, conversation) = await ReadAsync(conversationId, cancellationToken);
        if (session is not { Outcome: FlowOutcome.Active, State.Wait: FlowWait.ContactEmail } || conversation is null)
        {
            return false;
        }

        var turn = (await turns.RunFor(session, conversation, cancellationToken))
            .HandOverNow(session.State, $"{session.State.HandoverReason ?? "handed over"}; the visitor left no email address");
        return await StoreAsync(session, turn, c => WaitsForEmail(c, cutoff), cancellationToken);
    }

    /// <summary>The visitor wrote last, before <paramref name="cutoff"/>, and the bot has said nothing since.</summary>
    public static bool BotIsSilent(Conversation c, DateTime cutoff) =>
        c.LastContactMessageAt < cutoff && (c.LastAgentMessageAt is null || c.LastAgentMessageAt < c.LastContactMessageAt);

    /// <summary>The assistant spoke last (asking for the email address), before <paramref name="cutoff"/>, and the visitor has not answered.</summary>
    public static bool WaitsForEmail(Conversation c, DateTime cutoff) =>
        c.LastAgentMessageAt < cutoff && c.LastAgentMessageAt > (c.LastContactMessageAt ?? DateTime.MinValue);

    private async Task<(AssistantSession? Session, Conversation? Conversation)> ReadAsync(Guid conversationId, CancellationToken cancellationToken) => (
        await db.AssistantSessions.AsNoTracking().FirstOrDefaultAsync(s => s.ConversationId == conversationId, cancellationToken),
        await db.Conversations.AsNoTracking().FirstOrDefaultAsync(c => c.Id == conversationId, cancellationToken));

    // Stores the handover if nothing moved meanwhile: the session answered nothing since, and the conversation is still stalled.
    private async Task<bool> StoreAsync(AssistantSession session, FlowTurn turn, Func<Conversation, bool> stillStalled, CancellationToken cancellationToken)
    {
        var handedOver = false;
        await changes.DecideAndWriteAsync(async ct =>
        {
            await RowLocks.LockAsync<Conversation>(db, session.ConversationId, ct);
            var locked = await db.Conversations.FirstAsync(c => c.Id == session.ConversationId, ct);
            var current = await db.AssistantSessions.FirstAsync(s => s.Id == session.Id, ct);
            if (current.Outcome != FlowOutcome.Active || current.HandledSequence != session.HandledSequence || !stillStalled(locked)
                || AnswerAsAssistant.PeopleHaveIt(locked))
            {
                return null;
            }

            var now = clock.GetUtcNow().UtcDateTime;
            current.Answered(turn.State, current.HandledSequence, now);
            handedOver = true;
            return await turns.DecideAsync(turn, locked, now, ct);
        }, authorAgentId: null, cancellationToken);
        return handedOver;
    }
}
