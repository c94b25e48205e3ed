namespace Porchlight.Server.Features.Attachments;

/// <summary>
/// A file of a message as agents and the conversation's visitor see it. <c>url</c> is a signed link that
/// expires (24 hours by default); read the messages again for a fresh one. Images are served inline,
/// everything else as a download.
/// </summary>
public sealed record AttachmentResponse(Guid Id, string FileName, string ContentType, long Size, string Url, bool IsImage)
{
    public static AttachmentResponse From(Attachment attachment, AttachmentLinks links) => new(
        attachment.Id, attachment.FileName, attachment.ContentType, attachment.Size, links.UrlFor(attachment), attachment.IsImage);
}
