using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Routing;

/// <summary>The kinds of conversation an agent's caps are counted in: a chat needs more attention than an email.</summary>
public enum RoutingChannel
{
    Chat = 0,
    Email = 1,
    Api = 2,
}

/// <summary>
/// How many active conversations (open or pending, assigned to the agent) an agent may hold at once, per channel.
/// A channel's own cap wins over <see cref="All"/>; a cap left out falls back to the next level (agent → workspace →
/// <see cref="FallbackCap"/>). Zero is a real cap: the agent receives none of that channel.
/// </summary>
public sealed record ConcurrencyCaps(int? All = null, int? Chat = null, int? Email = null, int? Api = null)
{
    public const int MaxCap = 100;

    /// <summary>What a workspace starts with and what applies where nothing is set.</summary>
    public const int FallbackCap = 5;

    public static ConcurrencyCaps None { get; } = new();

    public static ConcurrencyCaps WorkspaceDefault { get; } = new(All: FallbackCap);

    public int? For(RoutingChannel channel) => channel switch
    {
        RoutingChannel.Chat => Chat,
        RoutingChannel.Email => Email,
        _ => Api,
    } ?? All;

    /// <summary>These caps with <paramref name="channel"/>'s own cap set to <paramref name="cap"/>.</summary>
    public ConcurrencyCaps With(RoutingChannel channel, int? cap) => channel switch
    {
        RoutingChannel.Chat => this with { Chat = cap },
        RoutingChannel.Email => this with { Email = cap },
        _ => this with { Api = cap },
    };

    /// <summary>The cap that applies to an agent with <paramref name="agentCaps"/> in a workspace with <paramref name="workspaceCaps"/>.</summary>
    public static int Effective(ConcurrencyCaps agentCaps, ConcurrencyCaps workspaceCaps, RoutingChannel channel) =>
        agentCaps.For(channel) ?? workspaceCaps.For(channel) ?? FallbackCap;

    public static RoutingChannel ChannelOf(ConversationOrigin origin) => origin switch
    {
        ConversationOrigin.OfflineForm or ConversationOrigin.Email => RoutingChannel.Email,
        ConversationOrigin.Api => RoutingChannel.Api,
        _ => RoutingChannel.Chat,
    };

    public static void Validate(FieldErrors errors, string field, ConcurrencyCaps? caps)
    {
        if (caps is null)
        {
            errors.Add(field, "Required: an object with all, chat, email and api (each 0–100 or null).");
            return;
        }

        foreach (var (name, value) in new[] { ("all", caps.All), ("chat", caps.Chat), ("email", caps.Email), ("api", caps.Api) })
        {
            if (value is < 0 or > MaxCap)
            {
                errors.Add($"{field}.{name}", $"0–{MaxCap}, or null to inherit.");
            }
        }
    }
}
