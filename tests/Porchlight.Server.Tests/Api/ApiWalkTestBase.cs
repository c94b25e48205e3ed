using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Agents;
using Porchlight.Server.Features.Webhooks;
using Porchlight.Server.Tests.Features.Conversations;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Api;
/// <summary>
/// Walks the published OpenAPI document: every operation, with bodies made up from its schemas and ids of one set of
/// records made through the API. Suites that must hold for every endpoint (tenant isolation, the role matrix) build on it,
/// so an endpoint added later is checked without touching them.
/// </summary>
public abstract partial class ApiWalkTestBase(PorchlightFactory factory) : ApiTestBase(factory)
{
    private static readonly HashSet<string> WriteMethods = ["POST", "PUT", "PATCH", "DELETE"];
    private static readonly string[] Combinators = ["oneOf", "anyOf", "allOf"];

    /// <summary>
    /// Values for request body fields that must look real to pass validation. Anything else is made up
    /// from the field's schema. When a new endpoint's control call fails, add its field here.
    /// </summary>
    private static readonly Dictionary<string, Func<JsonNode?>> FieldSamples = new(StringComparer.Ordinal)
    {
        // Lower-case and dashed, so it is also a valid intent name.
        ["name"] = () => $"probe-{Guid.NewGuid().ToString("N")[..8]}",
        ["displayName"] = () => Unique("Probe"),
        ["description"] = () => "Probe description",
        ["email"] = () => $"probe-{Guid.NewGuid():N}@example.com",
        ["role"] = () => "Agent",
        ["isActive"] = () => false,
        // An agent is given a built-in role (above) or a custom one, not both; a custom role grants a real permission.
        ["customRoleId"] = () => null,
        ["permissions"] = () => new JsonArray("ViewReports"),
        ["channel"] = () => "WebWidget",
        ["scopes"] = () => new JsonArray("read"),
        ["color"] = () => "#123456",
        ["timeZone"] = () => "UTC",
        ["opens"] = () => "09:00:00",
        ["closes"] = () => "17:00:00",
        ["clientId"] = () => $"probe-{Guid.NewGuid():N}",
        // Unassigning is valid on any conversation; a random agent id would not be.
        ["assigneeId"] = () => null,
        ["teamId"] = () => null,
        ["defaultTeamId"] = () => null,
        // A routing rule without conditions matches every conversation; made-up fields and operators would not pass.
        ["conditions"] = () => new JsonArray(),
        // Rules to put first: none is a valid order (the ids of the caller's own rules are not known here).
        ["ruleIds"] = () => new JsonArray(),
        // Attachments must be uploaded to the conversation first; a message without them is valid.
        ["attachmentIds"] = () => new JsonArray(),
        ["shortcut"] = () => $"probe-{Guid.NewGuid():N}",
        // Nested too deep for the made-up samples.
        ["preChatForm"] = () => JsonNode.Parse("""{ "enabled": true, "fields": [{ "key": "probe", "label": "Probe", "type": "Text" }] }"""),
        ["allowedOrigins"] = () => new JsonArray("https://probe.example"),
        // A campaign's pattern has a shape of its own; its sender and a visitor's site default to the caller's own.
        ["urlPattern"] = () => "/probe*",
        ["senderId"] = () => null,
        ["inboxId"] = () => null,
        // An SLA policy covering everything, without escalation; made-up ids would not be the caller's.
        ["inboxIds"] = () => new JsonArray(),
        ["teamIds"] = () => new JsonArray(),
        ["agentIds"] = () => new JsonArray(),
        ["escalation"] = () => new JsonArray(),
        ["policyIds"] = () => new JsonArray(),
        // An automation rule that resolves: made-up action types would not pass.
        ["actions"] = () => new JsonArray(new JsonObject { ["type"] = "resolve" }),
        // An article in the default language with an address made from its title; made-up tags and ids would not pass.
        ["locale"] = () => null,
        ["slug"] = () => null,
        ["translationOf"] = () => null,
        ["relatedArticleIds"] = () => new JsonArray(),
        // An assistant flow of one step: made-up step types and next steps would not pass.
        ["definition"] = () => JsonNode.Parse("""{ "steps": [{ "id": "probe", "type": "end" }] }"""),
        // The flow answers, not an external bot: a made-up webhook id would not be the caller's.
        ["botWebhookId"] = () => null,
        ["categoryId"] = () => null,
        // A webhook to nowhere (the test servers allow private targets), for an event none of the resources reaches.
        ["url"] = () => "http://127.0.0.1:9/probe",
        ["events"] = () => new JsonArray("sla.breached"),
        // Every dead delivery of the webhook is sent again (a made-up id would not be its own).
        ["deliveryIds"] = () => null,
        ["allDead"] = () => true,
        // A scorecard's criteria as new ones (a made-up id would not be the scorecard's), and a review without remarks.
        ["criteria"] = () => JsonNode.Parse("""[{ "name": "Probe", "weight": 1, "scale": "YesNo" }]"""),
        ["messageComments"] = () => new JsonArray(),
        // A customer named by an external id made up from the schema; naming a contact id as well would be refused.
        ["contactId"] = () => null,
        // An email inbox's mailbox on a port where nothing listens: saved as given, and its test answers that it could not connect.
        ["address"] = () => $"probe-{Guid.NewGuid():N}@example.com",
        ["host"] = () => "127.0.0.1",
        ["security"] = () => "None",
        ["username"] = () => "probe",
        ["password"] = () => "probe-password",
        ["folder"] = () => null,
        // A Text contact attribute keeps its type and has no options.
        ["options"] = () => null,
        // A company's email domain is one per workspace: a probe company has none.
        ["domain"] = () => null,
        // The workspace's detectors by name: a made-up string names none.
        ["redaction"] = () => new JsonArray("Secret"),
        // Every test person signs in with the same password; a new one long enough for the policy.
        ["currentPassword"] = () => TestWorkspace.Password,
        ["newPassword"] = () => $"probe-password-{Guid.NewGuid():N}",
        // Requiring a second factor needs the caller to have one: a probe leaves the rule off.
        ["requireTwoFactor"] = () => false,
        // A help center's look: a colour, no logo, the default language.
        ["accentColour"] = () => "#1f6feb",
        ["logoUrl"] = () => "",
        ["defaultLocale"] = () => "en",
        // A working day's shift with a lunch break, on weekdays.
        ["startTime"] = () => "09:00:00",
        ["endTime"] = () => "17:00:00",
        ["breakStart"] = () => "12:00:00",
        ["weekdays"] = () => new JsonArray("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"),
    };

