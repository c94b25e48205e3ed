using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Features.Attachments;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Attachments;

/// <summary>Attachment files leave the disk with their rows: when an inbox goes, and when an upload is never sent.</summary>
public abstract class AttachmentCleanupTests(PorchlightFactory factory, ShiftedClock clock) : ApiTestBase(factory)
{
    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n");

    [Fact]
    public async Task DeleteInbox_WithConversationsAndUploads_RemovesTheirFilesAndOnlyTheirs()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (inboxId, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var (_, keptInboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner, "Shop chat");
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        using var other = await TestVisitor.StartAsync(Factory, keptInboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Files");
        var sent = await SendFileAsync(visitor, conversationId);
        var unsent = await UploadAsync(visitor, $"/widget/v1/conversations/{conversationId}/attachments");
        var beforeConversation = await UploadAsync(visitor, "/widget/v1/attachments");
        var kept = await UploadAsync(other, "/widget/v1/attachments");

        await owner.DeleteAsync($"/api/v1/inboxes/{inboxId}", Ct).ExpectAsync(HttpStatusCode.NoContent);

        Assert.Equal([kept.IdOf()], StoredIds(workspace.WorkspaceId));
        foreach (var gone in new[] { sent, unsent, beforeConversation })
        {
            await visitor.Http.GetAsync(PathOf(gone), Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        }
    }

    [Fact]
    public async Task Sweep_UploadsNeverSent_RemovedWithTheirFilesOnceTheyAreADayOld()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Files");
        var sent = await SendFileAsync(visitor, conversationId);
        var unsent = await UploadAsync(visitor, $"/widget/v1/conversations/{conversationId}/attachments");
        var beforeConversation = await UploadAsync(visitor, "/widget/v1/attachments");
        var sweeper = Factory.Services.GetRequiredService<AttachmentSweeper>();

        clock.Advance(TimeSpan.FromHours(23));
        await sweeper.SweepAsync(Ct);
        Assert.Equal(new[] { sent.IdOf(), unsent.IdOf(), beforeConversation.IdOf() }.Order(), StoredIds(workspace.WorkspaceId));

        clock.Advance(TimeSpan.FromHours(2));
        await sweeper.SweepAsync(Ct);

        Assert.Equal([sent.IdOf()], StoredIds(workspace.WorkspaceId));
        await visitor.Http.PostJsonAsync("/widget/v1/conversations",
            new { clientId = TestVisitor.NewClientId(), text = "", attachmentIds = new[] { beforeConversation.IdOf() } })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "attachmentIds");
        var fresh = (await visitor.MessagesAsync(conversationId)).Last().GetProperty("attachments")[0];
        using var download = await visitor.Http.GetAsync(PathOf(fresh), Ct);
        Assert.Equal(Pdf, await download.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task Sweep_FileWhoseRowIsGone_RemovedOnceItIsADayOld()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, inboxToken);
        var (conversationId, _) = await visitor.StartConversationAsync("Files");
        var sent = await SendFileAsync(visitor, conversationId);
        // A file written just before a crash, whose row was never committed.
        var orphan = Guid.CreateVersion7();
        await Factory.Services.GetRequiredService<IAttachmentStore>().SaveAsync(workspace.WorkspaceId, orphan, new MemoryStream(Pdf), Ct);
        var written = clock.GetUtcNow().UtcDateTime;
        foreach (var path in Directory.GetFiles(Folder(workspace.WorkspaceId)))
        {
            File.SetLastWriteTimeUtc(path, written);
        }

        var sweeper = Factory.Services.GetRequiredService<AttachmentSweeper>();
        await sweeper.SweepAsync(Ct);
        Assert.Contains(orphan, StoredIds(workspace.WorkspaceId));

        clock.Advance(TimeSpan.FromHours(25));
        await sweeper.SweepAsync(Ct);

        Assert.Equal([sent.IdOf()], StoredIds(workspace.WorkspaceId));
    }

    /// <summary>Uploads a file into the conversation and sends it in a message; answers the upload.</summary>
    private static async Task<JsonElement> SendFileAsync(TestVisitor visitor, Guid conversationId)
    {
        var sent = await UploadAsync(visitor, $"/widget/v1/conversations/{conversationId}/attachments");
        await visitor.Http.PostJsonAsync($"/widget/v1/conversations/{conversationId}/messages",
            new { clientId = TestVisitor.NewClientId(), text = "", attachmentIds = new[] { sent.IdOf() } }).ExpectAsync(HttpStatusCode.Created);
        return sent;
    }

    private static async Task<JsonElement> UploadAsync(TestVisitor visitor, string path)
    {
        var file = new ByteArrayContent(Pdf);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        using var form = new MultipartFormDataContent { { file, "file", "invoice.pdf" } };
        return await visitor.Http.PostAsync(path, form, Ct).ExpectAsync(HttpStatusCode.Created);
    }

    private static string PathOf(JsonElement attachment) => new Uri(attachment.Text("url")!).PathAndQuery;

    private string Folder(Guid workspaceId) => Path.Combine(Factory.AttachmentsPath, workspaceId.ToString("N"));

    private List<Guid> StoredIds(Guid workspaceId) =>
        Directory.Exists(Folder(workspaceId)) ? [.. Directory.GetFiles(Folder(workspaceId)).Select(f => Guid.ParseExact(Path.GetFileName(f), "N")).Order()] : [];
}

public sealed class AttachmentCleanupSqliteTests(SqliteClockFixture fixture)
    : AttachmentCleanupTests(fixture.Factory, fixture.Clock), IClassFixture<SqliteClockFixture>;

public sealed class AttachmentCleanupPostgresTests(PostgresClockFixture fixture)
    : AttachmentCleanupTests(fixture.Factory, fixture.Clock), IClassFixture<PostgresClockFixture>;
