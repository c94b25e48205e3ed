using Porchlight.Server.Data;

namespace Porchlight.Server.Features.KnowledgeBase;

/// <summary>
/// The demo outdoor shop's knowledge base: the questions its customers ask in the demo conversations, answered in
/// published articles under four categories, one translated into German, and its help center published at
/// <c>/help/acme-outdoor</c>.
/// </summary>
public sealed class DemoKnowledgeBase(AppDbContext db, TimeProvider clock)
{
    public const string HelpCenterSlug = "acme-outdoor";

    private sealed record Page(string Category, string Title, string Body, string[]? Related = null);

    private static readonly (string Name, string Description)[] Categories =
    [
        ("Orders & shipping", "Delivery times, costs and tracking."),
        ("Returns & refunds", "Sending something back and getting your money."),
        ("Products & care", "Sizes, warranty and looking after your gear."),
        ("Your account", "Signing in, addresses and payment."),
    ];

    private static readonly Page[] Pages =
    [
        new("Orders & shipping", "Shipping times and costs", """
            We ship from our warehouse in Leipzig every weekday.

            | Destination | Time | Cost |
            |---|---|---|
            | Germany | 1–2 business days | free from €50, otherwise €4.90 |
            | EU | 2–5 business days | €9.90 |
            | Switzerland, UK, Norway | 3–7 business days | €14.90, plus import duties |

            Orders placed before **2 pm** leave the same day. Bulky items such as tents and kayaks can take one extra day.
            """, ["Tracking your order"]),
        new("Orders & shipping", "Tracking your order", """
            As soon as your parcel leaves the warehouse we email you a **tracking link**. You also find it under
            *Account › Orders*.

            If the tracking has not changed for three business days, write to us in the chat with your order number
            (it starts with `AO-`) and we will ask the carrier.
            """, ["Shipping times and costs", "Changing your delivery address"]),
        new("Orders & shipping", "Changing your delivery address", """
            You can change the address while the order shows **Processing**: open *Account › Orders*, choose the order
            and *Edit address*. Once it shows **Shipped** we can no longer change it, but the carrier's tracking page
            lets you pick another delivery day or a parcel shop.
            """),
        new("Returns & refunds", "Returning an item", """
            You have **30 days** from delivery to return anything unused, with its labels.

            1. Open *Account › Orders* and choose *Return items*.
            2. Print the prepaid label (free within the EU).
            3. Drop the parcel at any DHL point.

            Worn or used items can be returned only under the [warranty](warranty-on-our-gear).
            """, ["Refund times", "Exchanging for another size"]),
        new("Returns & refunds", "Refund times", """
            We refund within **5 business days** after your return arrives, to the payment method you used.
            Your bank may need another 2–3 days to show it. Gift cards are refunded as a new gift card.
            """, ["Returning an item"]),
        new("Returns & refunds", "Exchanging for another size", """
            The fastest way to another size is to return the item and place a new order: the new one ships at once,
            and the refund for the first follows when it arrives here. Exchanges by post take about a week longer.
            """, ["Size guide for jackets and boots"]),
        new("Products & care", "Warranty on our gear", """
            Everything we sell has a **2-year warranty**; our own *Acme Trail* tents and jackets have **5 years**.
            The warranty covers faults in material and making, not wear and tear or damage from use.

            Send us photos of the fault and your order number in the chat and we will tell you how to send it in.
            """, ["Caring for a down jacket"]),
        new("Products & care", "Caring for a down jacket", """
            Wash down at 30 °C with a down detergent, on a gentle cycle, then tumble-dry on low heat with two or three
            tennis balls to break up the clumps. Never dry-clean it and never store it compressed.
            """, ["Warranty on our gear"]),
        new("Products & care", "Size guide for jackets and boots", """
            Our jackets follow European sizes and fit true to size with room for a fleece underneath. Boots run half a
            size small: if you are between sizes, take the larger one. Each product page has a table in centimetres.
            """),
        new("Your account", "Resetting your password", """
            Choose *Forgot password?* on the sign-in page and enter your email address. The link we send is valid for
            one hour. No email? Look in your spam folder, or ask us in the chat to send it again.
            """),
        new("Your account", "Payment methods", """
            We accept credit and debit cards (Visa, Mastercard, American Express), PayPal, Klarna invoice and
            Apple Pay. Your card is charged when the order ships, not when you place it.
            """),
        new("Your account", "Gift cards", """
            Gift cards are valid for three years and can be used online and in our stores. Enter the code at checkout;
            any remaining balance stays on the card.
            """, ["Payment methods"]),
    ];

    private const string ReturnsInGerman = """
        Sie haben **30 Tage** ab Lieferung Zeit, unbenutzte Artikel mit Etikett zurückzusenden.

        1. Öffnen Sie *Konto › Bestellungen* und wählen Sie *Artikel zurücksenden*.
        2. Drucken Sie das kostenlose Rücksendeetikett aus.
        3. Geben Sie das Paket bei einer DHL-Filiale ab.
        """;

    /// <returns>How many articles were written.</returns>
    public async Task<int> SeedAsync(Guid workspaceId, Guid authorId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var categories = new Dictionary<string, ArticleCategory>();
        foreach (var (name, description) in Categories)
        {
            var category = ArticleCategory.Create(workspaceId, categories.Count + 1);
            category.Change(name, Articles.SlugFrom(name), description);
            categories[name] = category;
            db.ArticleCategories.Add(category);
        }

        var articles = new Dictionary<string, Article>();
        foreach (var page in Pages)
        {
            articles[page.Title] = Article.Create(workspaceId, null, authorId, now);
        }

        foreach (var page in Pages)
        {
            var article = articles[page.Title];
            article.Change(categories[page.Category].Id, Articles.DefaultLocale, page.Title, Articles.SlugFrom(page.Title), "", page.Body,
                ArticleStatus.Published, (page.Related ?? []).Select(r => articles[r].Id), authorId, now);
            db.Articles.Add(article);
        }

        var returns = articles["Returning an item"];
        var german = Article.Create(workspaceId, returns.Id, authorId, now);
        german.Change(returns.CategoryId, "de", "Einen Artikel zurücksenden", "einen-artikel-zurucksenden", "", ReturnsInGerman,
            ArticleStatus.Published, [], authorId, now);
        db.Articles.Add(german);

        var helpCenter = HelpCenter.Create(workspaceId);
        helpCenter.Change(HelpCenterSlug, "Acme Outdoor Help Center", "#2e7d32", "", Articles.DefaultLocale, isPublished: true, now);
        db.HelpCenters.Add(helpCenter);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var article in articles.Values.Append(german))
        {
            await ArticleVocabulary.AddAsync(db, workspaceId, $"{article.Title} {article.PlainText}", cancellationToken);
        }

        return articles.Count + 1;
    }
}
