namespace Porchlight.Server.Features.Conversations;

/// <summary>
/// What the inbox's list can decide about a changed conversation without asking the database: whether it still
/// belongs under the agent's filter, and where it goes. The page asks the database again shortly after, so
/// these rules only have to be right for what a live event can change.
/// </summary>
public static class InboxList
{
    /// <summary>Whether the conversation passes the filter's fields; a search term cannot be checked here.</summary>
    public static bool Matches(ConversationFilter filter, ConversationResponse conversation, Guid me) =>
        filter.View switch
        {
            ConversationView.Mine => conversation.AssigneeId == me,
            ConversationView.Unassigned => conversation.AssigneeId is null,
            _ => true,
        }
        && (filter.Status is not { } status || conversation.Status == status)
        && (filter.InboxId is not { } inboxId || conversation.InboxId == inboxId)
        && (filter.TeamId is not { } teamId || conversation.TeamId == teamId)
        && (filter.Priority is not { } priority || conversation.Priority == priority)
        && (string.IsNullOrWhiteSpace(filter.Label) || conversation.Labels.Contains(filter.Label.Trim().ToLowerInvariant()));

    /// <summary>
    /// The list after a live change: the conversation replaced, added or dropped, and moved where the sort
    /// wants it. Under a search only conversations already listed are kept up to date, since whether a new one
    /// matches the term is for the database to say.
    /// </summary>
    public static List<ConversationResponse> Apply(
        IReadOnlyList<ConversationResponse> list, ConversationResponse changed, ConversationFilter filter, Guid me)
    {
        var index = IndexOf(list, changed.Id);
        var listed = index >= 0;
        var result = list.Where(c => c.Id != changed.Id).ToList();
        if (!Matches(filter, changed, me) || (!listed && !string.IsNullOrWhiteSpace(filter.Search)))
        {
            return result;
        }

        switch (filter.Sort)
        {
            case ConversationSort.Newest:
            case ConversationSort.Priority:
                var at = result.FindIndex(c => Compare(changed, c, filter.Sort) < 0);
                result.Insert(at < 0 ? result.Count : at, changed);
                break;
            default:
                // Oldest waiting needs when the contact last wrote, which the list does not carry: a listed
                // conversation keeps its place, a new one (its contact just wrote) waits least, so goes last.
                result.Insert(listed ? Math.Min(index, result.Count) : result.Count, changed);
                break;
        }

        return result;
    }

    private static int IndexOf(IReadOnlyList<ConversationResponse> list, Guid id)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].Id == id)
            {
                return i;
            }
        }

        return -1;
    }

    // Negative when a belongs before b; the database's order for the same sort.
    private static int Compare(ConversationResponse a, ConversationResponse b, ConversationSort sort)
    {
        if (sort == ConversationSort.Priority && a.Priority != b.Priority)
        {
            return b.Priority.CompareTo(a.Priority);
        }

        var byActivity = b.LastActivityAt.CompareTo(a.LastActivityAt);
        return byActivity != 0 ? byActivity : b.Id.CompareTo(a.Id);
    }
}
