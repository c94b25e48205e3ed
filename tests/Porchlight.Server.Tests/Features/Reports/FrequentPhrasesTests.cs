using Porchlight.Server.Features.Reports;

namespace Porchlight.Server.Tests.Features.Reports;

/// <summary>Frequent phrases: neighbouring words of customers' opening messages, compared between two periods by their share.</summary>
public sealed class FrequentPhrasesTests
{
    [Fact]
    public void In_AMessageWithCommonWordsAccentsAndNumbers_PairsWordsThatSaySomethingWithinEachClause()
    {
        var phrases = FrequentPhrases.In("Hi! My tracking number 48213 doesn't work, the tracking number is wrong. Die Größe passt nicht");

        Assert.Equal(["doesn't work", "grosse passt", "number wrong", "tracking number"], phrases.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Compare_APhraseQuadruplesItsShare_RisingFirstWithItsLatestExamplesTheSteadyOneThenTheOneGone()
    {
        var now = Openings(20, i => i < 8 ? "My discount code!" : i < 10 ? "Where is my parcel going?" : "My delivery address");
        var before = Openings(40, i => i < 4 ? "The discount code, please" : i < 20 ? "Where is my parcel tracking?" : "My delivery address");

        var trends = FrequentPhrases.Compare(now, before);

        Assert.Equal(["discount code", "delivery address", "parcel tracking"], trends.Select(t => t.Phrase));
        var discount = trends[0];
        Assert.Equal((8, 0.4, 4, 0.1, true, false), (discount.Conversations, discount.Share, discount.PreviousConversations, discount.PreviousShare, discount.Rising, discount.Falling));
        Assert.Equal([1, 2, 3], discount.Examples.Select(e => e.Number));
        Assert.False(trends[1].Rising || trends[1].Falling); // half the conversations then and now
        Assert.Equal((0, 16, true), (trends[2].Conversations, trends[2].PreviousConversations, trends[2].Falling));
    }

    [Fact]
    public void Shortened_ALongOpeningOverSeveralLines_OneLineOfAtMost140Characters()
    {
        var shortened = FrequentPhrases.Shortened("First line\n\n" + new string('x', 300));

        Assert.Equal(140, shortened.Length);
        Assert.StartsWith("First line xxx", shortened, StringComparison.Ordinal);
        Assert.EndsWith("…", shortened, StringComparison.Ordinal);
    }

    private static List<ConversationExample> Openings(int count, Func<int, string> text) =>
        [.. Enumerable.Range(0, count).Select(i => new ConversationExample(Guid.NewGuid(), i + 1, text(i)))];
}
