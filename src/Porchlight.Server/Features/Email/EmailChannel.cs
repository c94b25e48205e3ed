using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;

namespace Porchlight.Server.Features.Email;

/// <summary>How a connection to a mail server is secured.</summary>
public enum MailSecurity
{
    /// <summary>TLS from the start on port 993 (IMAP) or 465 (SMTP), STARTTLS where the server offers it otherwise.</summary>
    Auto = 0,

    /// <summary>TLS from the first byte (IMAPS, SMTPS).</summary>
    SslOnConnect = 1,

    /// <summary>A plain connection upgraded with STARTTLS; refused when the server does not offer it.</summary>
    StartTls = 2,

    /// <summary>No encryption: only for a server on the same machine or a private network.</summary>
    None = 3,
}

/// <summary>One mail server and the account Porchlight signs in with.</summary>
public sealed record MailServerSettings(string Host, int Port, MailSecurity Security, string Username)
{
    public const int MaxHostLength = 253;
    public const int MaxUsernameLength = 254;

    public SecureSocketOptions SocketOptions => Security switch
    {
        MailSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        MailSecurity.StartTls => SecureSocketOptions.StartTls,
        MailSecurity.None => SecureSocketOptions.None,
        _ => SecureSocketOptions.Auto,
    };
}

/// <summary>
/// The mailbox behind an email inbox: mail to <see cref="Address"/> is read from <see cref="Imap"/> (the
/// <see cref="Folder"/> folder) and replies leave through <see cref="Smtp"/>. Passwords are kept encrypted with the
/// data-protection keys (they must be used, so they cannot be hashed) and never leave the server. The reading
/// position (<see cref="UidValidity"/>, <see cref="LastUid"/>) and the last outcome are bookkeeping, not settings.
/// </summary>
public sealed class EmailChannel : Entity, IWorkspaceOwned, IAudited
{
    public const int MaxAddressLength = 254;
    public const int MaxDisplayNameLength = 100;
    public const int MaxFolderLength = 200;
    public const int MaxProtectedPasswordLength = 1024;
    public const int MaxErrorLength = 500;

    private EmailChannel()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public Guid InboxId { get; private set; }

    /// <summary>The address customers write to and replies come from, e.g. support@acme.com.</summary>
    public string Address { get; private set; } = "";

    /// <summary>The name replies are signed with in the From line; the workspace's name when empty.</summary>
    public string DisplayName { get; private set; } = "";

    public MailServerSettings Imap { get; private set; } = null!;

    public string Folder { get; private set; } = "INBOX";

    [AuditIgnore]
    public string ProtectedImapPassword { get; private set; } = "";

    public MailServerSettings Smtp { get; private set; } = null!;

    [AuditIgnore]
    public string ProtectedSmtpPassword { get; private set; } = "";

    /// <summary>
    /// Replies name <c>local+token@domain</c> as their Reply-To, so an answer finds its conversation even when the
    /// customer's mail program drops the thread headers. Only for mail servers that deliver plus-addressed mail.
    /// </summary>
    public bool ReplyToToken { get; private set; }

    /// <summary>When the mailbox was first connected: mail that arrived before it is history, not new conversations.</summary>
    public DateTime ConnectedAt { get; private set; }

    [AuditIgnore]
    public long UidValidity { get; private set; }

    /// <summary>The last message read from the folder (IMAP UID): the next poll asks for those after it.</summary>
    [AuditIgnore]
    public long LastUid { get; private set; }

    [AuditIgnore]
    public DateTime? LastPolledAt { get; private set; }

    /// <summary>Why the last poll failed (sign-in refused, server unreachable); null after one that worked.</summary>
    [AuditIgnore]
    public string? LastError { get; private set; }

    /// <summary>The last mail that could not be taken in and was passed over, and why; kept until another is.</summary>
    [AuditIgnore]
    public string? LastSkipped { get; private set; }