    /// <summary>Fields that must name the caller's own records: made from the records the call is made with.</summary>
    private static readonly Dictionary<string, Func<ResourceSet, JsonNode?>> ResourceSamples = new(StringComparer.Ordinal)
    {
        // The first criterion of the scorecard the resources' reviews use is met.
        ["scores"] = resources => new JsonArray(new JsonObject { ["criterionId"] = resources.Scorecard.GetProperty("criteria")[0].IdOf().ToString(), ["score"] = 1 }),
        // A widget's offline replies go out through the resources' email inbox.
        ["emailInboxId"] = resources => resources.Mailbox.GetProperty("inboxId").GetGuid().ToString(),
        // A contact is put in one of the resources' companies.
        ["companyId"] = resources => resources.Company.IdOf().ToString(),
        // Merged into the chat's visitor: the customer the API inbox speaks for (known by an external id).
        ["duplicateId"] = resources => resources.ApiConversation.GetProperty("contact").IdOf().ToString(),
        // Quality work on the resources' chat, scored with their scorecard, by the two people who reviewed it.
        ["conversationId"] = resources => resources.Conversation.IdOf().ToString(),
        ["scorecardId"] = resources => resources.Scorecard.IdOf().ToString(),
        ["agentId"] = resources => resources.AgentId.ToString(),
        ["reviewerIds"] = resources => new JsonArray(resources.Review.Text("reviewerId"), resources.OwnReview.Text("reviewerId")),
        // A segment's rules: made-up attribute conditions would not pass.
        ["rules"] = resources => new JsonObject { ["companyId"] = resources.Company.IdOf().ToString() },
    };

    private static readonly string[] UrgentOnly = ["Urgent"];

    private static readonly string[] BreachesOnly = ["sla.breached"];

    /// <summary>
    /// Fields one operation needs other than the rest: a help center's address, where an article's is left out; a new
    /// campaign's widget inbox, where a visitor's site is left out.
    /// </summary>
    private static readonly Dictionary<string, Func<ResourceSet, Dictionary<string, JsonNode?>>> BodyFields = new(StringComparer.Ordinal)
    {
        ["PUT /api/v1/knowledge-base/help-center"] = _ => new() { ["slug"] = $"probe-{Guid.NewGuid().ToString("N")[..12]}" },
        ["POST /api/v1/campaigns"] = resources => new() { ["inboxId"] = resources.Inbox.IdOf().ToString() },
        // A suggestion plans the week after today: a made-up day may be in the past.
        ["POST /api/v1/workforce/schedule/suggestion"] = _ => new() { ["firstDay"] = null },
    };

    /// <summary>Numbers with a range of their own, where the made-up 1 would be refused.</summary>
    private static readonly Dictionary<string, int> NumberSamples = new(StringComparer.Ordinal)
    {
        ["warnAtPercent"] = 80,
        ["port"] = 9,
        ["autoAwayMinutes"] = 30,
        // A retention policy's days: within every class's range (the audit trail is kept at least 365).
        ["days"] = 400,
        ["minPasswordLength"] = 12,
        // Staffing learns from 2 to 26 weeks of history.
        ["historyWeeks"] = 8,
        // A shift template's length and breaks come in half hours (a shift's break may too).
        ["lengthMinutes"] = 480,
        ["breakMinutes"] = 30,
    };

