using System.Net;
using System.Text.Json;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Webhooks;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Contacts;

/// <summary>
/// Contacts as CRM-grade records: agents and integrations add, change, find and tag them, upsert them by external id or
/// email as a CRM sync does, keep notes on them, check attributes against the workspace's definitions, and hear of
/// every contact added or changed by webhook.
/// </summary>
public abstract class ContactsApiTests(PorchlightFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task Contacts_CreateChangeAndFind_DetailsTagsAndSearchAsAgentsExpect()
    {
        var (_, owner) = await NewWorkspaceAsync();
        var created = await owner.PostJsonAsync("/api/v1/contacts", new
        {
            externalId = "crm-1001", email = " Jane.Doe@Example.com ", name = "Jane Doe",
            attributes = new Dictionary<string, string> { ["plan"] = "pro" }, tags = Strings("VIP", "beta", "vip"),
        }).ExpectAsync(HttpStatusCode.Created);
        var id = created.IdOf();
        Assert.Equal(("jane.doe@example.com", "Jane Doe", true, "beta,vip"),
            (created.Text("email"), created.Text("displayName"), created.GetProperty("identified").GetBoolean(), Tags(created)));
        await owner.PostJsonAsync("/api/v1/contacts", new { name = "Joe Bloggs", tags = Strings("beta") }).ExpectAsync(HttpStatusCode.Created);

        Assert.Equal([id], await FindAsync(owner, "q=DOE@example"));
        Assert.Equal([id], await FindAsync(owner, "q=crm-10"));
        Assert.Equal(2, (await FindAsync(owner, "tag=Beta")).Count);
        Assert.Empty(await FindAsync(owner, "tag=gold"));

        // Changed: what is sent changes, what is left out stays, an attribute sent as null goes.
        var changed = await owner.PutJsonAsync($"/api/v1/contacts/{id}", new { name = "Jane Smith", tags = Strings("gold"), attributes = new Dictionary<string, string?> { ["plan"] = null, ["seats"] = "5" } })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(("Jane Smith", "jane.doe@example.com", "crm-1001", "gold"), (changed.Text("name"), changed.Text("email"), changed.Text("externalId"), Tags(changed)));
        Assert.Equal(["seats"], changed.GetProperty("attributes").EnumerateObject().Select(a => a.Name));
        var withConversations = await owner.GetJsonAsync($"/api/v1/contacts/{id}");
        Assert.Equal("gold", Tags(withConversations));

        // Another contact cannot take the external id, and a refused change changes nothing.
        var other = (await owner.PostJsonAsync("/api/v1/contacts", new { email = "other@example.com" }).ExpectAsync(HttpStatusCode.Created)).IdOf();
        await owner.PostJsonAsync("/api/v1/contacts", new { externalId = "crm-1001" }).ExpectFieldErrorAsync(HttpStatusCode.Conflict, "externalId");
        await owner.PutJsonAsync($"/api/v1/contacts/{other}", new { externalId = "crm-1001", name = "Thief" }).ExpectFieldErrorAsync(HttpStatusCode.Conflict, "externalId");
        await owner.PutJsonAsync($"/api/v1/contacts/{other}", new { email = "not-an-address", name = "Thief" }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "email");
        await owner.PutJsonAsync($"/api/v1/contacts/{other}", new { tags = Enumerable.Range(0, 21).Select(i => $"t{i}") }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "tags");
        await owner.PostJsonAsync("/api/v1/contacts", new { tags = Strings("lonely") }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "name");
        Assert.Equal(JsonValueKind.Null, (await owner.GetJsonAsync($"/api/v1/contacts/{other}")).GetProperty("externalId").ValueKind);
        Assert.Equal("other@example.com", (await owner.GetJsonAsync($"/api/v1/contacts/{other}")).Text("name"));

        var (_, stranger) = await NewWorkspaceAsync("Globex");
        await stranger.PutJsonAsync($"/api/v1/contacts/{id}", new { name = "Hijacked" }).ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty(await FindAsync(stranger, "q=jane"));
    }

    [Fact]
    public async Task ContactUpsert_ByEmailThenExternalId_OneContactAsACrmSyncExpects()
    {
        var (_, owner) = await NewWorkspaceAsync();

        var byEmail = await owner.PostJsonAsync("/api/v1/contacts/upsert", new { email = "sam@example.com", name = "Sam" }).ExpectAsync(HttpStatusCode.Created);
        var withId = await owner.PostJsonAsync("/api/v1/contacts/upsert", new { externalId = "crm-7", email = "SAM@example.com", tags = Strings("customer") }).ExpectAsync(HttpStatusCode.OK);
        var renamed = await owner.PostJsonAsync("/api/v1/contacts/upsert", new { externalId = "crm-7", name = "Samantha" }).ExpectAsync(HttpStatusCode.OK);

        var id = byEmail.GetProperty("contact").IdOf();
        Assert.True(byEmail.GetProperty("created").GetBoolean());
        Assert.Equal((id, false, "crm-7"), (withId.GetProperty("contact").IdOf(), withId.GetProperty("created").GetBoolean(), withId.GetProperty("contact").Text("externalId")));
        Assert.Equal((id, "Samantha", "customer"), (renamed.GetProperty("contact").IdOf(), renamed.GetProperty("contact").Text("name"), Tags(renamed.GetProperty("contact"))));
        await owner.PostJsonAsync("/api/v1/contacts/upsert", new { name = "Nobody" }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "externalId");
        Assert.Single(await FindAsync(owner, "q=sam"));
    }

    [Fact]
    public async Task ContactAttributes_Defined_ValuesCheckedStoredInOneFormAndBadOnesChangeNothing()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        await owner.PostJsonAsync("/api/v1/contact-attributes", new { key = "plan", label = "Plan", type = "List", options = Strings("Free", "Pro") }).ExpectAsync(HttpStatusCode.Created);
        await owner.PostJsonAsync("/api/v1/contact-attributes", new { key = "renewal_date", label = "Renewal", type = "Date" }).ExpectAsync(HttpStatusCode.Created);
        await owner.PostJsonAsync("/api/v1/contact-attributes", new { key = "seats", label = "Seats", type = "Number" }).ExpectAsync(HttpStatusCode.Created);
        await owner.PostJsonAsync("/api/v1/contact-attributes", new { key = "vip", label = "VIP", type = "Boolean" }).ExpectAsync(HttpStatusCode.Created);

        var bad = await owner.PostJsonAsync("/api/v1/contacts/upsert", new
        {
            externalId = "crm-9",
            attributes = new Dictionary<string, string> { ["plan"] = "Enterprise", ["renewal_date"] = "31/12/2026", ["seats"] = "many", ["vip"] = "yes" },
        }).ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["attributes.plan", "attributes.renewal_date", "attributes.seats", "attributes.vip"],
            bad.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Equal("Plan is one of: Free, Pro.", bad.GetProperty("errors").GetProperty("attributes.plan")[0].GetString());
        Assert.Empty(await FindAsync(owner, "q=crm-9"));
        var sms = (await owner.PostJsonAsync("/api/v1/inboxes", new { name = "SMS", channel = "Api" }).ExpectAsync(HttpStatusCode.Created)).IdOf();
        await owner.PostJsonAsync($"/api/v1/inboxes/{sms}/conversations", new
        {
            clientId = "sms-1", text = "Hello", contact = new { externalId = "crm-10", attributes = new Dictionary<string, string> { ["plan"] = "Gold" } },
        }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "contact.attributes.plan");
        Assert.Empty(await FindAsync(owner, "q=crm-10"));

        var good = await owner.PostJsonAsync("/api/v1/contacts/upsert", new
        {
            externalId = "crm-9",
            attributes = new Dictionary<string, string> { ["plan"] = "pro", ["renewal_date"] = "2026-12-31", ["seats"] = " 12.50 ", ["vip"] = "TRUE", ["favourite_colour"] = "Teal" },
        }).ExpectAsync(HttpStatusCode.Created);
        var attributes = good.GetProperty("contact").GetProperty("attributes");
        Assert.Equal(("Pro", "2026-12-31", "12.50", "true", "Teal"),
            (attributes.Text("plan"), attributes.Text("renewal_date"), attributes.Text("seats"), attributes.Text("vip"), attributes.Text("favourite_colour")));

        // Definitions: a key and options of their own, a type that stays; only those who manage contacts define them.
        await owner.PostJsonAsync("/api/v1/contact-attributes", new { key = "Plan Name", label = "Plan", type = "Text" }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "key");
        await owner.PostJsonAsync("/api/v1/contact-attributes", new { key = "tier", label = "Tier", type = "List" }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "options");
        await owner.PostJsonAsync("/api/v1/contact-attributes", new { key = "tier", label = "Tier", type = "Text", options = Strings("a") }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "options");
        await owner.PostJsonAsync("/api/v1/contact-attributes", new { key = "plan", label = "Plan again", type = "Text" }).ExpectFieldErrorAsync(HttpStatusCode.Conflict, "key");
        await owner.PutJsonAsync("/api/v1/contact-attributes/seats", new { type = "Text" }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "type");
        var renamed = await owner.PutJsonAsync("/api/v1/contact-attributes/plan", new { label = "Subscription", options = Strings("Free", "Pro", "Enterprise") }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(("Subscription", "List", 3), (renamed.Text("label"), renamed.Text("type"), renamed.GetProperty("options").GetArrayLength()));
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        await agent.PostJsonAsync("/api/v1/contact-attributes", new { key = "region", label = "Region", type = "Text" }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(["plan", "renewal_date", "seats", "vip"], (await agent.GetJsonAsync("/api/v1/contact-attributes")).EnumerateArray().Select(d => d.Text("key")!));

        // A definition removed: the values stay, as free text from now on.
        await owner.DeleteAsync("/api/v1/contact-attributes/seats", Ct).ExpectAsync(HttpStatusCode.NoContent);
        await owner.DeleteAsync("/api/v1/contact-attributes/seats", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        var contactId = good.GetProperty("contact").IdOf();
        var freeText = await owner.PutJsonAsync($"/api/v1/contacts/{contactId}", new { attributes = new Dictionary<string, string> { ["seats"] = "a dozen" } }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(("a dozen", "Pro"), (freeText.GetProperty("attributes").Text("seats"), freeText.GetProperty("attributes").Text("plan")));
    }

    [Fact]
    public async Task ContactExport_FilteredByTag_CsvWithAnAttributeColumnEachFormulasDisarmedAndTheExportRecorded()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var example = (await owner.PostJsonAsync("/api/v1/companies", new { name = "Example Inc" }).ExpectAsync(HttpStatusCode.Created)).IdOf();
        await owner.PostJsonAsync("/api/v1/contact-attributes", new { key = "plan", label = "Plan", type = "List", options = Strings("Free", "Pro") }).ExpectAsync(HttpStatusCode.Created);
        var jane = (await owner.PostJsonAsync("/api/v1/contacts", new
        {
            name = "Doe, Jane", email = "jane@example.com", tags = Strings("vip", "beta"), companyId = example.ToString(), attributes = new Dictionary<string, string> { ["plan"] = "pro", ["comment"] = "=1+2" },
        }).ExpectAsync(HttpStatusCode.Created)).IdOf();
        await owner.PostJsonAsync("/api/v1/contacts", new { name = "Bob", tags = Strings("other") }).ExpectAsync(HttpStatusCode.Created);

        using var response = await owner.GetAsync("/api/v1/contacts/export.csv?tag=vip", Ct);

        Assert.Equal((HttpStatusCode.OK, "text/csv"), (response.StatusCode, response.Content.Headers.ContentType?.MediaType));
        var lines = (await response.Content.ReadAsStringAsync(Ct)).Split("\r\n");
        Assert.Equal(3, lines.Length); // the header, Jane, and the line break after her
        Assert.Equal("id,name,email,externalId,tags,company,createdAt,updatedAt,lastSeenAt,attributes.plan,attributes.comment", lines[0]);
        Assert.StartsWith($"{jane},\"Doe, Jane\",jane@example.com,,beta vip,Example Inc,", lines[1], StringComparison.Ordinal);
        Assert.EndsWith(",Pro,'=1+2", lines[1], StringComparison.Ordinal);
        Assert.Equal("", lines[2]);

        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        await agent.GetAsync("/api/v1/contacts/export.csv", Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);
        var exported = Assert.Single(await owner.ListAllAsync("/api/v1/audit?action=contacts.exported"));
        Assert.Equal(("vip", 1), (exported.GetProperty("changes").Text("tag"), exported.GetProperty("changes").GetProperty("count").GetInt32()));
    }

    [Fact]
    public async Task ContactNotes_WrittenAndRead_DeletedOnlyByTheirAuthorOrSomeoneWhoManagesContacts()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var contactId = (await owner.PostJsonAsync("/api/v1/contacts", new { email = "lee@example.com" }).ExpectAsync(HttpStatusCode.Created)).IdOf();
        var (_, _, ana) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var (_, _, ben) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);

        var first = await ana.PostJsonAsync($"/api/v1/contacts/{contactId}/notes", new { text = "Prefers phone calls." }).ExpectAsync(HttpStatusCode.Created);
        var second = await ben.PostJsonAsync($"/api/v1/contacts/{contactId}/notes", new { text = "  Asked about the annual plan.  " }).ExpectAsync(HttpStatusCode.Created);
        await ana.PostJsonAsync($"/api/v1/contacts/{contactId}/notes", new { text = " " }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "text");
        await ana.PostJsonAsync($"/api/v1/contacts/{Guid.NewGuid()}/notes", new { text = "Lost" }).ExpectProblemAsync(HttpStatusCode.NotFound);

        var notes = (await ben.GetJsonAsync($"/api/v1/contacts/{contactId}/notes")).EnumerateArray().ToList();
        Assert.Equal(["Asked about the annual plan.", "Prefers phone calls."], notes.Select(n => n.Text("text")!));
        await ben.DeleteAsync($"/api/v1/contacts/{contactId}/notes/{first.IdOf()}", Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await ben.DeleteAsync($"/api/v1/contacts/{contactId}/notes/{second.IdOf()}", Ct).ExpectAsync(HttpStatusCode.NoContent);
        await owner.DeleteAsync($"/api/v1/contacts/{contactId}/notes/{first.IdOf()}", Ct).ExpectAsync(HttpStatusCode.NoContent);
        Assert.Empty((await ana.GetJsonAsync($"/api/v1/contacts/{contactId}/notes")).EnumerateArray());
        var (_, stranger) = await NewWorkspaceAsync("Globex");
        await stranger.GetAsync($"/api/v1/contacts/{contactId}/notes", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ContactWebhooks_AddedAnyWayAndChanged_ReportedOnceEachNamingWhatChanged()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await owner.PostJsonAsync("/api/v1/webhooks", new { url = receiver.Url.ToString(), events = new[] { WebhookEvents.ContactCreated, WebhookEvents.ContactUpdated } })
            .ExpectAsync(HttpStatusCode.Created);

        var id = (await owner.PostJsonAsync("/api/v1/contacts", new { email = "kim@example.com", name = "Kim" }).ExpectAsync(HttpStatusCode.Created)).IdOf();
        await owner.PutJsonAsync($"/api/v1/contacts/{id}", new { name = "Kim Lee", tags = Strings("vip") }).ExpectAsync(HttpStatusCode.OK);
        await owner.PutJsonAsync($"/api/v1/contacts/{id}", new { name = "Kim Lee" }).ExpectAsync(HttpStatusCode.OK); // nothing changed
        // A website visitor's first chat adds a contact too.
        var (_, widgetToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, widgetToken);
        await visitor.StartConversationAsync("Hello");

        await receiver.WaitForAsync(3, "the contacts' webhooks");
        await WaitForOutboxAsync(workspace.WorkspaceId);
        var received = receiver.Received.Select(r => r.Json).ToList();
        Assert.Equal(3, received.Count);
        var ofKim = received.Where(r => r.GetProperty("data").GetProperty("contact").IdOf() == id).ToList();
        Assert.Equal([WebhookEvents.ContactCreated, WebhookEvents.ContactUpdated], ofKim.Select(r => r.Text("event")!));
        Assert.Equal(["name", "tags"], ofKim[1].GetProperty("data").GetProperty("changed").EnumerateArray().Select(c => c.GetString()!));
        Assert.Equal(("Kim Lee", "kim@example.com"), (ofKim[1].GetProperty("data").GetProperty("contact").Text("name"), ofKim[1].GetProperty("data").GetProperty("contact").Text("email")));
        var visitorCreated = Assert.Single(received, r => r.GetProperty("data").GetProperty("contact").IdOf() != id);
        Assert.Equal((WebhookEvents.ContactCreated, false), (visitorCreated.Text("event"), visitorCreated.GetProperty("data").GetProperty("contact").GetProperty("identified").GetBoolean()));
    }

    [Fact]
    public async Task Companies_AddedWithADomain_ContactsAtItJoinWhicheverWayTheyComeAndStayWhenItGoes()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var jane = (await owner.PostJsonAsync("/api/v1/contacts", new { name = "Jane", email = "jane@acme.com" }).ExpectAsync(HttpStatusCode.Created)).IdOf();
        var elsewhere = (await owner.PostJsonAsync("/api/v1/contacts", new { name = "Eve", email = "eve@acme.com.evil.test" }).ExpectAsync(HttpStatusCode.Created)).IdOf();
        await WaitForOutboxAsync(workspace.WorkspaceId);
        await owner.PostJsonAsync("/api/v1/webhooks", new { url = receiver.Url.ToString(), events = Strings(WebhookEvents.ContactUpdated) }).ExpectAsync(HttpStatusCode.Created);

        // A company with a domain gathers the contacts at it who are in no company yet.
        var acme = await owner.PostJsonAsync("/api/v1/companies", new { name = "Acme Corp", domain = "@ACME.com", externalId = "acct-1" }).ExpectAsync(HttpStatusCode.Created);
        var acmeId = acme.IdOf();
        Assert.Equal(("acme.com", 1), (acme.Text("domain"), acme.GetProperty("contactCount").GetInt32()));
        Assert.Equal(acmeId.ToString(), (await owner.GetJsonAsync($"/api/v1/contacts/{jane}")).GetProperty("company").Text("id"));

        // Later contacts at the domain join it, however they come (here: a CRM upsert, and the API channel).
        var sam = (await owner.PostJsonAsync("/api/v1/contacts/upsert", new { externalId = "crm-7", email = "Sam@Acme.com" }).ExpectAsync(HttpStatusCode.Created))
            .GetProperty("contact").IdOf();
        var sms = (await owner.PostJsonAsync("/api/v1/inboxes", new { name = "SMS", channel = "Api" }).ExpectAsync(HttpStatusCode.Created)).IdOf();
        await owner.PostJsonAsync($"/api/v1/inboxes/{sms}/conversations", new { clientId = "sms-00001", text = "Hi", contact = new { externalId = "crm-8", email = "lou@acme.com" } })
            .ExpectAsync(HttpStatusCode.Created);
        await WaitForOutboxAsync(workspace.WorkspaceId);
        var members = await FindAsync(owner, $"companyId={acmeId}");
        Assert.Equal(3, members.Count);
        Assert.Contains(sam, members);
        Assert.DoesNotContain(elsewhere, members);
        Assert.Equal("Acme Corp", (await owner.GetJsonAsync($"/api/v1/contacts/{sam}")).GetProperty("company").Text("name"));
        Assert.Equal(3, (await owner.GetJsonAsync($"/api/v1/companies/{acmeId}")).GetProperty("contactCount").GetInt32());
        Assert.Equal([acmeId], (await owner.GetJsonAsync("/api/v1/companies?q=acct")).GetProperty("items").EnumerateArray().Select(c => c.IdOf()));

        // Put in another company by hand, or in none: the domain does not pull them back.
        var globex = (await owner.PostJsonAsync("/api/v1/companies", new { name = "Globex" }).ExpectAsync(HttpStatusCode.Created)).IdOf();
        var moved = await owner.PutJsonAsync($"/api/v1/contacts/{jane}", new { companyId = globex.ToString() }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(globex.ToString(), moved.Text("companyId"));
        var left = await owner.PutJsonAsync($"/api/v1/contacts/{sam}", new { companyId = "", name = "Sam" }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, left.GetProperty("companyId").ValueKind);

        // Deleted: its people stay, in no company, each reported as changed.
        await owner.DeleteAsync($"/api/v1/companies/{globex}", Ct).ExpectAsync(HttpStatusCode.NoContent);
        await WaitForOutboxAsync(workspace.WorkspaceId);
        Assert.Equal(JsonValueKind.Null, (await owner.GetJsonAsync($"/api/v1/contacts/{jane}")).GetProperty("company").ValueKind);
        await receiver.WaitForAsync(6, "the contacts' company changes");
        var changes = receiver.Received.Select(r => r.Json.GetProperty("data"))
            .Select(d => (d.GetProperty("contact").IdOf(), string.Join(',', d.GetProperty("changed").EnumerateArray().Select(c => c.GetString())))).ToList();
        Assert.Equal(6, changes.Count); // joined Acme ×3 (Jane, Sam, Lou), Jane to Globex, Sam out (with his name, one update), Jane out
        Assert.Contains((sam, "name,company"), changes);
        Assert.Equal(3, changes.Count(c => c.Item1 == jane && c.Item2 == "company"));
    }

    [Fact]
    public async Task Companies_BadTakenOrForeignDetails_RefusedAndNothingChanges()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var acme = (await owner.PostJsonAsync("/api/v1/companies", new { name = "Acme", domain = "acme.com", externalId = "acct-1" }).ExpectAsync(HttpStatusCode.Created)).IdOf();

        await owner.PostJsonAsync("/api/v1/companies", new { name = " ", domain = "acme.org" }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "name");
        await owner.PostJsonAsync("/api/v1/companies", new { name = "Web", domain = "https://acme.org/about" }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "domain");
        var freeMail = await owner.PostJsonAsync("/api/v1/companies", new { name = "Mail", domain = "Gmail.com" }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "domain");
        Assert.Contains("free email provider", freeMail.GetProperty("errors").GetProperty("domain")[0].GetString(), StringComparison.Ordinal);
        await owner.PostJsonAsync("/api/v1/companies", new { name = "Acme II", domain = "ACME.com" }).ExpectFieldErrorAsync(HttpStatusCode.Conflict, "domain");
        await owner.PostJsonAsync("/api/v1/companies", new { name = "Acme III", externalId = "acct-1" }).ExpectFieldErrorAsync(HttpStatusCode.Conflict, "externalId");
        var other = (await owner.PostJsonAsync("/api/v1/companies", new { name = "Other" }).ExpectAsync(HttpStatusCode.Created)).IdOf();
        await owner.PutJsonAsync($"/api/v1/companies/{other}", new { name = "Other", domain = "acme.com" }).ExpectFieldErrorAsync(HttpStatusCode.Conflict, "domain");
        Assert.Equal(JsonValueKind.Null, (await owner.GetJsonAsync($"/api/v1/companies/{other}")).GetProperty("domain").ValueKind);
        Assert.Equal(2, (await owner.GetJsonAsync("/api/v1/companies")).GetProperty("items").GetArrayLength());

        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        await agent.PostJsonAsync("/api/v1/companies", new { name = "Agent's" }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await agent.DeleteAsync($"/api/v1/companies/{acme}", Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal("Acme", (await agent.GetJsonAsync($"/api/v1/companies/{acme}")).Text("name"));

        var (_, stranger) = await NewWorkspaceAsync("Globex");
        await stranger.GetAsync($"/api/v1/companies/{acme}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await stranger.PutJsonAsync($"/api/v1/companies/{acme}", new { name = "Taken" }).ExpectProblemAsync(HttpStatusCode.NotFound);
        await stranger.DeleteAsync($"/api/v1/companies/{acme}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await stranger.PostJsonAsync("/api/v1/contacts", new { name = "Spy", companyId = acme.ToString() }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "companyId");
        await owner.PostJsonAsync("/api/v1/contacts", new { name = "Typo", companyId = "acme" }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "companyId");
        Assert.Empty(await FindAsync(stranger, "q=spy"));
        Assert.Empty(await FindAsync(owner, "q=typo"));
    }

    [Fact]
    public async Task Segments_TagsCompanyAndAttributeConditions_ListCountAndExportTheContactsThatMatchNow()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        await owner.PostJsonAsync("/api/v1/contact-attributes", new { key = "plan", label = "Plan", type = "List", options = Strings("Free", "Pro") }).ExpectAsync(HttpStatusCode.Created);
        await owner.PostJsonAsync("/api/v1/contact-attributes", new { key = "seats", label = "Seats", type = "Number" }).ExpectAsync(HttpStatusCode.Created);
        var acme = (await owner.PostJsonAsync("/api/v1/companies", new { name = "Acme", domain = "acme.com" }).ExpectAsync(HttpStatusCode.Created)).IdOf();
        async Task<Guid> ContactAsync(string email, string plan, string seats, params string[] tags) =>
            (await owner.PostJsonAsync("/api/v1/contacts", new
            {
                email, tags, companyId = email.EndsWith("@acme.com", StringComparison.Ordinal) ? acme.ToString() : null,
                attributes = new Dictionary<string, string> { ["plan"] = plan, ["seats"] = seats },
            }).ExpectAsync(HttpStatusCode.Created)).IdOf();
        var ann = await ContactAsync("ann@acme.com", "Pro", "12", "vip");
        await ContactAsync("bob@acme.com", "Free", "30", "vip");    // not Pro
        await ContactAsync("cat@other.com", "Pro", "50", "vip");    // not at Acme
        await ContactAsync("dan@acme.com", "Pro", "20");            // not a VIP
        await ContactAsync("eve@acme.com", "Pro", "9", "vip");      // 9 seats: fewer than 10 as a number, though "9" > "10" as text
        var fay = await ContactAsync("fay@acme.com", "pro", "100", "vip", "beta");
        var gus = await ContactAsync("gus@acme.com", "Pro", "10.5", "VIP");

        var segment = await owner.PostJsonAsync("/api/v1/segments", new
        {
            name = "Large Acme VIPs",
            rules = new { tags = Strings("VIP"), companyId = acme, attributes = new object[] { new { key = "plan", @operator = "Equals", value = "PRO" }, new { key = "seats", @operator = "GreaterThan", value = "10" } } },
        }).ExpectAsync(HttpStatusCode.Created);
        var segmentId = segment.IdOf();
        Assert.Equal("vip", segment.GetProperty("rules").GetProperty("tags")[0].GetString());

        // Listed newest first across pages, counted, exported: the same three.
        var firstPage = await owner.GetJsonAsync($"/api/v1/contacts?segmentId={segmentId}&limit=2");
        var secondPage = await owner.GetJsonAsync($"/api/v1/contacts?segmentId={segmentId}&limit=2&cursor={firstPage.Text("nextCursor")}");
        Assert.Equal([gus, fay, ann], firstPage.GetProperty("items").EnumerateArray().Concat(secondPage.GetProperty("items").EnumerateArray()).Select(c => c.IdOf()));
        Assert.Equal(JsonValueKind.Null, secondPage.GetProperty("nextCursor").ValueKind);
        Assert.Equal(3, (await owner.GetJsonAsync($"/api/v1/segments/{segmentId}")).GetProperty("contactCount").GetInt32());
        Assert.Equal([fay], await FindAsync(owner, $"segmentId={segmentId}&tag=beta"));
        var csv = await (await owner.GetAsync($"/api/v1/contacts/export.csv?segmentId={segmentId}", Ct)).Content.ReadAsStringAsync(Ct);
        Assert.Equal(4, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);

        // Always current: a contact whose plan changes leaves it; a changed rule takes effect at once.
        await owner.PutJsonAsync($"/api/v1/contacts/{ann}", new { attributes = new Dictionary<string, string> { ["plan"] = "Free" } }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([gus, fay], await FindAsync(owner, $"segmentId={segmentId}"));
        await owner.PutJsonAsync($"/api/v1/segments/{segmentId}", new { name = "Acme beta", rules = new { tags = Strings("beta"), identified = false } }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([fay], await FindAsync(owner, $"segmentId={segmentId}"));
        Assert.Equal(["Acme beta"], (await owner.GetJsonAsync("/api/v1/segments")).EnumerateArray().Select(s => s.Text("name")!));
    }

    [Fact]
    public async Task Segments_BadTakenOrForeignRules_RefusedAndNothingChanges()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var segmentId = (await owner.PostJsonAsync("/api/v1/segments", new { name = "VIPs", rules = new { tags = Strings("vip") } }).ExpectAsync(HttpStatusCode.Created)).IdOf();

        await owner.PostJsonAsync("/api/v1/segments", new { name = "Everyone", rules = new { } }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "rules");
        await owner.PostJsonAsync("/api/v1/segments", new { name = "No operator", rules = new { attributes = new object[] { new { key = "plan", value = "Pro" } } } })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "rules.attributes[0].operator");
        await owner.PostJsonAsync("/api/v1/segments", new { name = "No value", rules = new { attributes = new object[] { new { key = "plan", @operator = "Contains" } } } })
            .ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "rules.attributes[0].value");
        await owner.PostJsonAsync("/api/v1/segments", new { name = "VIPS ", rules = new { tags = Strings("gold") } }).ExpectAsync(HttpStatusCode.Created);
        await owner.PutJsonAsync($"/api/v1/segments/{segmentId}", new { name = "VIPS", rules = new { tags = Strings("vip") } }).ExpectFieldErrorAsync(HttpStatusCode.Conflict, "name");
        var (_, stranger) = await NewWorkspaceAsync("Globex");
        var theirs = (await stranger.PostJsonAsync("/api/v1/companies", new { name = "Globex" }).ExpectAsync(HttpStatusCode.Created)).IdOf();
        await owner.PutJsonAsync($"/api/v1/segments/{segmentId}", new { name = "Theirs", rules = new { companyId = theirs } }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "rules.companyId");
        Assert.Equal(("VIPs", "vip"), await NameAndTagAsync(owner, segmentId));

        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        await agent.PostJsonAsync("/api/v1/segments", new { name = "Mine", rules = new { tags = Strings("x") } }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await agent.DeleteAsync($"/api/v1/segments/{segmentId}", Ct).ExpectProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(("VIPs", "vip"), await NameAndTagAsync(agent, segmentId));
        await stranger.GetAsync($"/api/v1/segments/{segmentId}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await stranger.GetAsync($"/api/v1/contacts?segmentId={segmentId}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await stranger.DeleteAsync($"/api/v1/segments/{segmentId}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        await owner.DeleteAsync($"/api/v1/segments/{segmentId}", Ct).ExpectAsync(HttpStatusCode.NoContent);
        await owner.GetAsync($"/api/v1/contacts?segmentId={segmentId}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ContactMerge_SuggestedDuplicate_EverythingMovesToTheKeptContactAndTheDuplicateIsGone()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await owner.PostJsonAsync("/api/v1/webhooks", new { url = receiver.Url.ToString(), events = Strings(WebhookEvents.ContactMerged) }).ExpectAsync(HttpStatusCode.Created);
        // A website visitor who chats and leaves an email, and the same customer as the CRM knows her.
        var (_, widgetToken) = await ChatSetup.CreateWidgetInboxAsync(owner);
        using var visitor = await TestVisitor.StartAsync(Factory, widgetToken);
        var (chat, _) = await visitor.StartConversationAsync("Hello from the website");
        var kept = visitor.Id;
        await owner.PutJsonAsync($"/api/v1/contacts/{kept}", new { email = "pat@example.com", tags = Strings("web") }).ExpectAsync(HttpStatusCode.OK);
        await owner.PostJsonAsync($"/api/v1/contacts/{kept}/notes", new { text = "Asked about pricing." }).ExpectAsync(HttpStatusCode.Created);
        var duplicate = (await owner.PostJsonAsync("/api/v1/contacts", new { externalId = "crm-5", name = "Pat Lee", email = "PAT@example.com", tags = Strings("customer") })
            .ExpectAsync(HttpStatusCode.Created)).IdOf();
        await owner.PostJsonAsync($"/api/v1/contacts/{duplicate}/notes", new { text = "Renews in March." }).ExpectAsync(HttpStatusCode.Created);
        var sms = (await owner.PostJsonAsync("/api/v1/inboxes", new { name = "SMS", channel = "Api" }).ExpectAsync(HttpStatusCode.Created)).IdOf();
        var texted = (await owner.PostJsonAsync($"/api/v1/inboxes/{sms}/conversations", new { clientId = "sms-00002", text = "Hi by SMS", contactId = duplicate })
            .ExpectAsync(HttpStatusCode.Created)).GetProperty("conversation").IdOf();
        await owner.PostJsonAsync("/api/v1/contacts", new { name = "Someone Else", email = "else@example.com" }).ExpectAsync(HttpStatusCode.Created);

        var suggested = Assert.Single((await owner.GetJsonAsync("/api/v1/contacts/duplicates")).EnumerateArray());
        Assert.Equal(("email", "pat@example.com"), (suggested.Text("reason"), suggested.Text("value")));
        Assert.Equal([duplicate, kept], suggested.GetProperty("contacts").EnumerateArray().Select(c => c.IdOf()).OrderByDescending(id => id == duplicate));

        var merged = await owner.PostJsonAsync($"/api/v1/contacts/{kept}/merge", new { duplicateId = duplicate }).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(("Pat Lee", "crm-5", "customer,web"), (merged.Text("name"), merged.Text("externalId"), Tags(merged)));
        await owner.GetAsync($"/api/v1/contacts/{duplicate}", Ct).ExpectProblemAsync(HttpStatusCode.NotFound);
        var contact = await owner.GetJsonAsync($"/api/v1/contacts/{kept}");
        Assert.Equal([chat, texted], contact.GetProperty("conversations").EnumerateArray().Select(c => c.IdOf()).Order());
        Assert.Equal(["Asked about pricing.", "Renews in March."], (await owner.GetJsonAsync($"/api/v1/contacts/{kept}/notes")).EnumerateArray().Select(n => n.Text("text")!).Order(StringComparer.Ordinal));
        Assert.Empty((await owner.GetJsonAsync("/api/v1/contacts/duplicates")).EnumerateArray());
        // The CRM's id names the kept contact from now on, and the visitor still sees her chat.
        var again = await owner.PostJsonAsync($"/api/v1/inboxes/{sms}/conversations", new { clientId = "sms-00003", text = "Me again", contact = new { externalId = "crm-5" } })
            .ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(kept, again.GetProperty("conversation").GetProperty("contact").IdOf());
        Assert.NotEmpty(await visitor.MessagesAsync(chat));

        await receiver.WaitForAsync(1, "the merge's webhook");
        var data = Assert.Single(receiver.Received).Json.GetProperty("data");
        Assert.Equal((kept, duplicate, "crm-5"), (data.GetProperty("contact").IdOf(), data.GetProperty("merged").IdOf(), data.GetProperty("merged").Text("externalId")));
        var audited = Assert.Single(await owner.ListAllAsync("/api/v1/audit?action=contacts.merged"));
        Assert.Equal(duplicate.ToString(), audited.GetProperty("changes").Text("mergedContactId"));
        await WaitForOutboxAsync(workspace.WorkspaceId);
    }

    [Fact]
    public async Task ContactMerge_ItselfTwoExternalIdsForeignOrNotAllowed_RefusedAndNothingChanges()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        var ann = (await owner.PostJsonAsync("/api/v1/contacts", new { externalId = "crm-1", name = "Ann" }).ExpectAsync(HttpStatusCode.Created)).IdOf();
        var annAgain = (await owner.PostJsonAsync("/api/v1/contacts", new { externalId = "crm-2", name = "Ann" }).ExpectAsync(HttpStatusCode.Created)).IdOf();
        var plain = (await owner.PostJsonAsync("/api/v1/contacts", new { name = "ann" }).ExpectAsync(HttpStatusCode.Created)).IdOf();

        await owner.PostJsonAsync($"/api/v1/contacts/{ann}/merge", new { duplicateId = ann }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "duplicateId");
        await owner.PostJsonAsync($"/api/v1/contacts/{ann}/merge", new { duplicateId = annAgain }).ExpectProblemAsync(HttpStatusCode.Conflict);
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        await agent.PostJsonAsync($"/api/v1/contacts/{ann}/merge", new { duplicateId = plain }).ExpectProblemAsync(HttpStatusCode.Forbidden);
        var (_, stranger) = await NewWorkspaceAsync("Globex");
        var theirs = (await stranger.PostJsonAsync("/api/v1/contacts", new { name = "Ann" }).ExpectAsync(HttpStatusCode.Created)).IdOf();
        await owner.PostJsonAsync($"/api/v1/contacts/{ann}/merge", new { duplicateId = theirs }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "duplicateId");
        await stranger.PostJsonAsync($"/api/v1/contacts/{theirs}/merge", new { duplicateId = ann }).ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "duplicateId");
        await stranger.PostJsonAsync($"/api/v1/contacts/{ann}/merge", new { duplicateId = theirs }).ExpectProblemAsync(HttpStatusCode.NotFound);

        Assert.Equal(3, (await FindAsync(owner, "q=ann")).Count);
        Assert.Single(await FindAsync(stranger, "q=ann"));
        // By name: the three Anns, though two are known by external ids (the third can be merged into either).
        var group = Assert.Single((await owner.GetJsonAsync("/api/v1/contacts/duplicates")).EnumerateArray());
        Assert.Equal(("name", 3), (group.Text("reason"), group.GetProperty("contacts").GetArrayLength()));
    }

    [Fact]
    public async Task ContactImport_FileWithBadRows_ReportPerRowAndNothingImportedUnlessPartial()
    {
        var (workspace, owner) = await NewWorkspaceAsync();
        await owner.PostJsonAsync("/api/v1/contact-attributes", new { key = "plan", label = "Plan", type = "List", options = Strings("Free", "Pro") }).ExpectAsync(HttpStatusCode.Created);
        var acme = (await owner.PostJsonAsync("/api/v1/companies", new { name = "Acme", domain = "acme.com" }).ExpectAsync(HttpStatusCode.Created)).IdOf();
        const string File = "\uFEFFName,Email,External_Id,Tags,Company,attributes.plan,attributes.note\r\n"
            + "Ann,ann@example.com,,vip beta,acme,pro,\r\n"
            + "Bob,not-an-email,,,,Free,\r\n"
            + "Cat,cat@example.com,,,Nowhere Inc,Pro,\r\n"
            + "Dan,dan@example.com,,,,Gold,\r\n"
            + "Only a name,,,,,,\r\n"
            + "\"Doe, Eve\",eve@example.com,crm-9,,acme.com,,\"'=1+2\nsecond line\"\r\n";

        var refused = await ImportAsync(owner, File, "").ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["rows[3].email", "rows[4].company", "rows[5].attributes.plan", "rows[6].email"],
            refused.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.StartsWith("4 of 6 rows cannot be imported, so nothing was.", refused.Text("detail"), StringComparison.Ordinal);
        Assert.Empty(await FindAsync(owner, "limit=200"));

        var preview = await ImportAsync(owner, File, "?dryRun=true&partial=true").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((false, 6, 2, 4), (preview.GetProperty("imported").GetBoolean(), preview.GetProperty("rows").GetInt32(), preview.GetProperty("created").GetInt32(), preview.GetProperty("errors").GetArrayLength()));
        Assert.Empty(await FindAsync(owner, "limit=200"));

        var imported = await ImportAsync(owner, File, "?partial=true").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((true, 2), (imported.GetProperty("imported").GetBoolean(), imported.GetProperty("created").GetInt32()));
        Assert.Equal([3, 4, 5, 6], imported.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("line").GetInt32()));
        var eve = await owner.GetJsonAsync($"/api/v1/contacts/{Assert.Single(await FindAsync(owner, "q=crm-9"))}");
        Assert.Equal(("Doe, Eve", "=1+2\nsecond line", acme.ToString()), (eve.Text("name"), eve.GetProperty("attributes").Text("note"), eve.GetProperty("company").Text("id")));
        var ann = await owner.GetJsonAsync($"/api/v1/contacts/{Assert.Single(await FindAsync(owner, "q=ann@"))}");
        Assert.Equal(("beta,vip", "Pro"), (Tags(ann), ann.GetProperty("attributes").Text("plan")));
        var audited = Assert.Single(await owner.ListAllAsync("/api/v1/audit?action=contacts.imported"));
        Assert.Equal((2, 4), (audited.GetProperty("changes").GetProperty("created").GetInt32(), audited.GetProperty("changes").GetProperty("skipped").GetInt32()));

        // An export imports as it is (nothing changes), and an edited export changes what was edited.
        var export = await (await owner.GetAsync("/api/v1/contacts/export.csv", Ct)).Content.ReadAsStringAsync(Ct);
        var again = await ImportAsync(owner, export, "").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((0, 0, 2), (again.GetProperty("created").GetInt32(), again.GetProperty("updated").GetInt32(), again.GetProperty("unchanged").GetInt32()));
        var edited = await ImportAsync(owner, export.Replace(",Ann,", ",Ann Smith,", StringComparison.Ordinal), "").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((0, 1, 1), (edited.GetProperty("created").GetInt32(), edited.GetProperty("updated").GetInt32(), edited.GetProperty("unchanged").GetInt32()));
        Assert.Single(await FindAsync(owner, "q=ann smith"));
        await WaitForOutboxAsync(workspace.WorkspaceId);
    }

    [Fact]
    public async Task ContactImport_BadFileHeaderOrCaller_ClearErrorAndNothingChanges()
    {
        var (workspace, owner) = await NewWorkspaceAsync();

        await ImportAsync(owner, "name,email,phone\r\nAnn,ann@example.com,123\r\n", "").ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "header");
        await ImportAsync(owner, "name,tags\r\nAnn,vip\r\n", "").ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "header");
        await ImportAsync(owner, "name,email\r\n\"Ann,ann@example.com\r\n", "").ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "file");
        await ImportAsync(owner, "name,email\r\n", "").ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "file");
        await ImportAsync(owner, $"id,name\r\n{Guid.NewGuid()},Ghost\r\n", "").ExpectFieldErrorAsync(HttpStatusCode.BadRequest, "rows[2].id");
        var (_, _, agent) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        await ImportAsync(agent, "name,email\r\nAnn,ann@example.com\r\n", "").ExpectProblemAsync(HttpStatusCode.Forbidden);
        Assert.Empty(await FindAsync(owner, "limit=200"));
    }

    private static Task<HttpResponseMessage> ImportAsync(HttpClient client, string csv, string query) =>
        client.PostAsync($"/api/v1/contacts/import{query}", new StringContent(csv, System.Text.Encoding.UTF8, "text/csv"), Ct);

    private static async Task<(string?, string?)> NameAndTagAsync(HttpClient client, Guid segmentId)
    {
        var segment = await client.GetJsonAsync($"/api/v1/segments/{segmentId}");
        return (segment.Text("name"), segment.GetProperty("rules").GetProperty("tags")[0].GetString());
    }

    private static string[] Strings(params string[] values) => values;

    /// <summary>The contact's tags in one string (comma-separated), to compare within a tuple.</summary>
    private static string Tags(JsonElement contact) => string.Join(',', contact.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!));

    private static async Task<List<Guid>> FindAsync(HttpClient client, string query) =>
        [.. (await client.GetJsonAsync($"/api/v1/contacts?{query}")).GetProperty("items").EnumerateArray().Select(c => c.IdOf())];
}

public sealed class ContactsApiSqliteTests(SqliteApiFixture fixture) : ContactsApiTests(fixture.Factory), IClassFixture<SqliteApiFixture>;

public sealed class ContactsApiPostgresTests(PostgresApiFixture fixture) : ContactsApiTests(fixture.Factory), IClassFixture<PostgresApiFixture>;
