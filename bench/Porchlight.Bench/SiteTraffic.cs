using Porchlight.Server.Features.Tracking;

namespace Porchlight.Bench;

/// <summary>The rows of one UTC day: its page views (in the order they happened) and the visits begun on it.</summary>
internal sealed record DayOfTraffic(DateOnly Day, List<TrackedEvent> Events, List<TrackedSession> Sessions);

/// <summary>
/// Made-up but plausible traffic of one site over whole UTC days, as the tracking writer would have stored it: every
/// page view a <see cref="TrackedEvent"/> made by <see cref="TrackedEvent.From"/> from what the tracker reports, and each
/// visit's <see cref="TrackedSession"/> and each browser's <see cref="TrackedVisitor"/> kept up to date by the same
/// domain methods the writer calls (Begin, Began, Saw), so a visit's page views, entry and exit page and times agree
/// with its events. The shape: weekdays busier than weekends and afternoons than nights (UTC), visits of about four
/// page views (geometric), about 30% of visits by a returning browser, about 2,000 pages, about 300 referring hosts and
/// direct visits, a few UTM campaigns, common browsers on desktop and mobile, a country for 70% of browsers (the rest as
/// without a GeoIP database). Seeded, so two runs generate the same traffic.
/// </summary>
internal sealed class SiteTraffic
{
    private const double PageViewsPerVisit = 4;
    private const int MaxPageViewsPerVisit = 60;
    private const double ReturningShare = 0.3;
    private const double MeanSecondsOnPage = 45;

    // UTC hours: a European and American audience, quiet at night in both.
    private static readonly double[] Hours =
        [0.35, 0.28, 0.22, 0.2, 0.22, 0.3, 0.45, 0.65, 0.85, 1.0, 1.05, 1.08, 1.1, 1.15, 1.2, 1.22, 1.18, 1.1, 1.0, 0.95, 0.9, 0.8, 0.65, 0.48];

    private static readonly Dictionary<DayOfWeek, double> Weekdays = new()
    {
        [DayOfWeek.Monday] = 1.08, [DayOfWeek.Tuesday] = 1.1, [DayOfWeek.Wednesday] = 1.07, [DayOfWeek.Thursday] = 1.04,
        [DayOfWeek.Friday] = 0.95, [DayOfWeek.Saturday] = 0.72, [DayOfWeek.Sunday] = 0.78,
    };

