using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;
using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Features.Surveys;

/// <summary>How the satisfaction question is asked: five stars, five faces, or not at all.</summary>
public enum RatingStyle
{
    None = 0,
    Stars = 1,
    Emoji = 2,
}

/// <summary>
/// The survey an inbox asks after a conversation: satisfaction (CSAT, 1–5), effort (CES, "How easy was it to get
/// help?", 1–7), likelihood to recommend (NPS, 0–10) and a comment, each on or off. Off for an inbox never set.
/// </summary>
public sealed class SurveySettings : Entity, IWorkspaceOwned, IAudited
{
    private SurveySettings()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public Guid InboxId { get; private set; }

    public bool IsEnabled { get; private set; }

    public RatingStyle Rating { get; private set; } = RatingStyle.Stars;

    public bool AskEffort { get; private set; }

    public bool AskRecommend { get; private set; }

    public bool AskComment { get; private set; } = true;

    public DateTime UpdatedAt { get; private set; }

    public static SurveySettings For(Guid workspaceId, Guid inboxId) => new() { WorkspaceId = workspaceId, InboxId = inboxId };

    public void Change(bool isEnabled, RatingStyle rating, bool askEffort, bool askRecommend, bool askComment, DateTime now) =>
        (IsEnabled, Rating, AskEffort, AskRecommend, AskComment, UpdatedAt) = (isEnabled, rating, askEffort, askRecommend, askComment, now);
}

/// <summary>How a survey reached the contact.</summary>
public enum SurveyChannel
{
    /// <summary>In the chat widget, after the resolve.</summary>
    Widget = 0,

    /// <summary>Asked by an agent (or through the API) while the conversation was still going.</summary>
    Requested = 1,

    /// <summary>By an emailed link, to a contact who is not in the chat (a conversation begun with the offline form).</summary>
    Email = 2,
}

/// <summary>
/// A conversation's survey: asked (requested, or shown after the resolve) and, once the contact answers, its answers.
/// One per conversation; the contact can change the answer for <see cref="EditWindow"/> after first giving it, then it
/// stands. The scores count for the agent who had the conversation when the contact first answered (or, when nobody
/// had it, the last person who replied) and for its team then.
/// </summary>
public sealed class SurveyResponse : Entity, IWorkspaceOwned
{
    public const int MaxCommentLength = 2000;

    public static readonly TimeSpan EditWindow = TimeSpan.FromMinutes(15);

    private SurveyResponse()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public Guid ConversationId { get; private set; }

    public SurveyChannel Channel { get; private set; }

    public DateTime RequestedAt { get; private set; }

    public DateTime? AnsweredAt { get; private set; }

    public DateTime? ChangedAt { get; private set; }

    public Guid? AgentId { get; private set; }

    public Guid? TeamId { get; private set; }

    /// <summary>Satisfaction, 1 (very unhappy) to 5 (very happy).</summary>
    public int? Rating { get; private set; }

    /// <summary>Effort, 1 (very difficult) to 7 (very easy).</summary>
    public int? Effort { get; private set; }

    /// <summary>Likelihood to recommend, 0 to 10.</summary>
    public int? Recommend { get; private set; }

    public string? Comment { get; private set; }

    public bool IsAnswered => AnsweredAt is not null;

    public static SurveyResponse Ask(Conversation conversation, SurveyChannel channel, DateTime now)
    {
        var response = new SurveyResponse { WorkspaceId = conversation.WorkspaceId, ConversationId = conversation.Id, Channel = channel, RequestedAt = now };
        if (channel == SurveyChannel.Email)
        {
            response.Raise(new SurveyEmailDue(conversation.WorkspaceId, conversation.Id));
        }

        return response;
    }

    /// <summary>Whether the contact may still give or change the answer at <paramref name="now"/>.</summary>
    public bool CanAnswer(DateTime now) => AnsweredAt is not { } first || now <= first + EditWindow;

    /// <param name="agentId">Who the scores count for, if this is the first answer (see above).</param>
    public void Answer(Conversation conversation, Guid? agentId, int? rating, int? effort, int? recommend, string? comment, DateTime now)
    {
        if (AnsweredAt is null)
        {
            (AnsweredAt, AgentId, TeamId) = (now, agentId, conversation.TeamId);
        }
        else
        {
            ChangedAt = now;
        }

        (Rating, Effort, Recommend, Comment) = (rating, effort, recommend, string.IsNullOrWhiteSpace(comment) ? null : comment.Trim());
        Raise(new SurveyAnswered(WorkspaceId, ConversationId, rating, effort, recommend));
    }
}

/// <summary>A survey was asked by email: the link goes out from the outbox, after the commit that asked it.</summary>
public sealed record SurveyEmailDue(Guid WorkspaceId, Guid ConversationId) : IDomainEvent;

/// <summary>The contact answered a conversation's survey, or changed the answer.</summary>
public sealed record SurveyAnswered(Guid WorkspaceId, Guid ConversationId, int? Rating, int? Effort, int? Recommend) : IDomainEvent;

internal sealed class SurveySettingsConfiguration : IEntityTypeConfiguration<SurveySettings>
{
    public void Configure(EntityTypeBuilder<SurveySettings> builder)
    {
        builder.Property(s => s.Rating).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(s => s.InboxId).IsUnique();
        builder.HasOne<Inboxes.Inbox>().WithMany().HasForeignKey(s => s.InboxId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SurveyResponseConfiguration : IEntityTypeConfiguration<SurveyResponse>
{
    public void Configure(EntityTypeBuilder<SurveyResponse> builder)
    {
        builder.Ignore(s => s.IsAnswered);
        builder.Property(s => s.Channel).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.Comment).HasMaxLength(SurveyResponse.MaxCommentLength);
        builder.HasIndex(s => s.ConversationId).IsUnique();
        builder.HasIndex(s => new { s.WorkspaceId, s.AnsweredAt });
        builder.HasOne<Conversation>().WithMany().HasForeignKey(s => s.ConversationId).OnDelete(DeleteBehavior.Cascade);
    }
}
