using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Porchlight.Server.Features.Assistant;

namespace Porchlight.Bench;

/// <summary>
/// "Containment rate of the demo flows in a scripted conversation run", on the real server with the demo workspace
/// (`seed-demo`): every held-out phrase of the demo intents (written separately from the training phrases) opens a
/// chat as a visitor would, and a script answers what the assistant asks — an order number when asked, an email
/// address when asked, "Talk to a person" when the assistant is unsure — and says "Yes" to offered articles only
/// when one of them really answers that phrase's intent (a fixed map from intent to the demo articles), else "No".
/// The same phrases run through the starter flow (greeting, articles for the visitor's words, a person) in
/// another inbox of the same workspace, as the baseline. Payments and refunds go to Billing by the demo flow's
/// design, and "human" phrases ask for a person: those count as handed over, as they should be.
/// </summary>
internal static class ContainmentBench
{
    private static readonly Dictionary<string, string[]> Answers = new(StringComparer.Ordinal)
    {
        ["order-status"] = ["Tracking your order", "Shipping times and costs"],
        ["change-address"] = ["Changing your delivery address"],
        ["password"] = ["Resetting your password"],
        ["payment"] = ["Payment methods"],
        ["refunds"] = ["Refund times"],
        ["returns"] = ["Returning an item", "Exchanging for another size"],
        ["shipping"] = ["Shipping times and costs", "Tracking your order"],
        ["sizing"] = ["Size guide for jackets and boots", "Exchanging for another size"],
        ["warranty"] = ["Warranty on our gear"],
        ["human"] = [],
    };

    private sealed record Outcome(string Intent, string Result, string? Reason, int Turns);

