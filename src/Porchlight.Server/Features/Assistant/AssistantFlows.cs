using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Assistant;

/// <summary>
/// An inbox's assistant as saved: <c>version</c> 0 (and a starter flow) when it has never been saved. With
/// <c>botWebhookId</c> an external bot answers through that webhook instead of the flow.
/// </summary>
public sealed record AssistantFlowResponse(Guid InboxId, bool IsEnabled, int Version, FlowDefinition Definition, Guid? BotWebhookId, DateTime? UpdatedAt);

public sealed record AssistantFlowRequest(bool? IsEnabled, FlowDefinition? Definition, Guid? BotWebhookId = null);

public sealed record FlowVersionResponse(int Number, DateTime CreatedAt, int Steps);

/// <summary>
/// A try of a flow in the editor: <c>definition</c> as it stands (saved or not), the <c>state</c> the previous turn
/// answered (null to start), and what the visitor writes (for a start, their opening message).
/// </summary>
public sealed record FlowPreviewRequest(FlowDefinition? Definition, FlowState? State, string? Text);

/// <summary>What the flow would say and change, and the state to send with the next preview turn.</summary>
public sealed record FlowPreviewResponse(List<FlowReply> Replies, List<string> Effects, FlowState State);

/// <summary>
/// The assistant's part in a conversation (<c>attended</c>): how it ended (or <c>Active</c>), the flow version it ran,
/// and what it learned.
/// </summary>
public sealed record AssistantSessionResponse(
    Guid ConversationId, bool Attended, FlowOutcome? Outcome, int? FlowVersion, string? Intent, double? Confidence, Dictionary<string, string> Fields,
    List<string> ArticlesOffered, bool? ArticlesHelped, string? HandoverReason, DateTime? StartedAt, DateTime? EndedAt);