    public static EmailChannel Connect(Guid workspaceId, Guid inboxId, DateTime now) => new()
    {
        WorkspaceId = workspaceId,
        InboxId = inboxId,
        ConnectedAt = now,
    };

    public void Change(
        string address, string displayName, MailServerSettings imap, string folder, string? protectedImapPassword,
        MailServerSettings smtp, string? protectedSmtpPassword, bool replyToToken, DateTime now)
    {
        if (Imap is not null && (Imap.Host != imap.Host || Imap.Username != imap.Username || Folder != folder))
        {
            // Another mailbox or folder: its message numbers mean nothing here, and what it held until now is history.
            (UidValidity, LastUid, ConnectedAt) = (0, 0, now);
        }

        Address = address;
        DisplayName = displayName;
        Imap = imap;
        Folder = folder;
        ProtectedImapPassword = protectedImapPassword ?? ProtectedImapPassword;
        Smtp = smtp;
        ProtectedSmtpPassword = protectedSmtpPassword ?? ProtectedSmtpPassword;
        ReplyToToken = replyToToken;
    }

    /// <summary>The folder was read up to <paramref name="uid"/> (of the folder's <paramref name="uidValidity"/>).</summary>
    public void ReadUpTo(long uidValidity, long uid, DateTime now)
    {
        (UidValidity, LastUid, LastPolledAt, LastError) = (uidValidity, uid, now, null);
    }

    public void PollFailed(string error, DateTime now)
    {
        LastPolledAt = now;
        LastError = Shorten(error);
    }

    public void Skipped(string why) => LastSkipped = Shorten(why);

    private static string Shorten(string text) => text.Length > MaxErrorLength ? text[..MaxErrorLength] : text;

    /// <summary>The address's domain: Message-IDs of replies are made in it.</summary>
    public string Domain => Address[(Address.IndexOf('@', StringComparison.Ordinal) + 1)..];
}

internal sealed class EmailChannelConfiguration : IEntityTypeConfiguration<EmailChannel>
{
    public void Configure(EntityTypeBuilder<EmailChannel> builder)
    {
        builder.ToTable("EmailChannels");
        builder.Ignore(c => c.Domain);
        builder.Property(c => c.Address).HasMaxLength(EmailChannel.MaxAddressLength);
        builder.Property(c => c.DisplayName).HasMaxLength(EmailChannel.MaxDisplayNameLength);
        builder.Property(c => c.Folder).HasMaxLength(EmailChannel.MaxFolderLength);
        builder.Property(c => c.ProtectedImapPassword).HasMaxLength(EmailChannel.MaxProtectedPasswordLength);
        builder.Property(c => c.ProtectedSmtpPassword).HasMaxLength(EmailChannel.MaxProtectedPasswordLength);
        builder.Property(c => c.LastError).HasMaxLength(EmailChannel.MaxErrorLength);
        builder.Property(c => c.LastSkipped).HasMaxLength(EmailChannel.MaxErrorLength);
        builder.ComplexProperty(c => c.Imap, Server("Imap"));
        builder.ComplexProperty(c => c.Smtp, Server("Smtp"));
        builder.HasIndex(c => c.InboxId).IsUnique();
        builder.HasOne<Inboxes.Inbox>().WithMany().HasForeignKey(c => c.InboxId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(c => c.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }

    private static Action<ComplexPropertyBuilder<MailServerSettings>> Server(string prefix) => server =>
    {
        server.Property(s => s.Host).HasColumnName($"{prefix}Host").HasMaxLength(MailServerSettings.MaxHostLength);
        server.Property(s => s.Port).HasColumnName($"{prefix}Port");
        server.Property(s => s.Security).HasColumnName($"{prefix}Security").HasConversion<string>().HasMaxLength(16);
        server.Property(s => s.Username).HasColumnName($"{prefix}Username").HasMaxLength(MailServerSettings.MaxUsernameLength);
        server.Ignore(s => s.SocketOptions);
    };
}