    private static readonly (string UserAgent, double Weight)[] Agents =
    [
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", 28),
        ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", 20),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", 18),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", 8),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", 7),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", 6),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", 6),
        ("Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36", 3),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", 2),
        ("Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", 2),
    ];

    private static readonly (string Code, string Language, string TimeZone, double Weight)[] Countries =
    [
        ("US", "en-US", "America/New_York", 25), ("DE", "de-DE", "Europe/Berlin", 14), ("GB", "en-GB", "Europe/London", 10),
        ("FR", "fr-FR", "Europe/Paris", 7), ("IN", "en-IN", "Asia/Kolkata", 6), ("NL", "nl-NL", "Europe/Amsterdam", 5),
        ("CA", "en-CA", "America/Toronto", 5), ("BR", "pt-BR", "America/Sao_Paulo", 4), ("ES", "es-ES", "Europe/Madrid", 4),
        ("IT", "it-IT", "Europe/Rome", 4), ("PL", "pl-PL", "Europe/Warsaw", 3), ("AU", "en-AU", "Australia/Sydney", 3),
        ("JP", "ja-JP", "Asia/Tokyo", 3), ("SE", "sv-SE", "Europe/Stockholm", 2), ("CH", "de-CH", "Europe/Zurich", 2),
        ("AT", "de-AT", "Europe/Vienna", 2), ("MX", "es-MX", "America/Mexico_City", 2), ("DK", "da-DK", "Europe/Copenhagen", 1),
        ("NO", "nb-NO", "Europe/Oslo", 1), ("IE", "en-IE", "Europe/Dublin", 1),
    ];

    // Source, medium, campaign, and the referrer such a link arrives with.
    private static readonly (string Source, string Medium, string Campaign, string? Referrer)[] Campaigns =
    [
        ("newsletter", "email", "winter-sale", null),
        ("newsletter", "email", "spring-launch", null),
        ("facebook", "social", "spring-launch", "https://l.facebook.com/"),
        ("google", "cpc", "brand-search", "https://www.google.com/"),
        ("partner-blog", "referral", "affiliate-2026", "https://partner-blog.example/reviews/best-tents"),
    ];

    private static readonly string[] WellKnownReferrers =
    [
        "www.google.com", "www.bing.com", "duckduckgo.com", "www.ecosia.org", "search.yahoo.com", "t.co", "www.facebook.com", "l.instagram.com",
        "www.reddit.com", "news.ycombinator.com", "www.linkedin.com", "www.youtube.com", "www.pinterest.com", "chatgpt.com", "www.startpage.com",
    ];

    private readonly Random _random;
    private readonly TrackingSite _site;
    private readonly (string Url, string Title)[] _pages;
    private readonly Weighted _pageRanks;
    private readonly string[] _referrers;
    private readonly Weighted _referrerRanks;
    private readonly Weighted _hours = new(Hours);
    private readonly Weighted _agents = new([.. Agents.Select(a => a.Weight)]);
    private readonly Weighted _countries = new([.. Countries.Select(c => c.Weight)]);
    private readonly UserAgentFacts[] _software = [.. Agents.Select(a => UserAgents.Read(a.UserAgent))];
    private readonly List<Browser> _browsers = [];
    private readonly long[] _budgets;
    private List<TrackedEvent> _later = [];

    public SiteTraffic(TrackingSite site, DateOnly firstDay, int days, long events, int seed = 2026)
    {
        _site = site;
        _random = new Random(seed);
        FirstDay = firstDay;
        _pages = Pages(2_000);
        _pageRanks = Weighted.Zipf(_pages.Length, 1.0);
        _referrers = [.. WellKnownReferrers, .. Enumerable.Range(0, 300 - WellKnownReferrers.Length).Select(i => (i % 3) switch
        {
            0 => $"blog-{i}.example",
            1 => $"forum-{i}.example.org",
            _ => $"news-{i}.example.net",
        })];
        _referrerRanks = Weighted.Zipf(_referrers.Length, 1.2);

        // Each day's share of the page views: its weekday, a slow growth, and some noise; the last day takes the rounding.
        var weights = Enumerable.Range(0, days)
            .Select(d => Weekdays[firstDay.AddDays(d).DayOfWeek] * (1 + 0.004 * d) * (0.95 + 0.1 * _random.NextDouble())).ToArray();
        _budgets = [.. weights.Select(w => (long)Math.Round(events * w / weights.Sum()))];
        _budgets[^1] = events - _budgets[..^1].Sum();
    }

    public DateOnly FirstDay { get; }

    public DateOnly LastDay => FirstDay.AddDays(_budgets.Length - 1);

    /// <summary>Every browser seen, in its final state: insert them once the last day was generated.</summary>
    public IEnumerable<TrackedVisitor> Visitors => _browsers.Select(b => b.Row);

    public int VisitorCount => _browsers.Count;

    /// <summary>The days in order. A visit that runs past midnight has its later page views in the next day's rows.</summary>
    public IEnumerable<DayOfTraffic> Days()
    {
        for (var d = 0; d < _budgets.Length; d++)
        {
            var day = FirstDay.AddDays(d);
            var start = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            var end = start.AddDays(1);
            var events = _later;
            var sessions = new List<TrackedSession>();

            // Visit lengths first, to know how many visits there are; then their start times in order, so each
            // browser's visits are generated in the order they happen (a returning visit comes after the last one).
            var lengths = new List<int>();
            for (long left = _budgets[d]; left > 0; left -= lengths[^1])
            {
                lengths.Add((int)Math.Min(left, Geometric()));
            }

            var starts = lengths.Select(_ => StartTime(start)).Order().ToList();
            var periodEnd = LastDay.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            for (var i = 0; i < lengths.Count; i++)
            {
                sessions.Add(Visit(starts[i], lengths[i], periodEnd, events));
            }

            events.Sort((a, b) => a.ReceivedAt.CompareTo(b.ReceivedAt));
            var split = events.FindIndex(e => e.ReceivedAt >= end);
            _later = split < 0 ? [] : events.GetRange(split, events.Count - split);
            yield return new DayOfTraffic(day, split < 0 ? events : events.GetRange(0, split), sessions);
        }
    }

    /// <summary>One visit from its first page view on, with the writer's bookkeeping for each event.</summary>
    private TrackedSession Visit(DateTime start, int pageViews, DateTime periodEnd, List<TrackedEvent> events)
    {
        var browser = Returning(start) ?? NewBrowser(start);
        var campaign = _random.NextDouble() < 0.08 ? Campaigns[_random.Next(Campaigns.Length)] : default;
        var referrer = campaign.Source is not null ? campaign.Referrer
            : _random.NextDouble() < (browser.Row.Visits > 0 ? 0.6 : 0.4) ? null
            : Referrer();
        var sessionKey = Key();

        // Time on each page; a visit that would run past the period's end is squeezed into what is left of it.
        var gaps = Enumerable.Range(0, pageViews - 1)
            .Select(_ => Math.Min(25 * 60, 2 - MeanSecondsOnPage * Math.Log(1 - _random.NextDouble()))).ToArray();
        var length = gaps.Sum();
        var room = (periodEnd - start).TotalSeconds - 1;
        var squeeze = length > room ? room / length : 1;

        TrackedSession? visit = null;
        var at = start;
        string? previous = null;
        for (var i = 0; i < pageViews; i++)
        {
            if (i > 0)
            {
                at = at.AddSeconds(gaps[i - 1] * squeeze);
            }

            var (url, title) = _pages[_pageRanks.Pick(_random)];
            if (i == 0 && campaign.Source is not null)
            {
                url += $"?utm_source={campaign.Source}&utm_medium={campaign.Medium}&utm_campaign={campaign.Campaign}";
            }

            // After the first page, the browser reports the previous page of the site as the referrer.
            var reported = new TrackerEvent("pageview", url, title, i == 0 ? referrer : previous, null, null, browser.Screen, browser.Language, browser.TimeZone, null);
            var done = TrackedEvent.From(_site, browser.Row.VisitorKey, sessionKey, _software[browser.Agent], reported, at, at.AddMilliseconds(-_random.Next(20, 400)));
            if (visit is null)
            {
                visit = TrackedSession.Begin(done, isReturning: browser.Row.Visits > 0, browser.IpAddress, browser.Country);
                browser.Row.Began(done);
            }

            visit.Saw(done);
            events.Add(done);
            previous = done.Url;
        }

        browser.LastSeenAt = visit!.LastSeenAt;
        return visit;
    }

    /// <summary>A browser that visited before and is not in a visit now, for about 30% of visits.</summary>
    private Browser? Returning(DateTime start)
    {
        if (_browsers.Count == 0 || _random.NextDouble() >= ReturningShare)
        {
            return null;
        }

        for (var attempt = 0; attempt < 4; attempt++)
        {
            var browser = _browsers[_random.Next(_browsers.Count)];
            if (browser.LastSeenAt < start.AddMinutes(-30))
            {
                return browser;
            }
        }

        return null;
    }

    private Browser NewBrowser(DateTime start)
    {
        var agent = _agents.Pick(_random);
        var place = _random.NextDouble() < 0.7 ? Countries[_countries.Pick(_random)] : default;
        var screen = _software[agent].Device switch
        {
            "Mobile" => _random.NextDouble() < 0.5 ? "390x844" : "412x915",
            "Tablet" => "820x1180",
            _ => _random.NextDouble() < 0.6 ? "1920x1080" : "1536x864",
        };
        var browser = new Browser(
            TrackedVisitor.Create(_site.WorkspaceId, _site.InboxId, Key(), start), agent, place.Code, place.Language ?? "en-US", place.TimeZone ?? "America/New_York",
            screen, $"{_random.Next(1, 224)}.{_random.Next(256)}.{_random.Next(256)}.0");
        _browsers.Add(browser);
        return browser;
    }

    private string Referrer()
    {
        var host = _referrers[_referrerRanks.Pick(_random)];
        return host.EndsWith(".example", StringComparison.Ordinal) || host.EndsWith(".org", StringComparison.Ordinal) || host.EndsWith(".net", StringComparison.Ordinal)
            ? $"https://{host}/posts/{_random.Next(40)}"
            : $"https://{host}/";
    }

    private DateTime StartTime(DateTime day) =>
        day.AddHours(_hours.Pick(_random)).AddMilliseconds(_random.NextDouble() * 3_600_000);

    private int Geometric() =>
        Math.Min(MaxPageViewsPerVisit, 1 + (int)Math.Floor(Math.Log(1 - _random.NextDouble()) / Math.Log(1 - 1 / PageViewsPerVisit)));

    /// <summary>An id as the tracker makes them: 22 characters of A–Z, a–z, 0–9, - and _.</summary>
    private string Key()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The home page and a few fixed pages first (the most viewed), then products, posts and help articles.</summary>
    private (string Url, string Title)[] Pages(int count)
    {
        string[] fixedPages = ["", "products", "pricing", "cart", "checkout", "about", "contact", "help", "blog", "login"];
        var rest = Enumerable.Range(0, count - fixedPages.Length).Select(i => (i % 4) switch
        {
            0 => ($"products/tents/item-{i}", $"Tent {i}"),
            1 => ($"products/backpacks/item-{i}", $"Backpack {i}"),
            2 => ($"blog/post-{i}", $"Journal: trip report {i}"),
            _ => ($"help/article-{i}", $"Help: question {i}"),
        }).ToArray();
        _random.Shuffle(rest);
        return [.. fixedPages.Select(p => (p, p.Length == 0 ? "Home" : char.ToUpperInvariant(p[0]) + p[1..])).Concat(rest)
            .Select(p => ($"https://shop.example/{p.Item1}", $"{p.Item2} – Acme Outdoor"))];
    }

    /// <summary>Picks an index with the given weights: a binary search of the running sums (10M picks of 2,000 pages).</summary>
    private sealed class Weighted
    {
        private readonly double[] _sums;

        public Weighted(double[] weights)
        {
            _sums = new double[weights.Length];
            var sum = 0d;
            for (var i = 0; i < weights.Length; i++)
            {
                _sums[i] = sum += weights[i];
            }
        }

        /// <summary>Rank r (from 1) weighs 1/r^exponent: a few pages or hosts get most of the traffic, and a long tail the rest.</summary>
        public static Weighted Zipf(int count, double exponent) => new([.. Enumerable.Range(1, count).Select(rank => 1 / Math.Pow(rank, exponent))]);

        public int Pick(Random random)
        {
            var index = Array.BinarySearch(_sums, random.NextDouble() * _sums[^1]);
            return Math.Min(index < 0 ? ~index : index + 1, _sums.Length - 1);
        }
    }

    /// <summary>A browser: its visitor row, what stays the same across its visits, and when its latest visit ended.</summary>
    private sealed record Browser(TrackedVisitor Row, int Agent, string? Country, string Language, string TimeZone, string Screen, string IpAddress)
    {
        public DateTime LastSeenAt { get; set; }
    }
}
