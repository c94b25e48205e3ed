using System.Net;
using System.Text.Json;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.KnowledgeBase;

/// <summary>
/// Search finds articles by the words in them, best first (title before description before body), as the user
/// types (a word's beginning is enough), with the matches marked in an escaped title and passage; the index
/// follows every save and delete; nothing typed is search syntax. The same on SQLite FTS5 and PostgreSQL.
/// </summary>
public abstract class ArticleSearchTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task Search_WordInOneTitleAndAnotherBody_TitleMatchFirstWithTheWordMarked()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var inBody = await CreateAsync(owner, "Shipping times", "Orders ship in two days. A refund takes five days once we have the parcel.");
        var inTitle = await CreateAsync(owner, "Refund policy", "Thirty days, no questions asked.");
        await CreateAsync(owner, "Opening hours", "Nine to five on weekdays.");

        var hits = await SearchAsync(owner, "refund");

        Assert.Equal([inTitle, inBody], hits.Select(h => h.GetProperty("article").IdOf()));
        Assert.Equal("<mark>Refund</mark> policy", hits[0].Text("titleHtml"));
        Assert.Contains("A <mark>refund</mark> takes five days", hits[1].Text("snippetHtml"), StringComparison.Ordinal);
        Assert.True(hits[0].GetProperty("score").GetDouble() > hits[1].GetProperty("score").GetDouble());
    }

    [Fact]
    public async Task Search_BeginningOfAWordAndSeveralWords_FindsAsTheUserTypesAndNeedsEveryWordFirst()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var both = await CreateAsync(owner, "Returning an order", "Open your orders and choose return.");
        var one = await CreateAsync(owner, "Returning a gift card", "Gift cards cannot be returned.");

        Assert.Equal([both, one], (await SearchAsync(owner, "retu")).Select(h => h.GetProperty("article").IdOf()).Order());
        Assert.Equal([both], (await SearchAsync(owner, "return ord")).Select(h => h.GetProperty("article").IdOf()));
        // No article has both words: any of them will do rather than nothing.
        Assert.Equal([one], (await SearchAsync(owner, "gift warranty")).Select(h => h.GetProperty("article").IdOf()));
    }

    [Fact]
    public async Task Search_ArticleChangedDeletedOrInAnotherWorkspace_FindsOnlyWhatIsThereNow()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, stranger) = await NewWorkspaceAsync("Globex");
        var article = await CreateAsync(owner, "Invoices", "Sent monthly by email.");
        await CreateAsync(stranger, "Invoices for Globex", "Sent monthly by post.");

        await owner.PutJsonAsync($"/api/v1/knowledge-base/articles/{article}", new { title = "Receipts", body = "Sent weekly by email." }).ExpectAsync(HttpStatusCode.OK);

        Assert.Empty(await SearchAsync(owner, "invoices"));
        Assert.Equal([article], (await SearchAsync(owner, "weekly")).Select(h => h.GetProperty("article").IdOf()));
        await owner.DeleteAsync($"/api/v1/knowledge-base/articles/{article}", Ct).ExpectAsync(HttpStatusCode.NoContent);
        Assert.Empty(await SearchAsync(owner, "receipts"));
        Assert.Single(await SearchAsync(stranger, "invoices"));
    }

    [Fact]
    public async Task Search_PublishedOnlyAndALanguage_DraftsAndOtherLanguagesLeftOut()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var published = await CreateAsync(owner, "Warranty", "Two years on everything.", status: "Published");
        await CreateAsync(owner, "Warranty draft", "Three years, maybe.");
        await CreateAsync(owner, "Garantie", "Zwei Jahre warranty.", status: "Published", locale: "de");

        var hits = await SearchAsync(owner, "warranty", "&status=Published&locale=en");

        Assert.Equal([published], hits.Select(h => h.GetProperty("article").IdOf()));
    }

    [Theory]
    [InlineData("\"unbalanced")]
    [InlineData("NEAR(refund policy) AND OR NOT *")]
    [InlineData("refund:* & !policy | (")]
    [InlineData("title:refund ^refund {refund}")]
    [InlineData("   ")]
    public async Task Search_QueryWithSearchSyntax_AnsweredAsWordsNeverAnError(string query)
    {
        var (_, owner) = await NewWorkspaceAsync();
        var article = await CreateAsync(owner, "Refund policy", "Thirty days.");

        var hits = await SearchAsync(owner, query);

        Assert.All(hits, h => Assert.Equal(article, h.GetProperty("article").IdOf()));
    }

    [Fact]
    public async Task Search_MarkupInTheArticle_SnippetShowsItEscaped()
    {
        var (_, owner) = await NewWorkspaceAsync();
        await CreateAsync(owner, "Formatting <b>tips</b>", "Write `<script>` in a code span to show a tag.");

        var hit = Assert.Single(await SearchAsync(owner, "script"));

        Assert.Contains("<mark>script</mark>", hit.Text("snippetHtml"), StringComparison.Ordinal);
        Assert.DoesNotContain("<script", hit.Text("snippetHtml"), StringComparison.Ordinal);
        Assert.Equal("Formatting &lt;b&gt;tips&lt;/b&gt;", hit.Text("titleHtml"));
    }

    [Fact]
    public async Task Search_CommonMisspellings_FindTheRightArticleAndSayWhatWasSearched()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var password = await CreateAsync(owner, "Resetting your password", "Choose Forgot password on the sign-in page.");
        var delivery = await CreateAsync(owner, "When will I receive my parcel?", "Shipping takes two to four business days.");

        var missingLetter = await SearchWholeAsync(owner, "reset pasword");
        var swapped = await SearchWholeAsync(owner, "recieve");
        var twoEditsInALongWord = await SearchWholeAsync(owner, "bussines dyas");

        Assert.Equal([password], missingLetter.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("article").IdOf()));
        Assert.Equal("reset password", missingLetter.Text("correctedQuery"));
        Assert.Contains("<mark>password</mark>", missingLetter.GetProperty("hits")[0].Text("titleHtml"), StringComparison.Ordinal);
        Assert.Equal([delivery], swapped.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("article").IdOf()));
        Assert.Equal("receive", swapped.Text("correctedQuery"));
        Assert.Equal("business days", twoEditsInALongWord.Text("correctedQuery"));
    }

    [Fact]
    public async Task CreateArticle_ManyAtOnceWithTheSameNewWordsInOtherOrders_AllSavedAndTheirWordsCorrectable()
    {
        var (_, owner) = await NewWorkspaceAsync();
        // Six hundred new words ("wordaaa", "wordaab", …), each article naming them all in its own order.
        var words = Enumerable.Range(0, 600).Select(i => $"word{(char)('a' + i / 676)}{(char)('a' + i / 26 % 26)}{(char)('a' + i % 26)}").ToList();

        var created = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => owner.PostJsonAsync("/api/v1/knowledge-base/articles", new
        {
            title = $"Glossary {i}", body = string.Join(' ', words.OrderBy(w => HashCode.Combine(w, i))), status = "Published",
        })));

        Assert.All(created, response => Assert.Equal(HttpStatusCode.Created, response.StatusCode));
        var corrected = await SearchWholeAsync(owner, "wrodaaz");
        Assert.Equal("wordaaz", corrected.Text("correctedQuery"));
        Assert.Equal(10, corrected.GetProperty("hits").GetArrayLength());
    }

    [Fact]
    public async Task Search_WordsSpelledRightOrTooFarOff_SearchedAsTypedWithoutACorrection()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var (_, stranger) = await NewWorkspaceAsync("Globex");
        await CreateAsync(owner, "Resetting your password", "Choose Forgot password on the sign-in page.");
        await CreateAsync(stranger, "Warranty claims", "Send us the serial number.");

        var exact = await SearchWholeAsync(owner, "password");
        var beginning = await SearchWholeAsync(owner, "passw");
        var farOff = await SearchWholeAsync(owner, "pzzwrd");
        // A word only another workspace has is no correction here.
        var foreign = await SearchWholeAsync(owner, "warrenty");

        Assert.Single(exact.GetProperty("hits").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, exact.GetProperty("correctedQuery").ValueKind);
        Assert.Single(beginning.GetProperty("hits").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, beginning.GetProperty("correctedQuery").ValueKind);
        Assert.Empty(farOff.GetProperty("hits").EnumerateArray());
        Assert.Empty(foreign.GetProperty("hits").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, foreign.GetProperty("correctedQuery").ValueKind);
    }

    protected static async Task<Guid> CreateAsync(HttpClient owner, string title, string body, string status = "Draft", string locale = "en") =>
        (await owner.PostJsonAsync("/api/v1/knowledge-base/articles", new { title, body, status, locale }).ExpectAsync(HttpStatusCode.Created))
            .GetProperty("article").IdOf();

    protected static async Task<List<JsonElement>> SearchAsync(HttpClient client, string query, string more = "") =>
        [.. (await client.GetJsonAsync($"/api/v1/knowledge-base/search?q={Uri.EscapeDataString(query)}{more}")).GetProperty("hits").EnumerateArray()];

    private static Task<JsonElement> SearchWholeAsync(HttpClient client, string query) =>
        client.GetJsonAsync($"/api/v1/knowledge-base/search?q={Uri.EscapeDataString(query)}");
}

public sealed class ArticleSearchSqliteTests(SqliteApiFixture fixture) : ArticleSearchTests(fixture.Factory), IClassFixture<SqliteApiFixture>
{
    // SQLite's tokenizer folds accents; PostgreSQL's 'simple' configuration does not (see knowledge-base.md).
    [Fact]
    public async Task Search_WordWithoutItsAccents_FindsTheAccentedOne()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var article = await CreateAsync(owner, "Rückgabe und Umtausch", "Innerhalb von 30 Tagen.", locale: "de");

        Assert.Equal([article], (await SearchAsync(owner, "ruckgabe")).Select(h => h.GetProperty("article").IdOf()));
    }
}

public sealed class ArticleSearchPostgresTests(PostgresApiFixture fixture) : ArticleSearchTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
