using Porchlight.Server.Features.KnowledgeBase;

namespace Porchlight.Server.Tests.Features.KnowledgeBase;

public sealed class ArticleVocabularyTests
{
    [Theory]
    [InlineData("password", "password", 0)]
    [InlineData("pasword", "password", 1)]
    [InlineData("passwordd", "password", 1)]
    [InlineData("recieve", "receive", 1)]
    [InlineData("shipping", "shiping", 1)]
    [InlineData("adress", "address", 1)]
    [InlineData("busniess", "business", 1)]
    [InlineData("bussines", "business", 2)]
    [InlineData("refnud", "refund", 1)]
    public void Distance_CommonMisspellings_CountsEachEditAndASwapAsOne(string typed, string word, int edits) =>
        Assert.Equal(edits, ArticleVocabulary.Distance(typed, word, 2));

    [Theory]
    [InlineData("pzzwrd", "password")]
    [InlineData("cat", "catalogue")]
    public void Distance_MoreEditsThanAllowed_AnswersJustOverTheLimit(string typed, string word) =>
        Assert.Equal(2, ArticleVocabulary.Distance(typed, word, 1));

    [Theory]
    [InlineData("pass", true)]
    [InlineData("the", false)]
    [InlineData("2024", false)]
    public void IsCorrectable_ShortWordsAndNumbers_AreTakenAsTyped(string word, bool correctable) =>
        Assert.Equal(correctable, ArticleVocabulary.IsCorrectable(word));
}
