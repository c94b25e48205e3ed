namespace Porchlight.Server.Features.Conversations;

/// <summary>The <c>Conversations</c> configuration section.</summary>
public sealed class ConversationOptions
{
    public const string Section = "Conversations";

    /// <summary>How long after sending an agent may still edit or delete their reply or note.</summary>
    public TimeSpan MessageEditWindow { get; set; } = TimeSpan.FromMinutes(15);
}
