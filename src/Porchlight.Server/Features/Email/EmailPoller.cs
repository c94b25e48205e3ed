using MailKit;
using MailKit.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting.Cluster;

namespace Porchlight.Server.Features.Email;

/// <summary>The <c>Email:Inboxes</c> configuration section: how email inboxes are read.</summary>
public sealed class EmailInboxOptions
{
    public const string Section = "Email:Inboxes";

    /// <summary>How often each mailbox is asked for new mail (sooner after its settings are saved).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Mails read per mailbox and pass; a larger backlog is read over the following passes, back to back.</summary>
    public int MaxPerPass { get; set; } = 50;

    /// <summary>A mail larger than this (files included) is passed over and named on the settings page.</summary>
    public long MaxMailBytes { get; set; } = 30 * 1024 * 1024;
}

/// <summary>
/// Reads every email inbox's folder for mail that arrived since the last read, by IMAP UID, and hands each mail to
/// <see cref="EmailIntake"/> in a scope of its own. The position moves past a mail only once it is recorded, so a
/// poll cut short reads it again (and the intake knows it by its Message-ID). Mail that was in the folder before the
/// inbox was connected is history and is left alone. A mailbox that cannot be read keeps its error for the settings
/// page and is tried again on the next pass.
/// </summary>
public sealed class EmailPoller(
    IServiceScopeFactory scopes, MailConnections connections, IOptions<EmailInboxOptions> options, JobLeases leases, TimeProvider clock, ILogger<EmailPoller> logger)
    : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Asks for a pass now (a mailbox was just set up) instead of at the next interval.</summary>
    public void Notify()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another wake-up got there first: one pass is enough.
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var more = false;
            try
            {
                // One node of a cluster reads the mailboxes; the others only wait, ready to take over.
                more = await leases.HoldAsync(nameof(EmailPoller), options.Value.PollInterval, stoppingToken) && await PollAllAsync(stoppingToken);
            }
#pragma warning disable CA1031 // A failing pass (the database away) must not stop the poller; the next one tries again.
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                logger.LogWarning(e, "A pass over the email inboxes failed.");
            }

            if (!more)
            {
                try
                {
                    await _wake.WaitAsync(options.Value.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>One pass over every mailbox; answers whether one has more mail waiting than a pass reads.</summary>
    public async Task<bool> PollAllAsync(CancellationToken cancellationToken)
    {
        List<Guid> channelIds;
        await using (var scope = scopes.CreateAsyncScope())
        {
            channelIds = await scope.ServiceProvider.GetRequiredService<AppDbContext>().EmailChannels.IgnoreQueryFilters()
                .Select(c => c.Id).ToListAsync(cancellationToken);
        }

        var more = false;
        foreach (var channelId in channelIds)
        {
            try
            {
                more |= await PollAsync(channelId, cancellationToken);
            }
#pragma warning disable CA1031 // One mailbox that cannot be read (its bookkeeping not saved) must not keep the others from being read.
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                logger.LogWarning(e, "Email mailbox {ChannelId} could not be read in this pass.", channelId);
            }
        }

        return more;
    }

    private async Task<bool> PollAsync(Guid channelId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        if (await db.EmailChannels.IgnoreQueryFilters().FirstOrDefaultAsync(c => c.Id == channelId, cancellationToken) is not { } channel)
        {
            return false;
        }

        try
        {
            var (client, folder) = await connections.OpenFolderAsync(channel, cancellationToken);
            using (client)
            {
                var more = await ReadNewMailAsync(db, channel, folder, cancellationToken);
                await client.DisconnectAsync(quit: true, cancellationToken);
                return more;
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not DbUpdateException)
        {
            logger.LogWarning(e, "The mailbox of email inbox {InboxId} could not be read.", channel.InboxId);
            channel.PollFailed(MailConnections.Explain(e), clock.GetUtcNow().UtcDateTime);
            await db.SaveChangesAsync(cancellationToken);
            return false;
        }
    }

    private async Task<bool> ReadNewMailAsync(AppDbContext db, EmailChannel channel, IMailFolder folder, CancellationToken cancellationToken)
    {
        var uidValidity = (long)folder.UidValidity;
        var after = uidValidity == channel.UidValidity ? channel.LastUid : 0;
        // The day before the connection, to be safe with time zones; the exact moment is checked per mail below.
        var query = SearchQuery.Uids(new UniqueIdRange(new UniqueId((uint)after + 1), UniqueId.MaxValue))
            .And(SearchQuery.DeliveredAfter(channel.ConnectedAt.Date.AddDays(-1)));
        // "n:*" always includes the folder's last message, even when it is older than n.
        var waiting = (await folder.SearchAsync(query, cancellationToken)).Where(u => u.Id > after).OrderBy(u => u.Id).ToList();
        var batch = waiting.Take(options.Value.MaxPerPass).ToList();
        var arrived = batch.Count == 0 ? [] : (await folder.FetchAsync(batch, MessageSummaryItems.UniqueId | MessageSummaryItems.InternalDate | MessageSummaryItems.Size, cancellationToken))
            .ToDictionary(s => s.UniqueId);
        foreach (var uid in batch)
        {
            // Arrival times are whole seconds: a mail of the second the mailbox was connected in is new.
            if (arrived.GetValueOrDefault(uid) is { InternalDate: { } at } summary && at.UtcDateTime > channel.ConnectedAt.AddSeconds(-1))
            {
                await TakeInAsync(channel, folder, uid, summary.Size, cancellationToken);
            }

            channel.ReadUpTo(uidValidity, uid.Id, clock.GetUtcNow().UtcDateTime);
            await db.SaveChangesAsync(cancellationToken);
        }

        if (batch.Count == 0)
        {
            channel.ReadUpTo(uidValidity, after, clock.GetUtcNow().UtcDateTime);
            await db.SaveChangesAsync(cancellationToken);
        }

        return waiting.Count > batch.Count;
    }

    /// <summary>
    /// Hands one mail to the intake in a scope of its own. A mail too large, or one the intake cannot take in, is passed
    /// over (and named on the settings page) so that it does not hold up every mail after it; a failure of Porchlight's
    /// own storage is not the mail's fault and stops the pass, so the mail is read again.
    /// </summary>
    private async Task TakeInAsync(EmailChannel channel, IMailFolder folder, UniqueId uid, uint? size, CancellationToken cancellationToken)
    {
        if (size > options.Value.MaxMailBytes)
        {
            channel.Skipped($"A mail of {size / (1024 * 1024)} MB (UID {uid.Id}) is larger than {options.Value.MaxMailBytes / (1024 * 1024)} MB and was passed over.");
            return;
        }

        MimeKit.MimeMessage? mail = null;
        try
        {
            mail = await folder.GetMessageAsync(uid, cancellationToken);
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<EmailIntake>().ReceiveAsync(channel, mail, cancellationToken);
        }
        catch (Exception e) when (e is not (System.Data.Common.DbException or DbUpdateException or IOException or OperationCanceledException))
        {
            logger.LogError(e, "Mail {MessageId} (UID {Uid}) of email inbox {InboxId} could not be taken in and was passed over.", mail?.MessageId, uid.Id, channel.InboxId);
            channel.Skipped($"A mail (UID {uid.Id}, Message-ID {mail?.MessageId}) could not be taken in and was passed over: {e.Message}");
        }
    }
}
