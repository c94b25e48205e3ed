using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Quality;

public sealed record FlagRequest(FlagKind? Kind, string? Note);

public sealed record CloseFlagRequest(string? Resolution);

public sealed record FlagResponse(
    Guid Id, Guid ConversationId, FlagKind Kind, string Note, Guid RaisedBy, DateTime RaisedAt, Guid? ClosedBy, DateTime? ClosedAt, string? Resolution)
{
    public static FlagResponse From(ConversationFlag f) => new(f.Id, f.ConversationId, f.Kind, f.Note, f.RaisedBy, f.RaisedAt, f.ClosedBy, f.ClosedAt, f.Resolution);
}

/// <summary>Agents' feedback on problems beyond a conversation: raised by any agent on a conversation, listed and closed by team leads.</summary>
public sealed class Flags(AppDbContext db, ActingAgent actor, TimeProvider clock)
{
    public async Task<Result<FlagResponse>> RaiseAsync(Guid conversationId, FlagRequest request, CancellationToken cancellationToken)
    {
        if (await db.Conversations.AsNoTracking().FirstOrDefaultAsync(c => c.Id == conversationId, cancellationToken) is not { } conversation)
        {
            return Failure.NotFound("The conversation");
        }

        var errors = new FieldErrors().Required("note", request.Note, ConversationFlag.MaxNoteLength);
        if (request.Kind is not { } kind || !Enum.IsDefined(kind))
        {
            errors.Add("kind", "MissingArticle, WrongArticle, ToolIssue, ProcessProblem, ProductBug or Other.");
        }

        if (errors.Any)
        {
            return errors.ToFailure();
        }

        var flag = db.ConversationFlags.Add(ConversationFlag.Raise(conversation, request.Kind!.Value, request.Note!, actor.AgentId, clock.GetUtcNow().UtcDateTime)).Entity;
        await db.SaveChangesAsync(cancellationToken);
        return FlagResponse.From(flag);
    }

    public async Task<Result<List<FlagResponse>>> OfConversationAsync(Guid conversationId, CancellationToken cancellationToken) =>
        await db.Conversations.AnyAsync(c => c.Id == conversationId, cancellationToken)
            ? (await db.ConversationFlags.AsNoTracking().Where(f => f.ConversationId == conversationId).OrderBy(f => f.RaisedAt).ToListAsync(cancellationToken))
                .ConvertAll(FlagResponse.From)
            : Failure.NotFound("The conversation");

    /// <summary>The workspace's flags, open ones (oldest first, as a queue) or closed ones (latest first).</summary>
    public async Task<List<FlagResponse>> ListAsync(bool open, CancellationToken cancellationToken)
    {
        var query = db.ConversationFlags.AsNoTracking().Where(f => (f.ClosedAt == null) == open);
        query = open ? query.OrderBy(f => f.RaisedAt) : query.OrderByDescending(f => f.ClosedAt);
        return (await query.Take(PageRequest.MaxLimit).ToListAsync(cancellationToken)).ConvertAll(FlagResponse.From);
    }

    public async Task<Result<FlagResponse>> CloseAsync(Guid flagId, CloseFlagRequest request, CancellationToken cancellationToken)
    {
        if (await db.ConversationFlags.FirstOrDefaultAsync(f => f.Id == flagId, cancellationToken) is not { } flag)
        {
            return Failure.NotFound("The flag");
        }

        var errors = new FieldErrors().MaxLength("resolution", request.Resolution, ConversationFlag.MaxNoteLength);
        if (errors.Any)
        {
            return errors.ToFailure();
        }

        if (!flag.IsOpen)
        {
            return Failure.Conflict("This flag is closed already.");
        }

        flag.Close(actor.AgentId, request.Resolution, clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        return FlagResponse.From(flag);
    }
}
