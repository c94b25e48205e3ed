using System.Security.Cryptography;
using System.Text;
using MimeKit;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Email;

/// <summary>
/// How an answer finds its conversation. First by the thread headers (In-Reply-To, References) naming a mail the
/// inbox already knows; failing that, by a token that names the conversation and is signed with the inbox's secret:
/// it is part of every Message-ID Porchlight makes (so a reply to a mail forwarded from elsewhere still finds it) and,
/// where the inbox allows, of the Reply-To address (<c>support+token@acme.com</c>, for mail programs that drop the
/// headers). The signature means a conversation's id alone, guessed or leaked, names nothing; a mail that names a
/// Message-ID of the thread joins it, as in any mail program (whoever has one of its mails is in the thread).
/// </summary>
public static class EmailThreads
{
    private const int MacLength = 6;

    /// <summary>A Message-ID for reply <paramref name="messageId"/> of <paramref name="conversationId"/>, without angle brackets.</summary>
    public static string MessageIdFor(Guid messageId, Guid conversationId, string secret, string domain) =>
        $"{messageId:N}.{Token(conversationId, secret)}@{domain}";

    /// <summary>
    /// The plus-addressed Reply-To for the conversation, or null when the mailbox's name is too long to carry the
    /// token (a local part holds at most 64 characters).
    /// </summary>
    public static string? ReplyAddressFor(string address, Guid conversationId, string secret)
    {
        var at = address.IndexOf('@', StringComparison.Ordinal);
        var local = $"{address[..at]}+{Token(conversationId, secret)}";
        return local.Length <= 64 ? local + address[at..] : null;
    }

    /// <summary>The conversation a signed token in one of <paramref name="messageIds"/> or <paramref name="recipients"/> names, if any.</summary>
    public static Guid? ConversationNamedIn(IEnumerable<string> messageIds, IEnumerable<MailboxAddress> recipients, string secret)
    {
        foreach (var id in messageIds)
        {
            var local = id.Split('@')[0];
            if (local.LastIndexOf('.') is var dot and >= 0 && Verify(local[(dot + 1)..], secret) is { } conversation)
            {
                return conversation;
            }
        }

        foreach (var recipient in recipients)
        {
            var local = recipient.LocalPart;
            // The last '+': the inbox's own address may have one (support+help@…).
            if (local.LastIndexOf('+') is var plus and >= 0 && Verify(local[(plus + 1)..], secret) is { } conversation)
            {
                return conversation;
            }
        }

        return null;
    }

    private static string Token(Guid conversationId, string secret)
    {
        var id = conversationId.ToByteArray();
        // Lower case: survives mail systems that change the case of addresses.
        return Base32.Encode([.. id, .. Mac(id, secret)]).ToLowerInvariant();
    }

    private static Guid? Verify(string token, string secret)
    {
        // Letters and digits only: a token is never written with the separators a typed key may hold.
        if (!token.All(char.IsAsciiLetterOrDigit) || Base32.Decode(token) is not { Length: 16 + MacLength } bytes)
        {
            return null;
        }

        var id = bytes[..16];
        return CryptographicOperations.FixedTimeEquals(bytes.AsSpan(16), Mac(id, secret)) ? new Guid(id) : null;
    }

    // The inbox's secret under a label of its own: a thread token is worth nothing as a visitor's user hash, nor the reverse.
    private static byte[] Mac(byte[] conversationId, string secret) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes("porchlight-email-thread:" + secret), conversationId)[..MacLength];
}
