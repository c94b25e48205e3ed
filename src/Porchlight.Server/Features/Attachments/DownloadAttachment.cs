using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Attachments;

/// <summary>An attachment's bytes and what to serve them as.</summary>
public sealed record AttachmentDownload(Attachment Attachment, Stream Content, DateTimeOffset LinkExpires);

/// <summary>
/// Serves an attachment to whoever holds a valid signed link (see <see cref="AttachmentLinks"/>). A link
/// that was altered or never issued answers 404, like an unknown id; an expired one answers 403.
/// </summary>
public sealed class DownloadAttachment(AppDbContext db, AttachmentLinks links, IAttachmentStore store)
{
    public async Task<Result<AttachmentDownload>> HandleAsync(Guid attachmentId, string? signature, string? expires, CancellationToken cancellationToken)
    {
        switch (links.Check(attachmentId, signature, expires))
        {
            case LinkCheck.Invalid:
                return Failure.NotFound("The attachment");
            case LinkCheck.Expired:
                return Failure.Forbidden("This download link has expired. Open the conversation again for a fresh one.");
        }

        // The signed link is the permission, so the look-up crosses workspaces like other look-ups by a secret.
        var attachment = await db.Attachments.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(a => a.Id == attachmentId, cancellationToken);
        if (attachment is null || await store.OpenReadAsync(attachment.WorkspaceId, attachment.Id, cancellationToken) is not { } content)
        {
            return Failure.NotFound("The attachment");
        }

        return new AttachmentDownload(attachment, content, DateTimeOffset.FromUnixTimeSeconds(long.Parse(expires!, System.Globalization.CultureInfo.InvariantCulture)));
    }
}

public static class AttachmentDownloadResults
{
    /// <summary>
    /// The file, never as something a browser would run: the detected type with nosniff, a sandboxing CSP
    /// that allows nothing, and a download for everything but images, which chats show inline.
    /// </summary>
    public static IResult ToFileResult(this AttachmentDownload download, HttpResponse response, DateTimeOffset now)
    {
        var attachment = download.Attachment;
        var disposition = new ContentDispositionHeaderValue(attachment.IsImage ? "inline" : "attachment");
        disposition.SetHttpFileName(attachment.FileName);
        var headers = response.Headers;
        headers.ContentDisposition = disposition.ToString();
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        // The signed link must not travel on in a Referer header from a viewer that follows a link in the file.
        headers["Referrer-Policy"] = "no-referrer";
        var maxAge = Math.Max(0, (long)(download.LinkExpires - now).TotalSeconds);
        headers.CacheControl = $"private, max-age={maxAge}";
        var contentType = attachment.ContentType.StartsWith("text/", StringComparison.Ordinal) ? attachment.ContentType + "; charset=utf-8" : attachment.ContentType;
        return TypedResults.Stream(download.Content, contentType, enableRangeProcessing: true);
    }
}
