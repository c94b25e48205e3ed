namespace Porchlight.Server.Features.Attachments;

/// <summary>The <c>Storage</c> configuration section: where uploads go and how big they may be.</summary>
public sealed class AttachmentOptions
{
    public const string Section = "Storage";

    /// <summary>A folder, relative to the working directory like the SQLite file unless absolute.</summary>
    public string AttachmentsPath { get; set; } = "data/attachments";

    public long MaxAttachmentBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>How long a download link handed out in a message stays valid; clients re-read messages for fresh ones.</summary>
    public TimeSpan AttachmentLinkLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How long an upload may wait for the message that sends it; after that the sweep removes it, and
    /// also any stored file older than this whose row is gone.
    /// </summary>
    public TimeSpan UnsentAttachmentLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often <see cref="AttachmentSweeper"/> looks for unsent uploads and files without a row.</summary>
    public TimeSpan AttachmentSweepInterval { get; set; } = TimeSpan.FromHours(1);
}
