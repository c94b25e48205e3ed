using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Inboxes;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Email;

/// <summary>A mail server as sent: <c>password</c> left out keeps the stored one; <c>port</c> left out takes the usual one for the security.</summary>
public sealed record MailServerRequest(string? Host, int? Port, MailSecurity? Security, string? Username, string? Password);

/// <summary>An email inbox's mailbox as sent; <c>folder</c> left out keeps the current one (INBOX at first).</summary>
public sealed record EmailChannelRequest(
    string? Address, string? DisplayName, MailServerRequest? Imap, MailServerRequest? Smtp, string? Folder = null, bool? ReplyToToken = null);

/// <summary>A mail server as answered: never its password, only whether one is stored.</summary>
public sealed record MailServerResponse(string Host, int Port, MailSecurity Security, string Username, bool HasPassword);

/// <summary>
/// An email inbox's mailbox; <c>lastPolledAt</c> and <c>lastError</c> tell whether reading it works (null error: the
/// last poll did); <c>lastSkipped</c> names the last mail that could not be taken in.
/// </summary>
public sealed record EmailChannelResponse(
    Guid InboxId, string Address, string DisplayName, MailServerResponse Imap, string Folder, MailServerResponse Smtp, bool ReplyToToken,
    DateTime ConnectedAt, DateTime? LastPolledAt, string? LastError, string? LastSkipped)
{
    public static EmailChannelResponse From(EmailChannel c) => new(
        c.InboxId, c.Address, c.DisplayName, new(c.Imap.Host, c.Imap.Port, c.Imap.Security, c.Imap.Username, c.ProtectedImapPassword.Length > 0), c.Folder,
        new(c.Smtp.Host, c.Smtp.Port, c.Smtp.Security, c.Smtp.Username, c.ProtectedSmtpPassword.Length > 0), c.ReplyToToken,
        c.ConnectedAt, c.LastPolledAt, c.LastError, c.LastSkipped);
}

/// <summary>Whether Porchlight could sign in: <c>error</c> says why not, in words a person can act on.</summary>
public sealed record MailServerCheck(bool Ok, string? Error);

public sealed record EmailConnectionTest(MailServerCheck Imap, MailServerCheck Smtp);

/// <summary>Reads, saves and tests the mailbox behind an email inbox (Owners and Admins, like the inbox).</summary>
public sealed class EmailChannels(AppDbContext db, ActingAgent actor, MailConnections connections, EmailPoller poller, TimeProvider clock)
{
    public const int MaxPasswordLength = 256;

    private static Failure NoSettings => Failure.NotFound("The inbox's mailbox settings");

    public async Task<Result<EmailChannelResponse>> GetAsync(Guid inboxId, CancellationToken cancellationToken)
    {
        if (await EmailInboxAsync(inboxId, cancellationToken) is { } refused)
        {
            return refused;
        }

        return await db.EmailChannels.AsNoTracking().FirstOrDefaultAsync(c => c.InboxId == inboxId, cancellationToken) is { } channel
            ? EmailChannelResponse.From(channel)
            : NoSettings;
    }

    public async Task<Result<EmailChannelResponse>> SaveAsync(Guid inboxId, EmailChannelRequest request, CancellationToken cancellationToken)
    {
        if (await EmailInboxAsync(inboxId, cancellationToken) is { } refused)
        {
            return refused;
        }

        var channel = await db.EmailChannels.FirstOrDefaultAsync(c => c.InboxId == inboxId, cancellationToken);
        var errors = new FieldErrors().Email("address", request.Address).MaxLength("displayName", request.DisplayName, EmailChannel.MaxDisplayNameLength)
            .MaxLength("folder", request.Folder, EmailChannel.MaxFolderLength);
        var imap = Server(request.Imap, "imap", channel?.Imap, channel?.ProtectedImapPassword, passwordRequired: true, errors);
        var smtp = Server(request.Smtp, "smtp", channel?.Smtp, channel?.ProtectedSmtpPassword, passwordRequired: false, errors);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var now = clock.GetUtcNow().UtcDateTime;
        channel ??= db.EmailChannels.Add(EmailChannel.Connect(actor.WorkspaceId, inboxId, now)).Entity;
        channel.Change(
            Contacts.Contact.NormalizeEmail(request.Address)!, request.DisplayName?.Trim() ?? "", imap!.Value.Settings,
            string.IsNullOrWhiteSpace(request.Folder) ? channel.Folder : request.Folder.Trim(), imap.Value.ProtectedPassword,
            smtp!.Value.Settings, smtp.Value.ProtectedPassword, request.ReplyToToken ?? false, now);
        await db.SaveChangesAsync(cancellationToken);
        poller.Notify();
        return EmailChannelResponse.From(channel);
    }

