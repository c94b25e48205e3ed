using Porchlight.Server.Features.Inboxes;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Attachments;

namespace Porchlight.Server.Features.Privacy;

/// <summary>What an export holds, in numbers, for the audit trail and the page.</summary>
public sealed record ContactExportSummary(int Conversations, int Messages, int Attachments, int MissingFiles, int EmailMessages, int TrackedEvents, long Bytes);

/// <summary>
/// A contact's export, written to a temporary file that is deleted when this is disposed: what the API streams and the app
/// hands to the browser.
/// </summary>
public sealed class ContactArchive(string fileName, FileStream content, ContactExportSummary summary) : IAsyncDisposable, IDisposable
{
    public const string ContentType = "application/zip";

    /// <summary><c>contact-{id}-{yyyy-MM-dd}.zip</c>.</summary>
    public string FileName { get; } = fileName;

    /// <summary>The archive, from its first byte.</summary>
    public FileStream Content { get; } = content;

    public ContactExportSummary Summary { get; } = summary;

    public ValueTask DisposeAsync() => Content.DisposeAsync();

    public void Dispose() => Content.Dispose();
}

/// <summary>
/// Everything kept about one contact, in one ZIP archive (docs/privacy.md#export): <c>contact.json</c> with the contact,
/// its company, the team's notes, every conversation with its messages (notes between agents included), files, event log,
/// survey answer, mails and the assistant's part, the tracker's record of the contact's browsers (visitors, visits,
/// events), proactive messages shown to them and the articles they read; and every file of those conversations under
/// <c>attachments/</c>. Read in one snapshot, in batches, and written as it is read: neither memory nor a statement grows
/// with the contact.
/// </summary>
public sealed class ContactExporter(AppDbContext db, IAttachmentStore store, TimeProvider clock)
{
    public const string DocumentName = "contact.json";

