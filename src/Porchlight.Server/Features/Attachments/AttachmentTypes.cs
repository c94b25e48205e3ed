using System.Buffers;
using System.IO.Compression;
using System.Text;

namespace Porchlight.Server.Features.Attachments;

/// <summary>A type attachments may have: what it is served as, and the file name extensions that fit it.</summary>
public sealed record AttachmentType(string ContentType, params string[] Extensions);

/// <summary>
/// Decides what an upload is from its bytes, never from the name or the type the client sent: images
/// (PNG, JPEG, GIF, WebP), PDF, plain text and CSV, ZIP, and office documents. Anything else, SVG and HTML
/// included (they can carry script), is refused, or accepted only as inert plain text.
/// </summary>
public static class AttachmentTypes
{
    public static readonly AttachmentType Png = new("image/png", ".png");
    public static readonly AttachmentType Jpeg = new("image/jpeg", ".jpg", ".jpeg");
    public static readonly AttachmentType Gif = new("image/gif", ".gif");
    public static readonly AttachmentType WebP = new("image/webp", ".webp");
    public static readonly AttachmentType Pdf = new("application/pdf", ".pdf");
    public static readonly AttachmentType Zip = new("application/zip", ".zip");
    public static readonly AttachmentType Text = new("text/plain", ".txt", ".log", ".md");
    public static readonly AttachmentType Csv = new("text/csv", ".csv");
    public static readonly AttachmentType Docx = new("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx");
    public static readonly AttachmentType Xlsx = new("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx");
    public static readonly AttachmentType Pptx = new("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx");
    public static readonly AttachmentType Odt = new("application/vnd.oasis.opendocument.text", ".odt");
    public static readonly AttachmentType Ods = new("application/vnd.oasis.opendocument.spreadsheet", ".ods");
    public static readonly AttachmentType Odp = new("application/vnd.oasis.opendocument.presentation", ".odp");
    public static readonly AttachmentType Doc = new("application/msword", ".doc");
    public static readonly AttachmentType Xls = new("application/vnd.ms-excel", ".xls");
    public static readonly AttachmentType Ppt = new("application/vnd.ms-powerpoint", ".ppt");

    public const string Allowed = "PNG, JPEG, GIF or WebP images, PDF, plain text, CSV, ZIP, and Word, Excel, PowerPoint or OpenDocument files";

    private static readonly byte[] PngMagic = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] OleMagic = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    private static readonly AttachmentType[] OdfTypes = [Odt, Ods, Odp];
    private static readonly SearchValues<char> ControlCharacters = SearchValues.Create(
        [.. Enumerable.Range(0, 32).Select(c => (char)c).Where(c => c is not ('\t' or '\n' or '\r' or '\f')), '\u007F']);

    /// <summary>The type of <paramref name="content"/> (a seekable stream, left at position 0), or null when it is not allowed.</summary>
    public static AttachmentType? Detect(Stream content, string fileName)
    {
        var head = new byte[16];
        content.Position = 0;
        var read = content.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        content.Position = 0;
        var bytes = head.AsSpan(0, read);
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        var type = bytes switch
        {
            _ when bytes.StartsWith(PngMagic) => Png,
            [0xFF, 0xD8, 0xFF, ..] => Jpeg,
            _ when bytes.StartsWith("GIF87a"u8) || bytes.StartsWith("GIF89a"u8) => Gif,
            _ when bytes.Length >= 12 && bytes.StartsWith("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8) => WebP,
            _ when bytes.StartsWith("%PDF-"u8) => Pdf,
            _ when bytes.StartsWith("PK\u0003\u0004"u8) || bytes.StartsWith("PK\u0005\u0006"u8) => ZipKind(content),
            // The old binary Office formats share their container with installers and other programs, so
            // only the extensions Office itself opens are accepted; the file is always served as a download.
            _ when bytes.StartsWith(OleMagic) => extension switch
            {
                ".doc" => Doc,
                ".xls" => Xls,
                ".ppt" => Ppt,
                _ => null,
            },
            _ => IsPlainText(content) ? (extension == ".csv" ? Csv : Text) : null,
        };
        content.Position = 0;
        return type;
    }

    /// <summary>
    /// The uploader's name reduced to a file name (no folders, no control characters, no invisible formatting such as a
    /// right-to-left override that shows <c>gpj.exe</c> as <c>exe.jpg</c>; an emoji's joiner stays) whose extension fits
    /// <paramref name="type"/>: <c>report.html</c> detected as text becomes <c>report.html.txt</c>, so a
    /// download never opens as something other than what was checked.
    /// </summary>
    public static string FileNameFor(string? uploaded, AttachmentType type)
    {
        var name = Path.GetFileName((uploaded ?? "").Replace('\\', '/'));
        name = new string([.. name.Where(c => !char.IsControl(c) && c is not ('"' or '<' or '>' or '|' or ':' or '*' or '?')
            && (c == '\u200D' || char.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.Format))]).Trim().Trim('.');
        if (name.Length == 0)
        {
            name = "file";
        }

        if (name.Length > Attachment.MaxFileNameLength)
        {
            // Not between the two halves of a character outside the Basic Multilingual Plane (an emoji).
            name = name[..(char.IsHighSurrogate(name[Attachment.MaxFileNameLength - 1]) ? Attachment.MaxFileNameLength - 1 : Attachment.MaxFileNameLength)];
        }

        return type.Extensions.Contains(Path.GetExtension(name).ToLowerInvariant()) ? name : name + type.Extensions[0];
    }

    // Office Open XML and OpenDocument files are ZIP archives with a known first entry; anything else is a plain ZIP.
    private static AttachmentType? ZipKind(Stream content)
    {
        try
        {
            using var zip = new ZipArchive(content, ZipArchiveMode.Read, leaveOpen: true);
            if (zip.GetEntry("[Content_Types].xml") is not null)
            {
                if (zip.GetEntry("word/document.xml") is not null)
                {
                    return Docx;
                }

                if (zip.GetEntry("xl/workbook.xml") is not null)
                {
                    return Xlsx;
                }

                if (zip.GetEntry("ppt/presentation.xml") is not null)
                {
                    return Pptx;
                }
            }

            if (zip.GetEntry("mimetype") is { Length: < 100 } mimetype)
            {
                using var reader = new StreamReader(mimetype.Open(), Encoding.ASCII);
                var declared = reader.ReadToEnd().Trim();
                if (OdfTypes.FirstOrDefault(t => t.ContentType == declared) is { } odf)
                {
                    return odf;
                }
            }

            return Zip;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or NotSupportedException)
        {
            // Starts like a ZIP but is not one (a truncated or corrupt archive).
            return null;
        }
    }

    // Strict UTF-8 without NUL or other control characters than tab, line breaks and form feed.
    private static bool IsPlainText(Stream content)
    {
        var decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetDecoder();
        var bytes = new byte[16 * 1024];
        var chars = new char[bytes.Length + 1];
        var any = false;
        try
        {
            int read;
            while ((read = content.Read(bytes, 0, bytes.Length)) > 0)
            {
                any = true;
                var count = decoder.GetChars(bytes, 0, read, chars, 0, flush: false);
                if (chars.AsSpan(0, count).ContainsAny(ControlCharacters))
                {
                    return false;
                }
            }

            return any && decoder.GetCharCount([], 0, 0, flush: true) == 0;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
