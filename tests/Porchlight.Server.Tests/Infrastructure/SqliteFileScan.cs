using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;

namespace Porchlight.Server.Tests.Infrastructure;

/// <summary>Proof that a text never reached the disk: the SQLite database file and its log hold none of its bytes.</summary>
public static class SqliteFileScan
{
    public static async Task AssertHoldsNoneAsync(PorchlightFactory factory, IEnumerable<string> texts, CancellationToken cancellationToken)
    {
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            // Everything in the log is copied into the file and the log emptied, so the file holds every byte written.
            await scope.ServiceProvider.GetRequiredService<AppDbContext>().Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE)", cancellationToken);
        }

        foreach (var path in new[] { factory.SqliteDatabasePath, factory.SqliteDatabasePath + "-wal" }.Where(File.Exists))
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var bytes = new MemoryStream();
            await file.CopyToAsync(bytes, cancellationToken);
            var content = bytes.ToArray();
            Assert.True(content.Length > 0 || path.EndsWith("-wal", StringComparison.Ordinal));
            foreach (var text in texts)
            {
                Assert.True(content.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) < 0, $"{Path.GetFileName(path)} holds '{text}'.");
            }
        }
    }
}
