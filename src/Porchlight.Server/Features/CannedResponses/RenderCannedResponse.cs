using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.CannedResponses;

public sealed record RenderedCannedResponse(string Text);

/// <summary>A canned response's text filled in for one conversation, ready for the agent to edit and send.</summary>
public sealed class RenderCannedResponse(AppDbContext db, ActingAgent actor)
{
    public async Task<Result<RenderedCannedResponse>> HandleAsync(Guid conversationId, Guid cannedResponseId, CancellationToken cancellationToken)
    {
        var conversation = await db.Conversations.AsNoTracking().Where(c => c.Id == conversationId)
            .Select(c => new { c.ContactId }).FirstOrDefaultAsync(cancellationToken);
        if (conversation is null)
        {
            return Failure.NotFound("The conversation");
        }

        if (await db.CannedResponses.AsNoTracking().VisibleTo(actor).FirstOrDefaultAsync(c => c.Id == cannedResponseId, cancellationToken) is not { } response)
        {
            return CannedResponseRules.NotFound;
        }

        var contact = await db.Contacts.AsNoTracking().Where(c => c.Id == conversation.ContactId)
            .Select(c => new { c.Name, c.Email }).FirstOrDefaultAsync(cancellationToken);
        var agentName = await db.Agents.Where(a => a.Id == actor.AgentId).Select(a => a.DisplayName).FirstOrDefaultAsync(cancellationToken) ?? actor.Name;
        return new RenderedCannedResponse(CannedResponseTemplate.Fill(response.Text, new Dictionary<string, string>
        {
            ["contact.name"] = contact?.Name ?? "",
            ["contact.firstName"] = contact?.Name?.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "",
            ["contact.email"] = contact?.Email ?? "",
            ["agent.name"] = agentName,
        }));
    }
}

/// <summary>
/// Fills <c>{{contact.name}}</c>-style placeholders (case and inner spaces do not matter). Values go in as
/// plain text, exactly as stored, in one pass: a contact named "{{agent.name}}" stays that, and nothing is
/// HTML-encoded because the result is message text, which every client renders escaped. Unknown
/// placeholders are left as written, so the agent sees what was not filled.
/// </summary>
public static partial class CannedResponseTemplate
{
    public static readonly string[] Placeholders = ["contact.name", "contact.firstName", "contact.email", "agent.name"];

    public static string Fill(string text, IReadOnlyDictionary<string, string> values)
    {
        var byName = new Dictionary<string, string>(values, StringComparer.OrdinalIgnoreCase);
        return Placeholder().Replace(text, match => byName.TryGetValue(match.Groups[1].Value, out var value) ? value : match.Value);
    }

    [GeneratedRegex(@"\{\{\s*([A-Za-z]+\.[A-Za-z]+)\s*\}\}")]
    private static partial Regex Placeholder();
}
