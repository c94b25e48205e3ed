using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace Porchlight.Server.Features.Attachments;

/// <summary>A stored file: the workspace folder it lives in and the attachment id it is named after.</summary>
public readonly record struct StoredFile(Guid WorkspaceId, Guid AttachmentId);

/// <summary>Where attachment bytes live, keyed by workspace and attachment id. Rows and links are the callers' business.</summary>
public interface IAttachmentStore
{
    /// <summary>Stores <paramref name="content"/> from its current position; once this returns, the file survives a crash.</summary>
    Task SaveAsync(Guid workspaceId, Guid attachmentId, Stream content, CancellationToken cancellationToken);

    /// <summary>The stored bytes, or null when there are none.</summary>
    Task<Stream?> OpenReadAsync(Guid workspaceId, Guid attachmentId, CancellationToken cancellationToken);

    Task DeleteAsync(Guid workspaceId, Guid attachmentId, CancellationToken cancellationToken);

    /// <summary>Every stored file last written before <paramref name="writtenBefore"/>: the sweep looks for those whose rows are gone.</summary>
    IAsyncEnumerable<StoredFile> ListAsync(DateTime writtenBefore, CancellationToken cancellationToken);
}

/// <summary>
/// Files on the local disk under <see cref="AttachmentOptions.AttachmentsPath"/>, one folder per workspace.
/// Names are ids only, so nothing a client sends ever becomes part of a path. Several nodes need the
/// folder on shared storage.
/// </summary>
public sealed class DiskAttachmentStore(IOptions<AttachmentOptions> options) : IAttachmentStore
{
    private const int BufferSize = 81920;
    private readonly string _root = Path.GetFullPath(options.Value.AttachmentsPath);

    public async Task SaveAsync(Guid workspaceId, Guid attachmentId, Stream content, CancellationToken cancellationToken)
    {
        var path = PathOf(workspaceId, attachmentId);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Written under a temporary name and moved into place, so a reader never sees half a file.
        var temporary = $"{path}.{Guid.NewGuid():N}.part";
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous))
            {
                await content.CopyToAsync(file, cancellationToken);
                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public Task<Stream?> OpenReadAsync(Guid workspaceId, Guid attachmentId, CancellationToken cancellationToken)
    {
        var path = PathOf(workspaceId, attachmentId);
        try
        {
            Stream file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferSize,
                FileOptions.Asynchronous | FileOptions.SequentialScan);
            return Task.FromResult<Stream?>(file);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    public Task DeleteAsync(Guid workspaceId, Guid attachmentId, CancellationToken cancellationToken)
    {
        try
        {
            File.Delete(PathOf(workspaceId, attachmentId));
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was ever stored for this workspace.
        }

        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<StoredFile> ListAsync(DateTime writtenBefore, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!Directory.Exists(_root))
        {
            yield break;
        }

        foreach (var folder in Directory.EnumerateDirectories(_root))
        {
            if (!Guid.TryParseExact(Path.GetFileName(folder), "N", out var workspaceId))
            {
                continue;
            }

            // Names that are not attachment ids (a ".part" file being written) are never listed, so never deleted.
            foreach (var file in new DirectoryInfo(folder).EnumerateFiles())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (Guid.TryParseExact(file.Name, "N", out var attachmentId) && file.LastWriteTimeUtc < writtenBefore)
                {
                    yield return new StoredFile(workspaceId, attachmentId);
                }
            }

            await Task.Yield();
        }
    }

    private string PathOf(Guid workspaceId, Guid attachmentId) => Path.Combine(_root, workspaceId.ToString("N"), attachmentId.ToString("N"));
}
