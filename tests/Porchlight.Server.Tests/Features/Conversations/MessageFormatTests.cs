using Bunit;
using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Tests.Features.Conversations;

public sealed class MessageFormatTests : BunitContext
{
    [Fact]
    public void Inlines_BoldTextAndALinkWithUnderscores_BoldAndTheWholeLink()
    {
        var pieces = MessageFormat.Inlines("**Free** returns: see https://example.com/a_b_c");

        Assert.Equal(
            [
                new Inline(InlineKind.Strong, Children: [new Inline(InlineKind.Text, "Free")]),
                new Inline(InlineKind.Text, " returns: see "),
                new Inline(InlineKind.Link, "https://example.com/a_b_c", "https://example.com/a_b_c"),
            ],
            pieces, new InlineComparer());
    }

    [Theory]
    [InlineData("snake_case_words stay")]
    [InlineData("** not bold ** and * not italic *")]
    [InlineData("2 * 3 = 6 and a_b")]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("an ` unfinished code span")]
    [InlineData("**** and __init__ and ~~~x~~~")]
    public void Inlines_NoFormattingAsTheRulesRead_StaysAsTyped(string text)
    {
        Assert.Equal([new Inline(InlineKind.Text, text)], MessageFormat.Inlines(text), new InlineComparer());
    }

    [Fact]
    public void Inlines_CodeNestingAndStrike_EachAsTyped()
    {
        var pieces = MessageFormat.Inlines("`**raw** https://x.test` then **bold _and italic_** ~~old~~");

        Assert.Equal(
            [
                new Inline(InlineKind.Code, "**raw** https://x.test"),
                new Inline(InlineKind.Text, " then "),
                new Inline(InlineKind.Strong, Children: [new Inline(InlineKind.Text, "bold "), new Inline(InlineKind.Emphasis, Children: [new Inline(InlineKind.Text, "and italic")])]),
                new Inline(InlineKind.Text, " "),
                new Inline(InlineKind.Strike, Children: [new Inline(InlineKind.Text, "old")]),
            ],
            pieces, new InlineComparer());
    }

    [Fact]
    public void Inlines_ThreeStarsAndABoldLink_BoldAroundItalicAndBoldAroundTheWholeLink()
    {
        Assert.Equal(
            [
                new Inline(InlineKind.Strong, Children: [new Inline(InlineKind.Emphasis, Children: [new Inline(InlineKind.Text, "both")])]),
                new Inline(InlineKind.Text, " "),
                new Inline(InlineKind.Strong, Children: [new Inline(InlineKind.Link, "https://example.com/", "https://example.com/")]),
            ],
            MessageFormat.Inlines("***both*** **https://example.com/**"), new InlineComparer());
    }

    [Fact]
    public void Parse_LinesStartingWithADash_BecomeOneListBetweenTextBlocks()
    {
        var blocks = MessageFormat.Parse("You can:\n- return it\n* exchange it\nThanks!");

        Assert.Equal([false, true, false], blocks.Select(b => b.IsList));
        Assert.Equal(2, blocks[1].Lines.Count);
        Assert.Equal("exchange it", Assert.Single(blocks[1].Lines[1]).Text);
    }

    [Fact]
    public void Plain_FormattedText_KeepsTheWordsWithoutTheMarks()
    {
        Assert.Equal("Yes, see https://x.test/a_b\norder one size up\nRETURN-7",
            MessageFormat.Plain("**Yes**, see https://x.test/a_b\n- order _one_ size up\n- `RETURN-7`"));
    }

    [Fact]
    public void MessageText_ScriptPayloadAndFormatting_RendersTagsOnlyForTheFormatting()
    {
        var text = Render<MessageText>(p => p.Add(m => m.Text, "**Hi** <img src=x onerror=alert(1)>\n- one\n- two"));

        Assert.Equal("Hi", text.Find("strong").TextContent);
        Assert.Empty(text.FindAll("img"));
        Assert.Contains("<img src=x onerror=alert(1)>", text.Markup.Replace("&lt;", "<", StringComparison.Ordinal).Replace("&gt;", ">", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(["one", "two"], text.FindAll("ul.pl-text-list li").Select(li => li.TextContent));
    }

    [Fact]
    public void MessageText_EmptyLineBeforeAList_KeepsTheEmptyLine()
    {
        var text = Render<MessageText>(p => p.Add(m => m.Text, "Options:\n\n- one"));

        Assert.StartsWith("Options:\n\n<ul", text.Markup, StringComparison.Ordinal);
    }

    // Records compare their child lists by reference; this compares them by content.
    private sealed class InlineComparer : IEqualityComparer<Inline>
    {
        public bool Equals(Inline? x, Inline? y) =>
            x is not null && y is not null && x.Kind == y.Kind && x.Text == y.Text && x.Href == y.Href
            && (x.Children ?? []).SequenceEqual(y.Children ?? [], this);

        public int GetHashCode(Inline obj) => HashCode.Combine(obj.Kind, obj.Text);
    }
}
