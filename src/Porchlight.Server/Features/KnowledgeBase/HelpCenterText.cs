namespace Porchlight.Server.Features.KnowledgeBase;

/// <summary>
/// The help center's own words in the reader's language (English and German, the languages the widget speaks);
/// a page in any other language uses English. Articles bring their own language.
/// </summary>
public sealed record HelpCenterText(
    string AllCategories,
    string Updated,
    string By,
    string WasThisHelpful,
    string Thanks,
    string Yes,
    string No,
    string RelatedArticles,
    string HowCanWeHelp,
    string MoreArticles,
    string NothingPublished,
    string AllArticles,
    string SearchArticles,
    string Search,
    string TypeToSearch,
    string NoResults,
    string NoArticleMatches,
    string TryOtherWords,
    string BrowseCategories,
    string OneResult,
    string Results,
    string ShowingResultsFor,
    string Languages,
    string Sitemap,
    string AnswersFrom)
{
    public static readonly HelpCenterText English = new(
        "All categories", "Updated", "by", "Was this article helpful?", "Thanks for letting us know.", "Yes", "No", "Related articles",
        "How can we help?", "More articles", "No articles have been published in this language yet.", "All {0} articles", "Search articles",
        "Search", "Type a few words to search the articles.", "No results", "No article matches “{0}”.", "Try other words, or", "browse the categories",
        "1 result", "{0} results", "Showing results for", "Languages", "Sitemap", "Answers and guides from {0}.");

    public static readonly HelpCenterText German = new(
        "Alle Kategorien", "Aktualisiert am", "von", "War dieser Artikel hilfreich?", "Danke für Ihre Rückmeldung.", "Ja", "Nein", "Verwandte Artikel",
        "Wie können wir helfen?", "Weitere Artikel", "In dieser Sprache sind noch keine Artikel veröffentlicht.", "Alle {0} Artikel", "Artikel durchsuchen",
        "Suche", "Geben Sie ein paar Wörter ein, um die Artikel zu durchsuchen.", "Keine Ergebnisse", "Kein Artikel passt zu „{0}“.",
        "Versuchen Sie andere Wörter, oder", "stöbern Sie in den Kategorien", "1 Ergebnis", "{0} Ergebnisse", "Ergebnisse für", "Sprachen",
        "Sitemap", "Antworten und Anleitungen von {0}.");

    /// <summary>The words for a page in <paramref name="locale"/> (its primary language decides: "de-AT" reads German).</summary>
    public static HelpCenterText For(string locale) =>
        locale.Split('-')[0].Equals("de", StringComparison.OrdinalIgnoreCase) ? German : English;

    public static string Format(string template, object value) => template.Replace("{0}", value.ToString(), StringComparison.Ordinal);
}
