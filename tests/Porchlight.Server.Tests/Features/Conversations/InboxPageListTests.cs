using Porchlight.Server.Features.Conversations;

namespace Porchlight.Server.Tests.Features.Conversations;

/// <summary>How the inbox's list follows live changes before the database answers again.</summary>
public sealed class InboxPageListTests
{
    private static readonly Guid Me = Guid.CreateVersion7();
    private static readonly DateTime Start = new(2026, 11, 25, 9, 0, 0, DateTimeKind.Utc);

    private static ConversationResponse Conversation(
        int number, int minutes, ConversationStatus status = ConversationStatus.Open, Guid? assignee = null,
        ConversationPriority priority = ConversationPriority.None, params string[] labels) => new(
        new Guid(number, 0, 0, new byte[8]), number, Guid.Empty, new ContactSummary(Guid.Empty, $"Contact {number}", null), ConversationOrigin.Chat,
        status, null, priority, assignee, null, labels, new Dictionary<string, string>(), 1, 0, 1, $"Message {number}", Start, Start.AddMinutes(minutes), null, null);

    private static List<int> Numbers(IEnumerable<ConversationResponse> list) => [.. list.Select(c => c.Number)];

    [Fact]
    public void Apply_NewMessageInAnOlderConversation_MovesItToTheTopUnderNewest()
    {
        List<ConversationResponse> list = [Conversation(3, 30), Conversation(2, 20), Conversation(1, 10)];

        var after = InboxList.Apply(list, Conversation(1, 40) with { LastMessagePreview = "New!" }, new ConversationFilter(), Me);

        Assert.Equal([1, 3, 2], Numbers(after));
        Assert.Equal("New!", after[0].LastMessagePreview);
    }

    [Fact]
    public void Apply_NewConversation_AppearsWhereItsActivitySortsIt()
    {
        List<ConversationResponse> list = [Conversation(3, 30), Conversation(1, 10)];

        Assert.Equal([4, 3, 1], Numbers(InboxList.Apply(list, Conversation(4, 50), new ConversationFilter(), Me)));
        Assert.Equal([3, 2, 1], Numbers(InboxList.Apply(list, Conversation(2, 20), new ConversationFilter(), Me)));
    }

    [Fact]
    public void Apply_ResolvedWhileListingOpen_LeavesTheList()
    {
        List<ConversationResponse> list = [Conversation(2, 20), Conversation(1, 10)];

        var after = InboxList.Apply(list, Conversation(2, 25, ConversationStatus.Resolved), new ConversationFilter(), Me);

        Assert.Equal([1], Numbers(after));
    }

    [Fact]
    public void Apply_MineView_KeepsOnlyConversationsAssignedToMe()
    {
        var filter = new ConversationFilter(View: ConversationView.Mine);
        List<ConversationResponse> list = [Conversation(1, 10, assignee: Me)];

        Assert.Equal([1], Numbers(InboxList.Apply(list, Conversation(2, 20, assignee: Guid.CreateVersion7()), filter, Me)));
        Assert.Equal([2, 1], Numbers(InboxList.Apply(list, Conversation(2, 20, assignee: Me), filter, Me)));
        Assert.Empty(InboxList.Apply(list, Conversation(1, 30, assignee: null), filter, Me));
    }

    [Fact]
    public void Apply_UnderASearch_UpdatesListedConversationsButAddsNone()
    {
        var filter = new ConversationFilter(Search: "refund");
        List<ConversationResponse> list = [Conversation(1, 10)];

        Assert.Equal([1], Numbers(InboxList.Apply(list, Conversation(2, 20), filter, Me)));
        Assert.Equal("Updated", InboxList.Apply(list, Conversation(1, 30) with { LastMessagePreview = "Updated" }, filter, Me)[0].LastMessagePreview);
    }

    [Fact]
    public void Apply_PrioritySort_PlacesUrgentFirstThenByActivity()
    {
        var filter = new ConversationFilter(Sort: ConversationSort.Priority);
        List<ConversationResponse> list = [Conversation(1, 10, priority: ConversationPriority.High), Conversation(2, 20, priority: ConversationPriority.Low)];

        Assert.Equal([3, 1, 2], Numbers(InboxList.Apply(list, Conversation(3, 5, priority: ConversationPriority.Urgent), filter, Me)));
        Assert.Equal([1, 4, 2], Numbers(InboxList.Apply(list, Conversation(4, 5, priority: ConversationPriority.Medium), filter, Me)));
    }

    [Fact]
    public void Apply_OldestWaiting_KeepsAListedConversationInPlace()
    {
        var filter = new ConversationFilter(Sort: ConversationSort.OldestWaiting);
        List<ConversationResponse> list = [Conversation(1, 10), Conversation(2, 20), Conversation(3, 30)];

        Assert.Equal([1, 2, 3], Numbers(InboxList.Apply(list, Conversation(2, 40), filter, Me)));
        Assert.Equal([1, 2, 3, 4], Numbers(InboxList.Apply(list, Conversation(4, 50), filter, Me)));
    }

    [Theory]
    [InlineData("billing", true)]
    [InlineData(" Billing ", true)]
    [InlineData("vip", false)]
    public void Matches_LabelFilter_ComparesLikeTheDatabase(string label, bool expected) =>
        Assert.Equal(expected, InboxList.Matches(new ConversationFilter(Label: label), Conversation(1, 10, labels: ["billing"]), Me));
}