    protected async Task<List<Operation>> OperationsAsync()
    {
        using var anonymous = Factory.CreateClient();
        var document = await anonymous.GetAsync("/openapi/v1.json", Ct).ExpectAsync(HttpStatusCode.OK);
        var components = document.GetProperty("components").GetProperty("schemas");
        var operations = new List<Operation>();
        foreach (var path in document.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/api/v1", StringComparison.Ordinal)))
        {
            foreach (var method in path.Value.EnumerateObject().Where(m => m.Name is "get" or "post" or "put" or "patch" or "delete"))
            {
                var parameters = PathParameter().Matches(path.Name).Select(m => m.Groups[1].Value).ToList();
                var content = method.Value.TryGetProperty("requestBody", out var requestBody) ? requestBody.GetProperty("content") : default;
                JsonElement? body = content.ValueKind == JsonValueKind.Object && content.TryGetProperty("application/json", out var json)
                    ? json.GetProperty("schema")
                    : null;
                var otherMedia = content.ValueKind == JsonValueKind.Object && body is null ? content.EnumerateObject().Select(c => c.Name).FirstOrDefault() : null;
                var permission = method.Value.TryGetProperty("x-permission", out var declared) ? declared.GetString()! : "";
                var scope = method.Value.TryGetProperty("x-token-scope", out var declaredScope) ? declaredScope.GetString()! : "";
                var query = method.Value.TryGetProperty("parameters", out var declaredParameters)
                    ? declaredParameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()!).ToList()
                    : [];
                operations.Add(new Operation(method.Name.ToUpperInvariant(), path.Name, parameters, body, components, otherMedia, permission, scope) { QueryParameters = query });
            }
        }

        Assert.NotEmpty(operations);
        return operations;
    }

    protected static Task<HttpResponseMessage> SendAsync(HttpClient client, Operation operation, ResourceSet ids)
    {
        var request = new HttpRequestMessage(new HttpMethod(operation.Method), PathOf(operation, ids));
        if (ValidBody(operation, ids) is { } body)
        {
            request.Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        }
        else if (operation.MediaType == "multipart/form-data")
        {
            // A small file of an accepted type, so only the ids in the path decide the answer.
            request.Content = new MultipartFormDataContent { { new ByteArrayContent("probe file"u8.ToArray()), "file", "probe.txt" } };
        }
        else if (operation.MediaType == "text/csv")
        {
            // One contact to import.
            request.Content = new StringContent($"name,email\nProbe,probe-{Guid.NewGuid():N}@example.com\n", System.Text.Encoding.UTF8, "text/csv");
        }

        return client.SendAsync(request, Ct);
    }

    /// <summary>
    /// Control for a call refused below: the same call succeeds for an owner on records of their own, so the refusal is
    /// the boundary under test and not a malformed request. A read changes nothing, so the reads share one set of
    /// records; each write gets a fresh set, since it may delete or close what it is given. Each set has two webhooks
    /// and a dashboard app among its records, so a new workspace takes over before one reaches its limits (20
    /// dashboard apps).
    /// </summary>
    protected async Task AssertSucceedsOnFreshRecordsAsync(Operation operation)
    {
        if (_control is null || _controlsInWorkspace == Porchlight.Server.Features.DashboardApps.DashboardApp.MaxPerWorkspace)
        {
            _control?.Owner.Dispose();
            _control = await NewWorkspaceAsync(Unique("Workspace C"));
            _controlsInWorkspace = 0;
            _readControl = null;
        }

        var (workspace, owner) = _control.Value;
        ResourceSet records;
        if (operation.Method == "GET")
        {
            records = _readControl ??= await NewControlRecordsAsync(workspace, owner);
        }
        else
        {
            records = await NewControlRecordsAsync(workspace, owner);
        }

        using var response = await SendAsync(owner, operation, records);
        Assert.True(response.IsSuccessStatusCode,
            $"Control {operation} on the caller's own records answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
    }

    private Task<ResourceSet> NewControlRecordsAsync(TestWorkspace workspace, HttpClient owner)
    {
        _controlsInWorkspace++;
        return CreateResourcesAsync(workspace, owner, "C");
    }

    private (TestWorkspace Workspace, HttpClient Owner)? _control;
    private ResourceSet? _readControl;
    private int _controlsInWorkspace;

    /// <summary>The operation's path with the ids of <paramref name="ids"/>.</summary>
    protected static string PathOf(Operation operation, ResourceSet ids) =>
        PathParameter().Replace(operation.Path, m => ids.IdFor(m.Groups[1].Value, operation.Path));

    /// <summary>A JSON body the operation accepts on <paramref name="ids"/>, or null when it takes no JSON body.</summary>
    protected static JsonNode? ValidBody(Operation operation, ResourceSet ids)
    {
        if (operation.Body is not { } schema || !WriteMethods.Contains(operation.Method))
        {
            return null;
        }

        var body = Sample(schema, operation.Components, ids, null, 0) ?? new JsonObject();
        if (BodyFields.TryGetValue(operation.ToString(), out var fields) && body is JsonObject fieldsOf)
        {
            foreach (var (name, value) in fields(ids))
            {
                fieldsOf[name] = value;
            }
        }

        return body;
    }

    private static bool IsNumeric(JsonElement schema) =>
        schema.TryGetProperty("type", out var type)
        && (type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()) : [type.GetString()])
            .Any(t => t is "integer" or "number");

