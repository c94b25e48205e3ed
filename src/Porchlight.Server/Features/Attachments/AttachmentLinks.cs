using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Attachments;

public enum LinkCheck
{
    Valid,
    Invalid,
    Expired,
}

/// <summary>
/// Download links that carry their own permission: the attachment id and an expiry, signed with the
/// data-protection keys every node shares. A link is only ever put into answers for the conversation's
/// visitor and the workspace's agents, so holding a valid one is the proof of having been one of them.
/// </summary>
public sealed class AttachmentLinks(IDataProtectionProvider dataProtection, TimeProvider clock, PublicUrls urls, IOptions<AttachmentOptions> options)
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector("Porchlight.Attachments.Link");

    public string UrlFor(Attachment attachment)
    {
        var expires = clock.GetUtcNow().Add(options.Value.AttachmentLinkLifetime).ToUnixTimeSeconds();
        var signature = _protector.ProtectToUrl(Payload(attachment.Id, expires));
        return urls.To($"attachments/{attachment.Id}?sig={signature}&exp={expires}");
    }

    /// <summary>Whether a link's signature covers this id and expiry, and whether it is still in time.</summary>
    public LinkCheck Check(Guid attachmentId, string? signature, string? expires)
    {
        if (!long.TryParse(expires, out var expiresAt)
            || _protector.UnprotectFromUrl(signature) is not { } signed || !CryptographicOperations.FixedTimeEquals(signed, Payload(attachmentId, expiresAt)))
        {
            return LinkCheck.Invalid;
        }

        return clock.GetUtcNow().ToUnixTimeSeconds() <= expiresAt ? LinkCheck.Valid : LinkCheck.Expired;
    }

    private static byte[] Payload(Guid attachmentId, long expires)
    {
        var payload = new byte[24];
        attachmentId.TryWriteBytes(payload.AsSpan(0, 16));
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(16), expires);
        return payload;
    }
}