/// <summary>Reads, saves and tries an inbox's assistant flow.</summary>
public sealed class AssistantFlows(
    AppDbContext db, ActingAgent actor, TimeProvider clock, AssistantTurns turns)
{
    public const int MaxVersionsListed = 50;

    /// <summary>What a new assistant starts from: a greeting, answers from the knowledge base, and a person when they do not help.</summary>
    public static FlowDefinition Starter { get; } = new([
        new FlowStep("greeting", "message", Text: "Hi! I'm the assistant. I can often find an answer right away, and a person from our team is always one step away.", Next: "articles"),
        new FlowStep("articles", "suggestArticles", Text: "These articles may answer your question:", ElseNext: "handover"),
        new FlowStep("handover", "handover"),
    ]);

    public async Task<Result<AssistantFlowResponse>> GetAsync(Guid inboxId, CancellationToken cancellationToken)
    {
        if (!await db.Inboxes.AnyAsync(i => i.Id == inboxId, cancellationToken))
        {
            return Failure.NotFound("The inbox");
        }

        var flow = await db.AssistantFlows.AsNoTracking().FirstOrDefaultAsync(f => f.InboxId == inboxId, cancellationToken);
        return flow is null ? new AssistantFlowResponse(inboxId, false, 0, Starter, null, null) : Describe(flow);
    }

    public async Task<Result<AssistantFlowResponse>> SaveAsync(Guid inboxId, AssistantFlowRequest request, CancellationToken cancellationToken)
    {
        if (!await db.Inboxes.AnyAsync(i => i.Id == inboxId, cancellationToken))
        {
            return Failure.NotFound("The inbox");
        }

        if (await ValidateAsync(request.Definition, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        if (request.BotWebhookId is { } webhookId && !await db.WebhookSubscriptions.AnyAsync(w => w.Id == webhookId, cancellationToken))
        {
            return Failure.Invalid("botWebhookId", "No webhook of this workspace has this id.");
        }

        var flow = await db.AssistantFlows.FirstOrDefaultAsync(f => f.InboxId == inboxId, cancellationToken);
        if (flow is null)
        {
            flow = AssistantFlow.Create(actor.WorkspaceId, inboxId);
            db.AssistantFlows.Add(flow);
        }

        if (flow.Change(request.Definition!, request.IsEnabled ?? flow.IsEnabled, request.BotWebhookId, clock.GetUtcNow().UtcDateTime) is { } version)
        {
            db.AssistantFlowVersions.Add(version);
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Two first saves of one inbox's flow raced (its unique index): the other one is the flow now.
            return Failure.Conflict("The flow was saved by someone else meanwhile; reload it and save again.");
        }

        return Describe(flow);
    }

    public async Task<Result<List<FlowVersionResponse>>> VersionsAsync(Guid inboxId, CancellationToken cancellationToken)
    {
        if (!await db.Inboxes.AnyAsync(i => i.Id == inboxId, cancellationToken))
        {
            return Failure.NotFound("The inbox");
        }

        var versions = await db.AssistantFlowVersions.AsNoTracking()
            .Where(v => db.AssistantFlows.Any(f => f.Id == v.FlowId && f.InboxId == inboxId))
            .OrderByDescending(v => v.Number).Take(MaxVersionsListed).ToListAsync(cancellationToken);
        return versions.ConvertAll(v => new FlowVersionResponse(v.Number, v.CreatedAt, v.Definition.Steps.Count));
    }

    /// <summary>The assistant's part in a conversation; <c>attended</c> false (and nothing else) when it had none.</summary>
    public async Task<Result<AssistantSessionResponse>> SessionAsync(Guid conversationId, CancellationToken cancellationToken)
    {
        if (!await db.Conversations.AnyAsync(c => c.Id == conversationId, cancellationToken))
        {
            return Failure.NotFound("The conversation");
        }

        var found = await db.AssistantSessions.AsNoTracking().Where(s => s.ConversationId == conversationId)
            .Join(db.AssistantFlowVersions, s => s.FlowVersionId, v => v.Id, (s, v) => new { Session = s, v.Number })
            .FirstOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return new AssistantSessionResponse(conversationId, false, null, null, null, null, [], [], null, null, null, null);
        }

        var (session, state) = (found.Session, found.Session.State);
        return new AssistantSessionResponse(
            conversationId, true, session.Outcome, found.Number, state.Intent, state.Confidence, state.Fields, state.ArticlesOffered, state.ArticlesHelped,
            session.Outcome == FlowOutcome.HandedOver ? state.HandoverReason : null, session.StartedAt, session.EndedAt);
    }

    /// <summary>
    /// Runs one turn of <paramref name="request"/>'s flow as a visitor with no details yet would meet it, against the
    /// workspace's real articles, intents, hours and team; nothing is stored.
    /// </summary>
    public async Task<Result<FlowPreviewResponse>> PreviewAsync(Guid inboxId, FlowPreviewRequest request, CancellationToken cancellationToken)
    {
        if (!await db.Inboxes.AnyAsync(i => i.Id == inboxId, cancellationToken))
        {
            return Failure.NotFound("The inbox");
        }

        if (await ValidateAsync(request.Definition, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        if (request.Text is not { } text || text.Trim().Length is 0 or > FlowDefinition.MaxTextLength)
        {
            return Failure.Invalid("text", $"What the visitor writes: 1–{FlowDefinition.MaxTextLength} characters.");
        }

        var run = await turns.RunForAsync(request.Definition!, actor.WorkspaceId, contact: null, cancellationToken);
        var turn = request.State is null ? await run.StartAsync(text, cancellationToken) : await run.ContinueAsync(FlowState.FromClient(request.State), text, cancellationToken);
        return new FlowPreviewResponse(turn.Replies, turn.Effects.ConvertAll(Describe), turn.State);
    }

    private async Task<Failure?> ValidateAsync(FlowDefinition? definition, CancellationToken cancellationToken)
    {
        var teams = await db.Teams.AsNoTracking().Select(t => t.Id).ToListAsync(cancellationToken);
        var errors = new FieldErrors();
        FlowDefinition.Validate(errors, definition, teams.Contains);
        return errors.Any ? errors.ToFailure() : null;
    }

    private static AssistantFlowResponse Describe(AssistantFlow flow) => new(flow.InboxId, flow.IsEnabled, flow.Version, flow.Definition, flow.BotWebhookId, flow.UpdatedAt);

    /// <summary>An effect in words, for the preview.</summary>
    public static string Describe(FlowEffect effect) => effect switch
    {
        FieldCollected f => $"Collects {f.Field}: {f.Value}",
        LabelAdded l => $"Adds label {l.Label}",
        PriorityChanged p => $"Sets priority {p.Priority}",
        IntentRecognised i => $"Recognises intent {i.Intent} ({i.Confidence:P0})",
        ResolvedByAssistant { Outcome: FlowOutcome.Contained } => "Resolves the conversation as self-served",
        ResolvedByAssistant => "Resolves the conversation",
        HandedOver h => $"Hands over to {(h.TeamId is null ? "routing" : "the flow's team")}: {h.Reason}",
        _ => effect.ToString(),
    };
}
