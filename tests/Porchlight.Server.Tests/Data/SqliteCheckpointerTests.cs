using System.Buffers.Binary;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Hosting;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Data;

/// <summary>
/// SQLite's write-ahead log stays small while messages keep coming: it starts over from its beginning
/// instead of growing for as long as the stream lasts (which it did, by a gigabyte in 40 seconds under load).
/// </summary>
public sealed class SqliteCheckpointerTests
{
    private const int Senders = 4;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Checkpointer_SteadyStreamOfMessages_LogStartsOverWhileTheyFlow()
    {
        await using var factory = new PorchlightFactory(settings: new Dictionary<string, string?> { ["Security:WidgetRequestsPerMinute"] = "1000000" });
        var workspace = await factory.CreateWorkspaceAsync();
        using var owner = factory.CreateApiClient(workspace.OwnerToken);
        var (_, inboxToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        var chats = new List<(TestVisitor Visitor, Guid ConversationId)>();
        for (var i = 0; i < Senders; i++)
        {
            var visitor = await TestVisitor.StartAsync(factory, inboxToken);
            chats.Add((visitor, (await visitor.StartConversationAsync("Hello")).ConversationId));
        }

        var startsBefore = TimesTheLogStartedOver(factory.SqliteDatabasePath);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var streams = chats.Select(chat => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await chat.Visitor.SendAsync(chat.ConversationId, "Is the blue one back in stock?");
                response.EnsureSuccessStatusCode();
            }
        })).ToList();

        // Every sender keeps the writer busy the whole time; checkpoints run once a second.
        await Eventually.WaitUntilAsync(
            () => streams.Any(s => s.IsFaulted) || TimesTheLogStartedOver(factory.SqliteDatabasePath) >= startsBefore + 3,
            "the log starts over three times while messages keep coming", TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await Task.WhenAll(streams);
        chats.ForEach(c => c.Visitor.Dispose());
    }

    // SQLite counts the times the log started over in bytes 12–15 of the log file's header (big-endian).
    private static uint TimesTheLogStartedOver(string databasePath)
    {
        using var log = new FileStream(databasePath + "-wal", FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        Span<byte> header = stackalloc byte[16];
        log.ReadExactly(header);
        return BinaryPrimitives.ReadUInt32BigEndian(header[12..]);
    }
}
