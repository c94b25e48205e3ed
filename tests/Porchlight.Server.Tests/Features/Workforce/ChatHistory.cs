using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Contacts;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Tests.Api;
using Porchlight.Server.Tests.Infrastructure;

namespace Porchlight.Server.Tests.Features.Workforce;

/// <summary>A chat inbox with a history of a known daily shape: what the staffing plan learns from.</summary>
internal static class ChatHistory
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById(TestWorkspace.TimeZone);

    /// <summary>Staffing settings to plan with: 80% within 30 s, a quarter shrinkage, 2 chats at once of 8 minutes each.</summary>
    public static readonly object PlanSettings = new
    {
        serviceLevelPercent = 80, answerWithinSeconds = 30, maxAverageWaitSeconds = (int?)null, maxOccupancyPercent = (int?)null,
        shrinkagePercent = 25, chatsPerAgent = 2, handleTimeSeconds = 480, historyWeeks = 8,
    };

    /// <summary>
    /// A chat inbox whose last <paramref name="days"/> days (before today, in the workspace's zone) held
    /// <paramref name="shape"/> every day: so many chats in the half hour from each start. They are written straight into
    /// the database, as history is: these chats are long over.
    /// </summary>
    public static async Task<Guid> SeedAsync(
        PorchlightFactory factory, Guid workspaceId, HttpClient owner, int days, IReadOnlyList<(TimeOnly Start, int Chats)> shape, CancellationToken cancellationToken)
    {
        var inboxId = (await owner.PostJsonAsync("/api/v1/inboxes", new { name = $"Chat {Guid.NewGuid():N}", channel = "WebWidget" })
            .ExpectAsync(HttpStatusCode.Created)).IdOf();
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var today = TestWorkspace.Today(TimeProvider.System);
        var number = 0;
        foreach (var day in Enumerable.Range(1, days).Select(back => today.AddDays(-back)))
        {
            foreach (var (start, chats) in shape)
            {
                for (var chat = 0; chat < chats; chat++)
                {
                    var local = day.ToDateTime(start).AddSeconds(chat * 1800.0 / chats);
                    var at = TimeZoneInfo.ConvertTimeToUtc(local, Berlin);
                    var contact = Contact.Create(workspaceId, null, at);
                    var conversation = Conversation.Start(workspaceId, inboxId, contact.Id, ++number, ConversationOrigin.Chat, null, at);
                    contact.ClearDomainEvents();
                    conversation.ClearDomainEvents();
                    db.AddRange(contact, conversation);
                }
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        return inboxId;
    }
}
