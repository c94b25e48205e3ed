using Porchlight.Server.Data;

namespace Porchlight.Server.Tests.Data;

public sealed class TimeOrderedIdsTests
{
    [Fact]
    public void Next_ManyWithinEachMillisecond_StrictlyIncreaseAsGuidsAndAsText()
    {
        var ids = Enumerable.Range(0, 100_000).Select(_ => TimeOrderedIds.Next()).ToList();

        for (var i = 1; i < ids.Count; i++)
        {
            Assert.True(ids[i - 1].CompareTo(ids[i]) < 0, $"{ids[i - 1]} is not before {ids[i]}");
            Assert.True(string.CompareOrdinal(ids[i - 1].ToString(), ids[i].ToString()) < 0, $"{ids[i - 1]} does not sort before {ids[i]} as text");
        }

        // 100,000 ids take a few milliseconds at most, so many shared a millisecond and had to count up.
        Assert.True(ids.Select(Milliseconds).Distinct().Count() < ids.Count / 10);
    }

    [Fact]
    public void Next_Always_IsAVersion7UuidOfTheCurrentTime()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var id = TimeOrderedIds.Next();
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        Assert.Equal(7, id.Version);
        Assert.Equal(0b10, id.Variant >> 2);
        Assert.InRange(Milliseconds(id), before, after + 1);
    }

    private static long Milliseconds(Guid id) => Convert.ToInt64(id.ToString("N")[..12], 16);
}
