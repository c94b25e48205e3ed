using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using Microsoft.AspNetCore.DataProtection;

namespace Porchlight.Server.Features.Email;

/// <summary>
/// Signs in to an email inbox's mail servers with its stored settings. Passwords are kept encrypted with the
/// data-protection keys every node shares and decrypted only here, for the moment of signing in.
/// </summary>
public sealed class MailConnections(IDataProtectionProvider dataProtection)
{
    /// <summary>How long a mail server may take to answer before the attempt counts as failed.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly IDataProtector _passwords = dataProtection.CreateProtector("Porchlight.Email.Password");

    public string Protect(string password) => _passwords.Protect(password);

    /// <summary>Connected, signed in, and with the inbox's folder open to read.</summary>
    public async Task<(ImapClient Client, IMailFolder Folder)> OpenFolderAsync(EmailChannel channel, CancellationToken cancellationToken)
    {
        var client = new ImapClient { Timeout = (int)Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(channel.Imap.Host, channel.Imap.Port, channel.Imap.SocketOptions, cancellationToken);
            await client.AuthenticateAsync(channel.Imap.Username, _passwords.Unprotect(channel.ProtectedImapPassword), cancellationToken);
            var folder = await client.GetFolderAsync(channel.Folder, cancellationToken);
            await folder.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
            return (client, folder);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Connected and signed in, ready to send.</summary>
    public async Task<SmtpClient> OpenSmtpAsync(EmailChannel channel, CancellationToken cancellationToken)
    {
        var client = new SmtpClient { Timeout = (int)Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(channel.Smtp.Host, channel.Smtp.Port, channel.Smtp.SocketOptions, cancellationToken);
            if (channel.Smtp.Username.Length > 0)
            {
                await client.AuthenticateAsync(channel.Smtp.Username, _passwords.Unprotect(channel.ProtectedSmtpPassword), cancellationToken);
            }

            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>What a person can act on, from a failed sign-in or connection.</summary>
    public static string Explain(Exception e) => e switch
    {
        MailKit.Security.AuthenticationException => "The server refused the username or password.",
        System.Net.Sockets.SocketException socket => $"Could not reach the server: {socket.Message}",
        MailKit.Security.SslHandshakeException => "The secure connection failed: check the port and the security setting.",
        FolderNotFoundException folder => $"The folder “{folder.FolderName}” does not exist in this mailbox.",
        TimeoutException or OperationCanceledException => $"The server did not answer within {Timeout.TotalSeconds:0} seconds.",
        _ => e.Message,
    };
}