    private const int Batch = 500;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The contact's archive, or null when the current workspace has no such contact.</summary>
    public async Task<ContactArchive?> ExportAsync(Guid contactId, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), $"porchlight-export-{Guid.NewGuid():N}.zip");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            ContactExportSummary? summary;
            await using (var snapshot = await SnapshotReads.BeginAsync(db, cancellationToken))
            {
                summary = await WriteAsync(contactId, file, cancellationToken);
            }

            if (summary is null)
            {
                await file.DisposeAsync();
                return null;
            }

            file.Position = 0;
            var today = clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            return new ContactArchive($"contact-{contactId}-{today}.zip", file, summary with { Bytes = file.Length });
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }

    private async Task<ContactExportSummary?> WriteAsync(Guid contactId, FileStream file, CancellationToken cancellationToken)
    {
        if (await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId, cancellationToken) is not { } contact)
        {
            return null;
        }

        var agents = await db.Agents.AsNoTracking().Where(a => a.WorkspaceId == contact.WorkspaceId)
            .Select(a => new { a.Id, a.DisplayName }).ToDictionaryAsync(a => a.Id, a => a.DisplayName, cancellationToken);
        var inboxes = await db.Inboxes.AsNoTracking().Where(i => i.WorkspaceId == contact.WorkspaceId).Select(i => new { i.Id, i.Name }).ToDictionaryAsync(i => i.Id, i => i.Name, cancellationToken);
        string? AgentName(Guid? id) => id is { } known ? agents.GetValueOrDefault(known) : null;

        var files = new List<Attachment>();
        int conversations = 0, messages = 0, mails = 0, events = 0;
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true))
        {
            await using (var entry = zip.CreateEntry(DocumentName, CompressionLevel.Optimal).Open())
            await using (var json = new Utf8JsonWriter(entry, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteString("exportedAt", clock.GetUtcNow().UtcDateTime);
                json.WriteString("format", "Porchlight contact export, version 1 (docs/privacy.md#export)");
                Write(json, "contact", new
                {
                    contact.Id, contact.Name, contact.Email, contact.ExternalId, Identified = contact.IsIdentified, contact.Attributes, contact.Tags,
                    contact.CreatedAt, contact.UpdatedAt, contact.LastSeenAt, contact.ErasedAt,
                });
                Write(json, "company", await db.Companies.AsNoTracking().Where(c => c.Id == contact.CompanyId)
                    .Select(c => new { c.Id, c.Name, c.Domain, c.ExternalId }).FirstOrDefaultAsync(cancellationToken));
                Write(json, "notes", (await db.ContactNotes.AsNoTracking().Where(n => n.ContactId == contactId).OrderBy(n => n.CreatedAt).ThenBy(n => n.Id)
                        .ToListAsync(cancellationToken))
                    .ConvertAll(n => new { n.Id, n.Text, n.CreatedAt, n.AuthorAgentId, AuthorName = AgentName(n.AuthorAgentId) }));

                json.WriteStartArray("conversations");
                var ids = await db.Conversations.AcrossInboxes().AsNoTracking().Where(c => c.ContactId == contactId).OrderBy(c => c.Id).Select(c => c.Id).ToListAsync(cancellationToken);
                foreach (var chunk in ids.Chunk(Batch))
                {
                    var chunkFiles = await db.Attachments.AsNoTracking().Where(a => a.ConversationId != null && chunk.Contains(a.ConversationId.Value))
                        .OrderBy(a => a.Id).ToListAsync(cancellationToken);
                    files.AddRange(chunkFiles);
                    var byMessage = chunkFiles.Where(a => a.MessageId is not null).ToLookup(a => a.MessageId!.Value);
                    foreach (var conversation in await db.Conversations.AcrossInboxes().AsNoTracking().Where(c => chunk.Contains(c.Id)).OrderBy(c => c.Id).ToListAsync(cancellationToken))
                    {
                        conversations++;
                        json.WriteStartObject();
                        WriteFields(json, new
                        {
                            conversation.Id, conversation.Number, conversation.InboxId, InboxName = inboxes.GetValueOrDefault(conversation.InboxId), conversation.Origin,
                            conversation.Status, conversation.Priority, conversation.Labels, conversation.Attributes, conversation.Opening, conversation.CreatedAt,
                            conversation.FirstAgentReplyAt, conversation.ResolvedAt, conversation.LastActivityAt, conversation.AssigneeId,
                            AssigneeName = AgentName(conversation.AssigneeId), conversation.TeamId,
                        });
                        messages += await WriteMessagesAsync(json, conversation.Id, byMessage, AgentName, cancellationToken);
                        Write(json, "unsentAttachments", chunkFiles.Where(a => a.ConversationId == conversation.Id && a.MessageId is null).Select(FileEntry).ToList());
                        Write(json, "events", await db.ConversationEvents.AsNoTracking().Where(e => e.ConversationId == conversation.Id)
                            .OrderBy(e => e.At).ThenBy(e => e.Id).Select(e => new { e.At, e.Kind, e.AgentId, e.TeamId }).ToListAsync(cancellationToken));
                        Write(json, "survey", await db.SurveyResponses.AsNoTracking().Where(s => s.ConversationId == conversation.Id)
                            .Select(s => new { s.Channel, s.RequestedAt, s.AnsweredAt, s.ChangedAt, s.Rating, s.Effort, s.Recommend, s.Comment })
                            .FirstOrDefaultAsync(cancellationToken));
                        var emails = await db.EmailMessages.AsNoTracking().Where(m => m.ConversationId == conversation.Id).OrderBy(m => m.CreatedAt).ThenBy(m => m.Id)
                            .Select(m => new { m.Id, m.Direction, m.InternetMessageId, m.Subject, m.FromAddress, m.FullText, m.Automatic, m.CreatedAt, m.MessageId })
                            .ToListAsync(cancellationToken);
                        mails += emails.Count;
                        Write(json, "emails", emails);
                        Write(json, "assistant", await db.AssistantSessions.AsNoTracking().Where(s => s.ConversationId == conversation.Id)
                            .Select(s => new { s.Outcome, s.State.Intent, s.State.Fields, s.State.Words, s.StartedAt, s.EndedAt }).FirstOrDefaultAsync(cancellationToken));
                        json.WriteEndObject();
                    }

                    await json.FlushAsync(cancellationToken);
                }

                json.WriteEndArray();

                var unsent = await db.Attachments.AsNoTracking().Where(a => a.UploadedByContactId == contactId && a.ConversationId == null)
                    .OrderBy(a => a.Id).ToListAsync(cancellationToken);
                files.AddRange(unsent);
                Write(json, "uploadsNotSent", unsent.ConvertAll(FileEntry));
                var addresses = new[] { contact.Email }.OfType<string>().ToList();
                var loose = await db.EmailMessages.AsNoTracking().Where(m => m.WorkspaceId == contact.WorkspaceId && m.ConversationId == null && addresses.Contains(m.FromAddress.ToLower()))
                    .OrderBy(m => m.CreatedAt).Select(m => new { m.Id, m.Direction, m.InternetMessageId, m.Subject, m.FromAddress, m.FullText, m.Automatic, m.CreatedAt })
                    .ToListAsync(cancellationToken);
                mails += loose.Count;
                Write(json, "emailsWithoutConversation", loose);
                events = await WriteTrackingAsync(json, contactId, cancellationToken);
                Write(json, "articlesRead", await db.ArticleReads.AsNoTracking().Where(r => r.ContactId == contactId).OrderBy(r => r.ReadAt)
                    .Select(r => new { r.ArticleId, Title = db.Articles.Where(a => a.Id == r.ArticleId).Select(a => a.Title).FirstOrDefault(), r.InboxId, r.ReadAt })
                    .ToListAsync(cancellationToken));
                json.WriteEndObject();
            }

            var missing = 0;
            foreach (var attachment in files)
            {
                await using var stored = await store.OpenReadAsync(attachment.WorkspaceId, attachment.Id, cancellationToken);
                if (stored is null)
                {
                    missing++;
                    continue;
                }

                await using var entry = zip.CreateEntry(PathOf(attachment), CompressionLevel.Fastest).Open();
                await stored.CopyToAsync(entry, cancellationToken);
            }

            return new ContactExportSummary(conversations, messages, files.Count - missing, missing, mails, events, 0);
        }
    }

    /// <summary>The conversation's messages in order, read in batches, each with its files; answers how many.</summary>
    private async Task<int> WriteMessagesAsync(
        Utf8JsonWriter json, Guid conversationId, ILookup<Guid, Attachment> files, Func<Guid?, string?> agentName, CancellationToken cancellationToken)
    {
        json.WriteStartArray("messages");
        var count = 0;
        var after = long.MinValue;
        while (true)
        {
            var page = await db.Messages.AsNoTracking().Where(m => m.ConversationId == conversationId && m.Sequence > after)
                .OrderBy(m => m.Sequence).Take(Batch).ToListAsync(cancellationToken);
            foreach (var m in page)
            {
                JsonSerializer.Serialize(json, new
                {
                    m.Id, m.Sequence, m.Kind, m.AuthorAgentId, AuthorName = agentName(m.AuthorAgentId), m.Text, m.CreatedAt, m.EditedAt, m.DeletedAt, m.Sentiment,
                    m.QuickReplies, Attachments = files[m.Id].Select(FileEntry).ToList(),
                }, Json);
            }

            count += page.Count;
            if (page.Count < Batch)
            {
                json.WriteEndArray();
                return count;
            }

            after = page[^1].Sequence;
            await json.FlushAsync(cancellationToken);
        }
    }

    /// <summary>The tracker's record of the contact's browsers, and the proactive messages offered to them; answers the events written.</summary>
    private async Task<int> WriteTrackingAsync(Utf8JsonWriter json, Guid contactId, CancellationToken cancellationToken)
    {
        var visitors = await db.TrackedVisitors.AsNoTracking().Where(v => v.ContactId == contactId).OrderBy(v => v.Id).ToListAsync(cancellationToken);
        json.WriteStartObject("tracking");
        Write(json, "visitors", visitors.ConvertAll(v => new
        {
            v.InboxId, v.VisitorKey, v.FirstSeenAt, v.LatestVisitAt, v.Visits, v.FirstReferrer, v.FirstUtmSource, v.FirstUtmCampaign,
        }));
        json.WriteStartArray("visits");
        foreach (var v in visitors)
        {
            foreach (var visit in await db.TrackedSessions.AsNoTracking().Where(s => s.InboxId == v.InboxId && s.VisitorKey == v.VisitorKey)
                         .OrderBy(s => s.StartedAt).ToListAsync(cancellationToken))
            {
                JsonSerializer.Serialize(json, new
                {
                    visit.InboxId, visit.VisitorKey, visit.StartedAt, visit.LastSeenAt, visit.EntryUrl, visit.ExitUrl, visit.PageViews, visit.CustomEvents, visit.Referrer,
                    visit.UtmSource, visit.UtmMedium, visit.UtmCampaign, visit.Browser, visit.Os, visit.Device, visit.Country, visit.IpAddress,
                }, Json);
            }
        }

        json.WriteEndArray();
        json.WriteStartArray("events");
        var count = 0;
        foreach (var v in visitors)
        {
            // Paged by place in the visitor's order: the snapshot holds still, so the places do too.
            for (var done = 0; ; done += Batch)
            {
                var page = await db.TrackedEvents.AsNoTracking().Where(e => e.InboxId == v.InboxId && e.VisitorKey == v.VisitorKey)
                    .OrderBy(e => e.ReceivedAt).ThenBy(e => e.Id).Skip(done).Take(Batch).ToListAsync(cancellationToken);
                foreach (var e in page)
                {
                    JsonSerializer.Serialize(json, new
                    {
                        e.InboxId, e.VisitorKey, e.SessionKey, e.Type, e.Name, e.Url, e.Title, e.Referrer, e.UtmSource, e.UtmMedium, e.UtmCampaign, e.UtmTerm,
                        e.UtmContent, e.Screen, e.Language, e.TimeZone, e.Browser, e.Os, e.Device, e.DurationMs, e.Properties, e.ReceivedAt, e.SentAt,
                    }, Json);
                }

                count += page.Count;
                await json.FlushAsync(cancellationToken);
                if (page.Count < Batch)
                {
                    break;
                }
            }
        }

        json.WriteEndArray();
        var keys = visitors.ConvertAll(v => v.VisitorKey);
        var inboxIds = visitors.ConvertAll(v => v.InboxId);
        Write(json, "proactiveMessages", (await db.ProactiveMessages.AsNoTracking().Where(p => keys.Contains(p.VisitorKey) && inboxIds.Contains(p.InboxId))
                .OrderBy(p => p.CreatedAt).ToListAsync(cancellationToken))
            .Where(p => visitors.Any(v => v.InboxId == p.InboxId && v.VisitorKey == p.VisitorKey))
            .Select(p => new { p.InboxId, p.VisitorKey, p.CampaignId, p.Text, p.CreatedAt, p.ShownAt, p.OpenedAt, p.RepliedAt, p.ConversationId }).ToList());
        json.WriteEndObject();
        return count;
    }

    private static object FileEntry(Attachment a) => new { a.Id, a.FileName, a.ContentType, a.Size, a.CreatedAt, a.UploadedByAgentId, a.UploadedByContactId, File = PathOf(a) };

    /// <summary>Where a file is in the archive: under its id, so two files of one name stay apart.</summary>
    private static string PathOf(Attachment a) => $"attachments/{a.Id}/{a.FileName}";

    private static void Write<T>(Utf8JsonWriter json, string name, T value)
    {
        json.WritePropertyName(name);
        JsonSerializer.Serialize(json, value, Json);
    }

    /// <summary>An object's properties written into the object <paramref name="json"/> has open.</summary>
    private static void WriteFields<T>(Utf8JsonWriter json, T value)
    {
        foreach (var property in JsonSerializer.SerializeToElement(value, Json).EnumerateObject())
        {
            property.WriteTo(json);
        }
    }
}