    /// <summary>Signs in to both servers with the saved settings and opens the folder; changes nothing.</summary>
    public async Task<Result<EmailConnectionTest>> TestAsync(Guid inboxId, CancellationToken cancellationToken)
    {
        if (await EmailInboxAsync(inboxId, cancellationToken) is { } refused)
        {
            return refused;
        }

        if (await db.EmailChannels.AsNoTracking().FirstOrDefaultAsync(c => c.InboxId == inboxId, cancellationToken) is not { } channel)
        {
            return NoSettings;
        }

        return new EmailConnectionTest(
            await CheckAsync(async () => (await connections.OpenFolderAsync(channel, cancellationToken)).Client),
            await CheckAsync(async () => await connections.OpenSmtpAsync(channel, cancellationToken)));
    }

    private static async Task<MailServerCheck> CheckAsync(Func<Task<MailKit.IMailService>> open)
    {
        try
        {
            using var client = await open();
            await client.DisconnectAsync(quit: true);
            return new MailServerCheck(true, null);
        }
#pragma warning disable CA1031 // Whatever went wrong is the answer to the test.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new MailServerCheck(false, MailConnections.Explain(e));
        }
    }

    private Task<Failure?> EmailInboxAsync(Guid inboxId, CancellationToken cancellationToken) =>
        Inboxes.InboxRules.RequireChannelAsync(db, inboxId, InboxChannel.Email, "Only email inboxes have a mailbox.", cancellationToken);

    /// <summary>
    /// The server as sent, checked. The stored password is kept only for the same server and account: sent to
    /// another host, port or username, or over another security, it would go where it was never meant to.
    /// </summary>
    private (MailServerSettings Settings, string? ProtectedPassword)? Server(
        MailServerRequest? request, string field, MailServerSettings? stored, string? storedPassword, bool passwordRequired, FieldErrors errors)
    {
        if (request is null)
        {
            errors.Add(field, "Required: host, port, security, username and password.");
            return null;
        }

        var before = errors.Count;
        errors.Required($"{field}.host", request.Host, MailServerSettings.MaxHostLength)
            .MaxLength($"{field}.username", request.Username, MailServerSettings.MaxUsernameLength)
            .MaxLength($"{field}.password", request.Password, MaxPasswordLength);
        if (request.Port is { } port && port is < 1 or > 65535)
        {
            errors.Add($"{field}.port", "A port from 1 to 65535.");
        }

        if (request.Security is { } security && !Enum.IsDefined(security))
        {
            errors.Add($"{field}.security", "One of Auto, SslOnConnect, StartTls, None.");
        }

        var username = request.Username?.Trim() ?? "";
        if (passwordRequired && username.Length == 0)
        {
            errors.Add($"{field}.username", "Required.");
        }

        var securityOf = request.Security ?? MailSecurity.Auto;
        var settings = new MailServerSettings(request.Host?.Trim() ?? "", request.Port ?? UsualPort(field, securityOf), securityOf, username);
        var keepsStored = !string.IsNullOrEmpty(storedPassword) && settings == stored;
        if (username.Length > 0 && string.IsNullOrEmpty(request.Password) && !keepsStored)
        {
            errors.Add($"{field}.password", string.IsNullOrEmpty(storedPassword) ? "Required with a username." : "Type the password again for the changed server or account.");
        }

        if (errors.Count > before)
        {
            return null;
        }

        return (settings, string.IsNullOrEmpty(request.Password) ? null : connections.Protect(request.Password));
    }

    private static int UsualPort(string field, MailSecurity security) => (field, security) switch
    {
        ("imap", MailSecurity.StartTls or MailSecurity.None) => 143,
        ("imap", _) => 993,
        ("smtp", MailSecurity.SslOnConnect) => 465,
        ("smtp", MailSecurity.None) => 25,
        _ => 587,
    };
}