    /// <summary>A plausible JSON value for a schema of the OpenAPI document.</summary>
    private static JsonNode? Sample(JsonElement schema, JsonElement components, ResourceSet resources, string? field, int depth)
    {
        if (depth > 8)
        {
            return null;
        }

        // A named sample fits fields of text: a number that shares a name (a cap per "email" channel) is made up below.
        if (field is not null && FieldSamples.TryGetValue(field, out var sample) && !IsNumeric(schema))
        {
            return sample();
        }

        if (field is not null && ResourceSamples.TryGetValue(field, out var ownSample))
        {
            return ownSample(resources);
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            return Sample(components.GetProperty(reference.GetString()!.Split('/')[^1]), components, resources, null, depth + 1);
        }

        foreach (var combinator in Combinators)
        {
            if (schema.TryGetProperty(combinator, out var options))
            {
                var option = options.EnumerateArray().FirstOrDefault(o => !(o.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "null"));
                return option.ValueKind == JsonValueKind.Undefined ? null : Sample(option, components, resources, null, depth + 1);
            }
        }

        if (schema.TryGetProperty("enum", out var values))
        {
            return JsonNode.Parse(values.EnumerateArray().First(v => v.ValueKind != JsonValueKind.Null).GetRawText());
        }

        var type = !schema.TryGetProperty("type", out var typeElement) ? "object"
            : typeElement.ValueKind == JsonValueKind.Array ? typeElement.EnumerateArray().Select(t => t.GetString()).First(t => t != "null")
            : typeElement.GetString();
        var format = schema.TryGetProperty("format", out var formatElement) ? formatElement.GetString() : null;
        return type switch
        {
            "object" => new JsonObject(schema.TryGetProperty("properties", out var properties)
                ? properties.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, Sample(p.Value, components, resources, p.Name, depth + 1)))
                : []),
            "array" => schema.TryGetProperty("items", out var items) ? new JsonArray(Sample(items, components, resources, null, depth + 1)) : [],
            "boolean" => true,
            "integer" or "number" => field is not null && NumberSamples.TryGetValue(field, out var number) ? number : 1,
            _ => format switch
            {
                "uuid" => Guid.NewGuid().ToString(),
                "date-time" => DateTime.UtcNow.ToString("O"),
                "date" => "2026-01-05",
                "time" => "12:00:00",
                "email" => $"probe-{Guid.NewGuid():N}@example.com",
                _ => "probe",
            },
        };
    }

    /// <summary>One of every kind of record a workspace can hold, made through the API where it can be.</summary>
    protected async Task<ResourceSet> CreateResourcesAsync(TestWorkspace workspace, HttpClient owner, string label)
    {
        var (agentId, agentEmail, _) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Agent);
        var team = await owner.PostJsonAsync("/api/v1/teams", new { name = Unique($"{label} team"), description = Unique($"{label} team description") })
            .ExpectAsync(HttpStatusCode.Created);
        await owner.PutAsync($"/api/v1/teams/{team.IdOf()}/members/{agentId}", null, Ct).ExpectAsync(HttpStatusCode.OK);
        var inbox = await owner.PostJsonAsync("/api/v1/inboxes", new
        {
            name = Unique($"{label} inbox"),
            channel = "WebWidget",
            widget = new { greeting = Unique($"{label} greeting"), welcomeText = Unique($"{label} welcome") },
        }).ExpectAsync(HttpStatusCode.Created);
        var invitation = await owner.PostJsonAsync("/api/v1/invitations", new { email = $"{label.ToLowerInvariant()}-invitee-{Guid.NewGuid():N}@example.com", role = "Agent" })
            .ExpectAsync(HttpStatusCode.Created);
        var token = await owner.PostJsonAsync("/api/v1/tokens", new { name = Unique($"{label} token"), scopes = new JsonArray("read") })
            .ExpectAsync(HttpStatusCode.Created);
        // An external bot attends the inbox's chats, through a webhook that is switched off: the conversation has a bot's
        // part to answer through the API, and no delivery is made meanwhile.
        var bot = await owner.PostJsonAsync("/api/v1/webhooks", new
        {
            url = $"http://127.0.0.1:9/{label.ToLowerInvariant()}-bot-{Guid.NewGuid():N}", description = Unique($"{label} bot"), events = BreachesOnly, isActive = false,
        }).ExpectAsync(HttpStatusCode.Created);
        await owner.PutJsonAsync($"/api/v1/inboxes/{inbox.IdOf()}/assistant", new
        {
            isEnabled = true, definition = new { steps = new[] { new { id = "handover", type = "handover" } } }, botWebhookId = bot.IdOf(),
        }).ExpectAsync(HttpStatusCode.OK);
        using var visitor = await TestVisitor.StartAsync(Factory, inbox.Text("publicToken")!);
        var started = await visitor.Http.PostJsonAsync("/widget/v1/conversations", new
        {
            clientId = TestVisitor.NewClientId(),
            text = Unique($"{label} message"),
            fields = new { name = Unique($"{label} contact"), email = $"{label.ToLowerInvariant()}-contact-{Guid.NewGuid():N}@example.com" },
        }).ExpectAsync(HttpStatusCode.Created);
        var conversation = await owner.GetJsonAsync($"/api/v1/conversations/{started.GetProperty("conversation").IdOf()}");
        // The inbox asks a survey, and the owner asked for one: the conversation has a survey to read.
        await owner.PutJsonAsync($"/api/v1/inboxes/{inbox.IdOf()}/survey", new { isEnabled = true }).ExpectAsync(HttpStatusCode.OK);
        await owner.PostJsonAsync($"/api/v1/conversations/{conversation.IdOf()}/survey", new { }).ExpectAsync(HttpStatusCode.OK);
        // The owner's own note: a message the owner may edit and delete that leaves the conversation's preview alone.
        var reply = await owner.ReplyAsync(conversation.IdOf(), Unique($"{label} note"), isPrivate: true).ExpectAsync(HttpStatusCode.Created);
        // The owner's own unsent upload: a file the owner may still take back.
        var upload = await owner.PostAsync($"/api/v1/conversations/{conversation.IdOf()}/attachments",
            new MultipartFormDataContent { { new ByteArrayContent("probe file"u8.ToArray()), "file", "probe.txt" } }, Ct).ExpectAsync(HttpStatusCode.Created);
        var campaign = await owner.PostJsonAsync("/api/v1/campaigns", new
        {
            inboxId = inbox.IdOf(), name = Unique($"{label} campaign"), urlPattern = "/pricing*", text = Unique($"{label} campaign text"),
        }).ExpectAsync(HttpStatusCode.Created);
        // A browser the tracker knows, linked to a chat: the visitor an agent can write to.
        var visitorKey = $"v_{label.ToLowerInvariant()}{Guid.NewGuid():N}";
        using (await TestVisitor.StartAsync(Factory, inbox.Text("publicToken")!, trackerVisitor: visitorKey))
        {
        }

        var canned = await owner.PostJsonAsync("/api/v1/canned-responses", new
        {
            shortcut = $"{label.ToLowerInvariant()}-{Guid.NewGuid():N}",
            title = Unique($"{label} canned title"),
            text = Unique($"{label} canned text"),
            shared = true,
        }).ExpectAsync(HttpStatusCode.Created);
        var rule = await owner.PostJsonAsync($"/api/v1/inboxes/{inbox.IdOf()}/routing-rules", new
        {
            name = Unique($"{label} rule"),
            conditions = new JsonArray(new JsonObject { ["field"] = "message", ["operator"] = "contains", ["value"] = Unique($"{label} keyword") }),
            teamId = team.IdOf(),
        }).ExpectAsync(HttpStatusCode.Created);
        var policy = await owner.PostJsonAsync("/api/v1/sla/policies", new
        {
            // Urgent only: it covers none of the resources' conversations, so no clock runs and every read stays the same.
            name = Unique($"{label} SLA"), inboxIds = new[] { inbox.IdOf() }, priorities = UrgentOnly, firstResponseMinutes = 30,
        }).ExpectAsync(HttpStatusCode.Created);
        var automation = await owner.PostJsonAsync("/api/v1/automation/rules", new
        {
            // On a breach, which none of these conversations reaches: the rule is a record to probe, not work that runs meanwhile.
            name = Unique($"{label} automation"), trigger = "SlaBreached", conditions = new JsonArray(),
            actions = new JsonArray(new JsonObject { ["type"] = "addNote", ["value"] = Unique($"{label} automatic note") }),
        }).ExpectAsync(HttpStatusCode.Created);
        var webhook = await owner.PostJsonAsync("/api/v1/webhooks", new
        {
            // Nothing here breaches: the webhook is a record to probe; nothing is sent to it meanwhile.
            url = $"http://127.0.0.1:9/{label.ToLowerInvariant()}-{Guid.NewGuid():N}", description = Unique($"{label} webhook"), events = BreachesOnly,
        }).ExpectAsync(HttpStatusCode.Created);
        var category = await owner.PostJsonAsync("/api/v1/knowledge-base/categories", new
        {
            name = Unique($"{label} category"), description = Unique($"{label} category description"),
        }).ExpectAsync(HttpStatusCode.Created);
        var article = await owner.PostJsonAsync("/api/v1/knowledge-base/articles", new
        {
            title = Unique($"{label} article"), body = Unique($"{label} article body"), categoryId = category.IdOf(),
        }).ExpectAsync(HttpStatusCode.Created);
        var intent = await owner.PostJsonAsync("/api/v1/assistant/intents", new
        {
            name = $"{label.ToLowerInvariant()}-intent-{Guid.NewGuid().ToString("N")[..8]}", description = Unique($"{label} intent description"),
            examples = new[] { Unique($"{label} intent example") },
        }).ExpectAsync(HttpStatusCode.Created);
        // Quality: the owner reviews the agent's work, a supervisor the owner's (a review the owner answers), both take part in
        // a calibration, and the owner flags the conversation.
        var (supervisorId, _, supervisor) = await NewAgentAsync(workspace.WorkspaceId, AgentRole.Supervisor);
        var scorecard = await owner.PostJsonAsync("/api/v1/quality/scorecards", new
        {
            name = Unique($"{label} scorecard"), criteria = new[] { new { name = "Greeting", weight = 1, scale = "YesNo" } },
        }).ExpectAsync(HttpStatusCode.Created);
        var scores = new[] { new { criterionId = scorecard.GetProperty("criteria")[0].IdOf(), score = 1 } };
        var review = await owner.PostJsonAsync("/api/v1/quality/reviews", new
        {
            conversationId = conversation.IdOf(), scorecardId = scorecard.IdOf(), agentId, scores, comment = Unique($"{label} review comment"),
        }).ExpectAsync(HttpStatusCode.Created);
        var ownReview = await supervisor.PostJsonAsync("/api/v1/quality/reviews", new
        {
            conversationId = conversation.IdOf(), scorecardId = scorecard.IdOf(), agentId = workspace.OwnerId, scores,
        }).ExpectAsync(HttpStatusCode.Created);
        var calibration = await owner.PostJsonAsync("/api/v1/quality/calibrations", new
        {
            name = Unique($"{label} calibration"), conversationId = conversation.IdOf(), scorecardId = scorecard.IdOf(), agentId,
            reviewerIds = new[] { workspace.OwnerId, supervisorId },
        }).ExpectAsync(HttpStatusCode.Created);
        var flag = await owner.PostJsonAsync($"/api/v1/conversations/{conversation.IdOf()}/flags", new { kind = "ToolIssue", note = Unique($"{label} flag") })
            .ExpectAsync(HttpStatusCode.Created);
        supervisor.Dispose();
        // An API inbox with a conversation an integration started: the operations that speak for its customer act on these.
        var apiInbox = await owner.PostJsonAsync("/api/v1/inboxes", new { name = Unique($"{label} API inbox"), channel = "Api" }).ExpectAsync(HttpStatusCode.Created);
        var apiConversation = await owner.PostJsonAsync($"/api/v1/inboxes/{apiInbox.IdOf()}/conversations", new
        {
            clientId = TestVisitor.NewClientId(), text = Unique($"{label} relayed message"), contact = new { externalId = Unique($"{label} customer"), name = Unique($"{label} API contact") },
        }).ExpectAsync(HttpStatusCode.Created);
        var contactNote = await owner.PostJsonAsync($"/api/v1/contacts/{conversation.GetProperty("contact").IdOf()}/notes", new { text = Unique($"{label} contact note") })
            .ExpectAsync(HttpStatusCode.Created);
        var contactAttribute = await owner.PostJsonAsync("/api/v1/contact-attributes", new { key = $"probe_{Guid.NewGuid():N}", label = "Probe", type = "Text" })
            .ExpectAsync(HttpStatusCode.Created);
        var company = await owner.PostJsonAsync("/api/v1/companies", new { name = Unique($"{label} company") }).ExpectAsync(HttpStatusCode.Created);
        var segment = await owner.PostJsonAsync("/api/v1/segments", new { name = Unique($"{label} segment"), rules = new { companyId = company.IdOf() } })
            .ExpectAsync(HttpStatusCode.Created);
        // An email inbox whose mailbox is set up (on a port where nothing listens: nothing is read from it meanwhile).
        var emailInbox = await owner.PostJsonAsync("/api/v1/inboxes", new { name = Unique($"{label} email inbox"), channel = "Email" }).ExpectAsync(HttpStatusCode.Created);
        var mailbox = await owner.PutJsonAsync($"/api/v1/inboxes/{emailInbox.IdOf()}/email", new
        {
            address = $"{label.ToLowerInvariant()}-support-{Guid.NewGuid():N}@example.com",
            imap = new { host = "127.0.0.1", port = 9, security = "None", username = Unique($"{label} mailbox"), password = "probe-password" },
            smtp = new { host = "127.0.0.1", port = 9, security = "None" },
        }).ExpectAsync(HttpStatusCode.OK);
        var dashboardApp = await owner.PostJsonAsync("/api/v1/dashboard-apps", new
        {
            name = Unique($"{label} app"), url = $"https://{label.ToLowerInvariant()}-{Guid.NewGuid():N}.example.com/crm",
        }).ExpectAsync(HttpStatusCode.Created);
        var customRole = await owner.PostJsonAsync("/api/v1/roles", new { name = Unique($"{label} role"), permissions = new JsonArray("ViewReports") })
            .ExpectAsync(HttpStatusCode.Created);
        var sessionId = await OwnerSessionAsync(workspace.OwnerId);
        var adjustment = await owner.PostJsonAsync("/api/v1/workforce/adjustments", new { firstDay = "2026-01-05", lastDay = "2026-01-06", multiplier = 1.5, note = Unique($"{label} launch") })
            .ExpectAsync(HttpStatusCode.Created);
        var shift = await owner.PostJsonAsync("/api/v1/workforce/shifts", new { agentId, firstDay = "2026-01-05", startTime = "08:00:00", endTime = "16:00:00" })
            .ExpectAsync(HttpStatusCode.Created);
        var timeOff = await owner.PostJsonAsync("/api/v1/workforce/time-off", new { agentId, firstDay = "2026-02-02", lastDay = "2026-02-06", kind = "Vacation", note = Unique(label) })
            .ExpectAsync(HttpStatusCode.Created);
        return new ResourceSet(
            agentId, agentEmail, team, inbox, invitation, token, conversation, started.GetProperty("message"), reply, canned, upload, campaign, rule, policy,
            automation, webhook, await DeliveredAsync(workspace.WorkspaceId, webhook.IdOf()), category, article.GetProperty("article"), intent, visitorKey,
            scorecard, review, ownReview, calibration, flag, apiConversation.GetProperty("conversation"), mailbox, contactNote, contactAttribute, company, segment, dashboardApp,
            customRole, sessionId, adjustment, shift, timeOff, await OverloadAlertAsync(workspace.WorkspaceId, agentId));
    }

    // A browser the owner is signed in with: a session of theirs to list and end (made as a sign-in makes it).
    private async Task<Guid> OwnerSessionAsync(Guid ownerId)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var owner = await db.Agents.IgnoreQueryFilters().AsNoTracking().SingleAsync(a => a.Id == ownerId, Ct);
        var session = Porchlight.Server.Features.SignIn.AgentSession.Start(owner, "127.0.0.1", "Probe browser", twoFactor: false, DateTime.UtcNow);
        db.AgentSessions.Add(session);
        await db.SaveChangesAsync(Ct);
        return session.Id;
    }

    // A workload alert raised for the agent, as the overload check raises one after a long stretch at the cap.
    private async Task<Guid> OverloadAlertAsync(Guid workspaceId, Guid agentId)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspaceId);
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = DateTime.UtcNow;
        var alert = Porchlight.Server.Features.Workforce.WorkloadAlert.Raise(
            workspaceId, agentId, Porchlight.Server.Features.Workforce.WorkloadAlertKind.AtCap, Porchlight.Server.Features.Routing.RoutingChannel.Chat, now.AddHours(-1), 3, now);
        db.WorkloadAlerts.Add(alert);
        await db.SaveChangesAsync(Ct);
        return alert.Id;
    }

    // A delivery in the webhook's log, delivered already: a record to probe that nothing sends again meanwhile.
    private async Task<Guid> DeliveredAsync(Guid workspaceId, Guid webhookId)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(workspaceId);
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var delivery = WebhookDelivery.Create(workspaceId, webhookId, Guid.NewGuid(), "sla.breached", "{}", sourceKey: null, orderingKey: null, DateTime.UtcNow);
        db.WebhookDeliveries.Add(delivery).Property(d => d.State).CurrentValue = WebhookDeliveryState.Delivered;
        await db.SaveChangesAsync(Ct);
        return delivery.Id;
    }

    /// <summary>Everything the workspace's owner can read, by every GET of the document.</summary>
    protected static async Task<string> SnapshotAsync(List<Operation> operations, HttpClient owner, ResourceSet resources)
    {
        var parts = new List<string>();
        // An export is a read the audit trail records (who took what out): taking one to compare would change what is compared.
        foreach (var operation in operations.Where(o => o.Method == "GET" && !IsExport(o.Path) && !IsMeasuredToNow(o.Path)))
        {
            var path = PathParameter().Replace(operation.Path, m => resources.IdFor(m.Groups[1].Value, operation.Path));
            var body = await owner.GetAsync(path + (operation.PathParameters.Count == 0 ? "?limit=200" : ""), Ct).ExpectAsync(HttpStatusCode.OK);
            parts.Add($"{operation}: {Bookkeeping.Strip(body.ToString())}");
        }

        return string.Join("\n", parts);
    }

    /// <summary>
    /// Reads measured up to this moment (today's hours against the schedule, conversations held until now): they move as
    /// the clock runs. What they are measured from (shifts, time off, conversations) is read by the snapshot's other GETs.
    /// </summary>
    private static bool IsMeasuredToNow(string path) =>
        path.EndsWith("/workforce/adherence", StringComparison.Ordinal) || path.EndsWith("/workload", StringComparison.Ordinal);

    /// <summary>Exports: a file of the records (CSV, JSON, a contact's archive), recorded in the audit trail as taken out.</summary>
    private static bool IsExport(string path) =>
        path.Contains("/export.", StringComparison.Ordinal) || path.EndsWith("/privacy-export", StringComparison.Ordinal);

    [GeneratedRegex("\\{([A-Za-z0-9_]+)(?::[^}]*)?\\}")]
    protected static partial Regex PathParameter();

    /// <param name="MediaType">The body's media type when it is not JSON (a file upload, a CSV import).</param>
    /// <param name="Permission">What the operation requires (its <c>x-permission</c>), and the token scope that needs.</param>
    protected sealed record Operation(
        string Method, string Path, IReadOnlyList<string> PathParameters, JsonElement? Body, JsonElement Components, string? MediaType, string Permission, string Scope)
    {
        /// <summary>The names of the operation's query parameters.</summary>
        public IReadOnlyList<string> QueryParameters { get; init; } = [];

        public override string ToString() => $"{Method} {Path}";
    }

    protected sealed record ResourceSet(
        Guid AgentId,
        string AgentEmail,
        JsonElement Team,
        JsonElement Inbox,
        JsonElement Invitation,
        JsonElement Token,
        JsonElement Conversation,
        JsonElement Message,
        JsonElement Reply,
        JsonElement CannedResponse,
        JsonElement Attachment,
        JsonElement Campaign,
        JsonElement RoutingRule,
        JsonElement SlaPolicy,
        JsonElement AutomationRule,
        JsonElement Webhook,
        Guid DeliveryId,
        JsonElement ArticleCategory,
        JsonElement Article,
        JsonElement Intent,
        string VisitorKey,
        JsonElement Scorecard,
        JsonElement Review,
        JsonElement OwnReview,
        JsonElement Calibration,
        JsonElement Flag,
        JsonElement ApiConversation,
        JsonElement Mailbox,
        JsonElement ContactNote,
        JsonElement ContactAttribute,
        JsonElement Company,
        JsonElement Segment,
        JsonElement DashboardApp,
        JsonElement CustomRole,
        Guid SessionId,
        JsonElement ForecastAdjustment,
        JsonElement Shift,
        JsonElement TimeOff,
        Guid AlertId)
    {
        /// <summary>Path parameter names and the record kind each one names. Other ids get an agent's id.</summary>
        public static readonly string[] ParameterNames =
            ["agentId", "teamId", "inboxId", "invitationId", "tokenId", "conversationId", "contactId", "messageId", "cannedResponseId", "attachmentId", "campaignId", "ruleId", "policyId", "automationRuleId", "webhookId", "deliveryId", "categoryId", "articleId", "intentId", "visitorKey",
             "scorecardId", "reviewId", "calibrationId", "flagId", "noteId", "key", "companyId", "segmentId", "appId", "roleId", "sessionId", "adjustmentId", "shiftId", "timeOffId", "alertId"];

        /// <param name="path">
        /// The operation's path: a review the caller answers (under /my-reviews/) is one of the caller's own work; what speaks
        /// for a customer (a conversation started in an inbox, a contact's message or read) acts in the API inbox.
        /// </param>
        public string IdFor(string parameter, string path) => parameter switch
        {
            "inboxId" when path.EndsWith("/inboxes/{inboxId}/conversations", StringComparison.Ordinal) => ApiConversation.GetProperty("inboxId").GetGuid().ToString(),
            "inboxId" when path.Contains("/inboxes/{inboxId}/email", StringComparison.Ordinal) => Mailbox.GetProperty("inboxId").GetGuid().ToString(),
            "conversationId" when path.Contains("/contact-", StringComparison.Ordinal) => ApiConversation.IdOf().ToString(),
            "reviewId" when path.Contains("/my-reviews/", StringComparison.Ordinal) => OwnReview.IdOf().ToString(),
            "reviewId" => Review.IdOf().ToString(),
            "scorecardId" => Scorecard.IdOf().ToString(),
            "calibrationId" => Calibration.IdOf().ToString(),
            "flagId" => Flag.IdOf().ToString(),
            "noteId" => ContactNote.IdOf().ToString(),
            "key" => ContactAttribute.Text("key")!,
            "companyId" => Company.IdOf().ToString(),
            "segmentId" => Segment.IdOf().ToString(),
            "roleId" => CustomRole.IdOf().ToString(),
            "appId" => DashboardApp.IdOf().ToString(),
            "sessionId" => SessionId.ToString(),
            "adjustmentId" => ForecastAdjustment.IdOf().ToString(),
            "shiftId" => Shift.IdOf().ToString(),
            "timeOffId" => TimeOff.IdOf().ToString(),
            "alertId" => AlertId.ToString(),
            "agentId" => AgentId.ToString(),
            "teamId" => Team.IdOf().ToString(),
            "inboxId" => Inbox.IdOf().ToString(),
            "invitationId" => Invitation.IdOf().ToString(),
            "tokenId" => Token.IdOf().ToString(),
            "conversationId" => Conversation.IdOf().ToString(),
            "contactId" => Conversation.GetProperty("contact").IdOf().ToString(),
            "messageId" => Reply.IdOf().ToString(),
            "cannedResponseId" => CannedResponse.IdOf().ToString(),
            "attachmentId" => Attachment.IdOf().ToString(),
            "campaignId" => Campaign.IdOf().ToString(),
            "ruleId" => RoutingRule.IdOf().ToString(),
            "policyId" => SlaPolicy.IdOf().ToString(),
            "automationRuleId" => AutomationRule.IdOf().ToString(),
            "webhookId" => Webhook.IdOf().ToString(),
            "deliveryId" => DeliveryId.ToString(),
            "categoryId" => ArticleCategory.IdOf().ToString(),
            "articleId" => Article.IdOf().ToString(),
            "intentId" => Intent.IdOf().ToString(),
            "visitorKey" => VisitorKey,
            _ => AgentId.ToString(),
        };
    }
}
