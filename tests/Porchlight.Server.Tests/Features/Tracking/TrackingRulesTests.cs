using System.Net;
using System.Text.Json;
using Porchlight.Server.Features.Tracking;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Tests.Features.Tracking;

/// <summary>The tracker's rules that need no server: visits, privacy of addresses, settings, page trails.</summary>
public sealed class TrackingRulesTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private static readonly DateTime Noon = new(2026, 12, 2, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Sessionizer_EventsWithin30Minutes_ContinueOneVisitAndALaterOneBeginsAnother()
    {
        var sessionizer = new Sessionizer();
        var inbox = Guid.NewGuid();

        var first = sessionizer.SessionFor(inbox, "c_visitor", Noon);
        var soon = sessionizer.SessionFor(inbox, "c_visitor", Noon.AddMinutes(29));
        var stillSoon = sessionizer.SessionFor(inbox, "c_visitor", Noon.AddMinutes(58)); // 29 minutes after the previous event
        var later = sessionizer.SessionFor(inbox, "c_visitor", Noon.AddMinutes(89));
        var someoneElse = sessionizer.SessionFor(inbox, "c_other", Noon.AddMinutes(89));

        Assert.Equal(first, soon);
        Assert.Equal(first, stillSoon);
        Assert.NotEqual(first, later);
        Assert.NotEqual(later, someoneElse);
    }

    [Fact]
    public void Sessionizer_Sweep_ForgetsOnlyEndedVisits()
    {
        var sessionizer = new Sessionizer();
        var inbox = Guid.NewGuid();
        sessionizer.SessionFor(inbox, "c_gone", Noon);
        var active = sessionizer.SessionFor(inbox, "c_here", Noon.AddMinutes(20));

        sessionizer.Sweep(Noon.AddMinutes(40));

        Assert.Equal(1, sessionizer.Count);
        Assert.Equal(active, sessionizer.SessionFor(inbox, "c_here", Noon.AddMinutes(41)));
    }

    [Theory]
    [InlineData("203.0.113.77", "203.0.113.0")]
    [InlineData("::ffff:203.0.113.77", "203.0.113.0")]
    [InlineData("2001:db8:85a3:1234:8a2e:370:7334:1", "2001:db8:85a3::")]
    public void Truncate_Address_KeepsOnlyTheNetworkPart(string address, string expected)
    {
        Assert.Equal(expected, DailySalts.Truncate(IPAddress.Parse(address)));
    }

    [Fact]
    public void Hash_SameSalt_MatchesAndAnotherDaysSaltDoesNot()
    {
        var today = DailySalt.For(DateOnly.FromDateTime(Noon)).Value;
        var tomorrow = DailySalt.For(DateOnly.FromDateTime(Noon).AddDays(1)).Value;

        var once = DailySalts.Hash(today, "h_", "203.0.113.77");
        var again = DailySalts.Hash(today, "h_", "203.0.113.77");
        var nextDay = DailySalts.Hash(tomorrow, "h_", "203.0.113.77");

        Assert.Equal(once, again);
        Assert.NotEqual(once, nextDay);
        Assert.DoesNotContain("203", once, StringComparison.Ordinal);
        Assert.Matches("^h_[A-Za-z0-9_-]{22}$", once);
    }

    [Fact]
    public void TrackingSettings_Merge_NormalizesOriginsAndRefusesWhatIsNotOne()
    {
        var errors = new FieldErrors();

        var merged = TrackingSettings.Merge(
            new TrackingSettingsDto(AllowedOrigins: ["HTTPS://Shop.Example:443/", "http://localhost:8080", "https://shop.example"]), TrackingSettings.Default, errors);
        var refused = new FieldErrors();
        TrackingSettings.Merge(new TrackingSettingsDto(AllowedOrigins: ["https://shop.example/checkout"]), TrackingSettings.Default, refused);

        Assert.False(errors.Any);
        Assert.Equal(["https://shop.example", "http://localhost:8080"], merged.AllowedOrigins);
        Assert.True(merged.Allows("https://shop.example"));
        Assert.False(merged.Allows("https://evil.example"));
        Assert.False(merged.Allows(null));
        Assert.True(TrackingSettings.Default.Allows(null));
        Assert.True(refused.Any);
    }

    [Fact]
    public void TrackingSettings_StoredDefault_IsWhatTheMigrationFillsIn()
    {
        // Inboxes that existed before tracking settings got this value from the migration.
        const string Migrated = """{"mode":"On","requireConsent":false,"keptQueryParameters":[],"ipAddresses":"Truncated","allowedOrigins":[],"retentionDays":396}""";

        Assert.Equal(Migrated, JsonSerializer.Serialize(TrackingSettings.Default, Web));
        Assert.Equal(TrackingSettings.Default.Mode, JsonSerializer.Deserialize<TrackingSettings>(Migrated, Web)!.Mode);
    }

    [Fact]
    public void TrackedPage_Read_DropsTheQueryButKeptParametersAndReadsUtm()
    {
        var page = TrackedPage.Read("https://shop.example/list?utm_source=mail&token=secret&page=3#top", ["page"])!;

        Assert.Equal("https://shop.example/list?page=3", page.Address);
        Assert.Equal("mail", page.Utm("utm_source"));
        Assert.Null(page.Utm("utm_medium"));
        Assert.Equal("https://shop.example/list", TrackedPage.Read("https://shop.example/list?page=3")!.Address);
    }

    [Fact]
    public void Steps_LeavesLateOrMissing_TimeInViewFromTheLeavesElseUntilTheNextPage()
    {
        var site = new TrackingSite(Guid.NewGuid(), Guid.NewGuid(), TrackingSettings.Default);
        TrackedEvent At(int second, TrackerEvent reported) =>
            TrackedEvent.From(site, "v_12345678", "s_12345678", UserAgents.Read(""), reported, Noon.AddSeconds(second));
        var events = new List<TrackedEvent>
        {
            At(0, new TrackerEvent("pageview", "https://shop.example/a", "A", null, null, null, null, null, null, null)),
            At(5, new TrackerEvent("leave", "https://shop.example/a", null, null, null, null, null, null, null, 4000)),
            At(9, new TrackerEvent("pageview", "https://shop.example/b", "B", null, null, null, null, null, null, null)),
            At(20, new TrackerEvent("pageview", "https://shop.example/c", "C", null, null, null, null, null, null, null)),
            At(21, new TrackerEvent("leave", "https://shop.example/a", null, null, null, null, null, null, null, 1000)), // a late leave of a
            At(25, new TrackerEvent("event", null, null, null, "signup", new() { ["plan"] = "pro" }, null, null, null, null)),
        };

        var steps = ContactActivityQuery.Steps(events);

        Assert.Equal(["A", "B", "C", null], steps.Select(s => s.Title));
        Assert.Equal(5000, steps[0].DurationMs); // both stretches in view of a
        Assert.Equal(11_000, steps[1].DurationMs); // no leave: until c was viewed
        Assert.Null(steps[2].DurationMs); // still in view
        Assert.Equal(("event", "signup"), (steps[3].Kind, steps[3].Name));
    }
}
