using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Assistant;

/// <summary>
/// A visitor is never left with a bot that does not answer: a conversation whose external bot has not written since
/// the visitor's latest message for longer than its patience (<c>Assistant:BotPatience</c>, a minute by default) is
/// handed over by Porchlight, as the built-in flow would (honest about hours, with the note). A bot whose webhook
/// fails, is switched off or is deleted ends the same way. Every node checks; the handover is decided under the
/// conversation's lock, so two nodes cannot both make it.
/// </summary>
public sealed class SilentBots(IServiceScopeFactory scopes, TimeProvider clock, IConfiguration configuration, ILogger<SilentBots> logger) : BackgroundService
{
    public static readonly TimeSpan DefaultPatience = TimeSpan.FromMinutes(1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicJob.RunAsync(
            configuration.GetValue("Assistant:SilentBotCheckInterval", TimeSpan.FromSeconds(10)), clock, logger, "Handing over from silent bots",
            ct => HandOverSilentAsync(clock.GetUtcNow().UtcDateTime, ct), stoppingToken);

    /// <summary>Hands over every conversation whose bot has been silent for its patience as of <paramref name="asOf"/>; answers how many.</summary>
    public async Task<int> HandOverSilentAsync(DateTime asOf, CancellationToken cancellationToken)
    {
        var patience = configuration.GetValue("Assistant:BotPatience", DefaultPatience);
        var cutoff = asOf - patience;
        List<(Guid WorkspaceId, Guid ConversationId)> silent;
        await using (var scope = scopes.CreateAsyncScope())
        {
            // Operator scope: every workspace's bots.
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            silent = [.. (await db.AssistantSessions.IgnoreQueryFilters().AsNoTracking()
                .Where(s => s.Outcome == FlowOutcome.Active && s.BotWebhookId != null)
                .Join(db.Conversations.IgnoreQueryFilters(), s => s.ConversationId, c => c.Id, (s, c) => new { s.WorkspaceId, c.Id, c.LastContactMessageAt, c.LastAgentMessageAt })
                .Where(c => c.LastContactMessageAt != null && c.LastContactMessageAt < cutoff && (c.LastAgentMessageAt == null || c.LastAgentMessageAt < c.LastContactMessageAt))
                .ToListAsync(cancellationToken)).Select(c => (c.WorkspaceId, c.Id))];
        }

        var reason = string.Create(CultureInfo.InvariantCulture, $"the bot did not answer within {patience.TotalSeconds:0} s");
        var handedOver = 0;
        foreach (var (workspaceId, conversationId) in silent)
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspaceId);
            if (await scope.ServiceProvider.GetRequiredService<AssistantBots>().HandOverSilentAsync(conversationId, cutoff, reason, cancellationToken))
            {
                handedOver++;
            }
        }

        return handedOver;
    }
}