    public static async Task<int> RunAsync()
    {
        var test = DemoIntents.Load().Test;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# Assistant containment: {test.Count} held-out phrases of the demo intents, scripted visitors, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC"));
        var data = Directory.CreateTempSubdirectory("porchlight-bench-").FullName;
        try
        {
            var (server, token) = await Servers.StartDemoAsync(data);
            await using (server)
            {
                using var api = Servers.Http(server.BaseAddress);
                api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
                await WaitForTrainingAsync(api);
                var inboxes = (await api.GetFromJsonAsync<JsonElement>("/api/v1/inboxes")).GetProperty("items").EnumerateArray().ToList();
                var demo = inboxes.First(i => i.GetProperty("name").GetString() == "Website chat");
                var starter = await StarterInboxAsync(api);
                var rows = new List<(string Flow, List<Outcome> Outcomes)>();
                foreach (var (flow, inbox) in new[] { ("demo flow", demo), ("starter flow (baseline)", starter) })
                {
                    var outcomes = new List<Outcome>();
                    var number = 0;
                    foreach (var phrase in test)
                    {
                        outcomes.Add(await ConverseAsync(server.BaseAddress, api, inbox.GetProperty("publicToken").GetString()!, phrase, ++number));
                    }

                    rows.Add((flow, outcomes));
                }

                Report(rows);
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }

        return 0;
    }

    private static void Report(List<(string Flow, List<Outcome> Outcomes)> rows)
    {
        Console.WriteLine();
        Console.WriteLine("| flow | contained | handed over | contained, without payment/refund/human phrases | turns per chat |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var (flow, outcomes) in rows)
        {
            var contained = outcomes.Count(o => o.Result == "Contained");
            var answerable = outcomes.Where(o => o.Intent is not ("payment" or "refunds" or "human")).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {flow} | {contained} of {outcomes.Count} = {(double)contained / outcomes.Count:P1} | {outcomes.Count(o => o.Result == "HandedOver")} | {answerable.Count(o => o.Result == "Contained")} of {answerable.Count} = {(double)answerable.Count(o => o.Result == "Contained") / answerable.Count:P1} | {outcomes.Average(o => o.Turns):0.0} |"));
        }

        foreach (var (flow, outcomes) in rows)
        {
            Console.WriteLine();
            Console.WriteLine($"{flow}, per intent (contained of phrases) and why the rest were handed over:");
            Console.WriteLine();
            Console.WriteLine("| intent | contained | handover reasons |");
            Console.WriteLine("|---|---|---|");
            foreach (var intent in outcomes.GroupBy(o => o.Intent).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var reasons = intent.Where(o => o.Result != "Contained").GroupBy(o => o.Reason ?? o.Result).Select(g => $"{g.Key} ×{g.Count()}");
                Console.WriteLine($"| {intent.Key} | {intent.Count(o => o.Result == "Contained")} of {intent.Count()} | {string.Join("; ", reasons)} |");
            }
        }
    }

    // One visitor's chat, answered by the script until the assistant is done with it.
    private static async Task<Outcome> ConverseAsync(Uri server, HttpClient api, string inboxToken, IntentExample phrase, int number)
    {
        using var visitor = Servers.Http(server);
        var session = await (await visitor.PostAsJsonAsync("/widget/v1/sessions", new { inboxToken })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        visitor.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", session.GetProperty("visitorToken").GetString());
        var started = await (await visitor.PostAsJsonAsync("/widget/v1/conversations", new { clientId = ClientId(), text = phrase.Text })).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonElement>();
        var conversationId = started.GetProperty("conversation").GetProperty("id").GetGuid();
        long seen = 1;
        var turns = 0;
        for (var waited = 0; waited < 400; waited++)
        {
            var state = await api.GetFromJsonAsync<JsonElement>($"/api/v1/conversations/{conversationId}/assistant");
            if (state.GetProperty("outcome").GetString() is { } outcome and not "Active")
            {
                return new Outcome(phrase.Intent, outcome, state.GetProperty("handoverReason").GetString(), turns);
            }

            var messages = (await visitor.GetFromJsonAsync<JsonElement>($"/widget/v1/conversations/{conversationId}/messages?after={seen}")).EnumerateArray().ToList();
            var said = messages.Where(m => m.GetProperty("kind").GetString() == "outgoing").Select(m => m.GetProperty("text").GetString() ?? "").ToList();
            if (said.Count == 0)
            {
                await Task.Delay(25);
                continue;
            }

            seen = messages.Max(m => m.GetProperty("sequence").GetInt64());
            if (Answer(string.Join("\n", said), phrase.Intent, number) is { } answer)
            {
                turns++;
                (await visitor.PostAsJsonAsync($"/widget/v1/conversations/{conversationId}/messages", new { clientId = ClientId(), text = answer })).EnsureSuccessStatusCode();
            }
        }

        throw new TimeoutException($"The assistant did not finish with “{phrase.Text}”.");
    }

    // What the scripted visitor says to what the assistant just said; null to wait for more.
    private static string? Answer(string said, string intent, int number)
    {
        if (said.Contains("Did that solve it?", StringComparison.Ordinal))
        {
            return Answers[intent].Any(title => said.Contains(title, StringComparison.Ordinal)) ? FlowRun.YesReply : FlowRun.NoReply;
        }

        if (said.Contains("order number", StringComparison.OrdinalIgnoreCase))
        {
            return "10482";
        }

        if (said.Contains("What email address", StringComparison.Ordinal))
        {
            return $"visitor{number}@example.com";
        }

        return said.Contains("not sure", StringComparison.Ordinal) ? FlowRun.PersonReply : null;
    }

    private static async Task<JsonElement> StarterInboxAsync(HttpClient api)
    {
        var inbox = await (await api.PostAsJsonAsync("/api/v1/inboxes", new { name = "Starter assistant", channel = "WebWidget" })).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonElement>();
        var inboxId = inbox.GetProperty("id").GetGuid();
        (await api.PutAsJsonAsync($"/api/v1/inboxes/{inboxId}/assistant", new { isEnabled = true, definition = AssistantFlows.Starter })).EnsureSuccessStatusCode();
        return inbox;
    }

    private static async Task WaitForTrainingAsync(HttpClient api)
    {
        for (var tries = 0; tries < 600; tries++)
        {
            if ((await api.GetFromJsonAsync<JsonElement>("/api/v1/assistant/intents/model")).GetProperty("status").GetString() == "Trained")
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The demo intents were not trained within a minute.");
    }

    private static string ClientId() => "b_" + Guid.NewGuid().ToString("N");
}
