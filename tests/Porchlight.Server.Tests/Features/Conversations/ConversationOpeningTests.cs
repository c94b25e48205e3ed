using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Features.Privacy;

namespace Porchlight.Server.Tests.Features.Conversations;

public sealed class ConversationOpeningTests
{
    private static readonly DateTime Now = new(2026, 12, 1, 9, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Opening_ProactiveGreetingThenAFileThenText_IsTheContactsFirstText()
    {
        var conversation = Conversation.Start(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), 1, ConversationOrigin.Chat, "opening", Now);

        Record(conversation, MessageKind.Outgoing, "Hi! Can we help you choose a tent?");
        Assert.Null(conversation.Opening);
        Record(conversation, MessageKind.Incoming, "");
        Assert.Null(conversation.Opening);
        Record(conversation, MessageKind.Incoming, "The zip of my tent is broken");
        Record(conversation, MessageKind.Incoming, "Can you send a new one?");

        Assert.Equal("The zip of my tent is broken", conversation.Opening);
    }

    [Fact]
    public void Opening_LongMessageWithAnEmojiAcrossTheLimit_ShortenedWithoutHalfOfIt()
    {
        var conversation = Conversation.Start(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), 1, ConversationOrigin.Chat, "opening", Now);
        var start = new string('a', Conversation.MaxOpeningLength - 1);

        Record(conversation, MessageKind.Incoming, start + "🙂" + new string('b', 100)); // the emoji takes two chars: the limit's and the next

        Assert.Equal(start, conversation.Opening);
    }

    private static void Record(Conversation conversation, MessageKind kind, string text) =>
        conversation.Record(Message.Create(conversation, conversation.LastSequence + 1, $"m{conversation.LastSequence + 1:D8}", kind, null, text, Now, PiiDetectors.None));
}
