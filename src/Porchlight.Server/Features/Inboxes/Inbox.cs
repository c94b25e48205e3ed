using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Audit;
using Porchlight.Server.Features.Tracking;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Inboxes;

/// <summary>The kinds of channel an inbox can be. A kind is added only when it works end to end.</summary>
public enum InboxChannel
{
    /// <summary>The chat widget and tracker embedded in a website with a snippet.</summary>
    WebWidget = 0,

    /// <summary>Messages created and answered by an integration through the REST API.</summary>
    Api = 1,

    /// <summary>A mailbox read over IMAP; replies go out through SMTP (see Features/Email).</summary>
    Email = 2,
}

public enum WidgetPosition
{
    Right = 0,
    Left = 1,
}

/// <summary>A channel instance through which customers reach the workspace.</summary>
public sealed class Inbox : Entity, IWorkspaceOwned, IAudited
{
    public const int MaxNameLength = 60;
    public const int MaxGreetingLength = 80;
    public const int MaxWelcomeTextLength = 500;
    public const string DefaultColor = "#1F6FEB";

    private Inbox()
    {
    }

    public Guid WorkspaceId { get; private set; }

    public string Name { get; private set; } = "";

    public InboxChannel Channel { get; private set; }

    /// <summary>
    /// Public identifier written into the embed snippet. It is visible to anyone reading the host page,
    /// so it only names the inbox; it grants nothing an anonymous visitor could not already do.
    /// </summary>
    public string PublicToken { get; private set; } = "";

    public WidgetSettings Widget { get; private set; } = WidgetSettings.Default;

    /// <summary>What the widget asks before a visitor's first message; enforced when a conversation starts.</summary>
    public PreChatForm PreChatForm { get; private set; } = PreChatForm.Default;

    /// <summary>Whether and how the loader tracks visitors of the site (see docs/tracker.md).</summary>
    public TrackingSettings Tracking { get; private set; } = TrackingSettings.Default;

    /// <summary>
    /// The secret the host site signs user ids with (see <see cref="IdentitySecrets"/>), encrypted with the
    /// data-protection keys: a database dump alone does not let anyone impersonate the site's users.
    /// Null for inboxes created before identity verification existed; the first use fills it in.
    /// </summary>
    [AuditIgnore]
    public string? ProtectedIdentitySecret { get; private set; }

    /// <summary>When an admin last replaced the secret; audited, so a rotation shows in the trail without the secret.</summary>
    public DateTime? IdentitySecretRotatedAt { get; private set; }

    /// <summary>Identify only with a valid user hash; without one the visitor stays anonymous.</summary>
    public bool RequireIdentityVerification { get; private set; }

    /// <summary>The team whose queue a new conversation joins when no routing rule sends it elsewhere; none leaves it unassigned.</summary>
    public Guid? DefaultTeamId { get; private set; }

    /// <summary>
    /// For a web-widget inbox: the email inbox whose mailbox writes to the contacts the chat cannot reach (replies to
    /// the offline form, survey links), so that their answers come back into the conversation. None: the server's
    /// system address sends them, and answers to it reach nobody.
    /// </summary>
    public Guid? OfflineEmailInboxId { get; private set; }

    public DateTime CreatedAt { get; private set; }

    public static Inbox Create(
        Guid workspaceId, string name, InboxChannel channel, WidgetSettings widget, bool requireIdentityVerification, string protectedIdentitySecret, DateTime now,
        PreChatForm? preChatForm = null, TrackingSettings? tracking = null)
    {
        var inbox = new Inbox
        {
            WorkspaceId = workspaceId,
            Name = name.Trim(),
            Channel = channel,
            PublicToken = SecretToken.Create("inb")[..28],
            Widget = widget,
            PreChatForm = preChatForm ?? PreChatForm.Default,
            Tracking = tracking ?? TrackingSettings.Default,
            RequireIdentityVerification = requireIdentityVerification,
            ProtectedIdentitySecret = protectedIdentitySecret,
            CreatedAt = now,
        };
        inbox.Raise(new InboxCreated(workspaceId, inbox.Id, channel));
        return inbox;
    }

    public void Change(string name, WidgetSettings widget, PreChatForm preChatForm, TrackingSettings tracking, bool requireIdentityVerification)
    {
        Name = name.Trim();
        Widget = widget;
        PreChatForm = preChatForm;
        Tracking = tracking;
        RequireIdentityVerification = requireIdentityVerification;
    }

    public void RouteTo(Guid? teamId) => DefaultTeamId = teamId;

    public void SendOfflineEmailThrough(Guid? emailInboxId) => OfflineEmailInboxId = emailInboxId;

    public void RotateIdentitySecret(string protectedIdentitySecret, DateTime now)
    {
        ProtectedIdentitySecret = protectedIdentitySecret;
        IdentitySecretRotatedAt = now;
    }
}

/// <summary>How the launcher and chat frame of a web-widget inbox look and greet.</summary>
public sealed record WidgetSettings(string Color, WidgetPosition Position, string Greeting, string WelcomeText)
{
    public static WidgetSettings Default { get; } =
        new(Inbox.DefaultColor, WidgetPosition.Right, "Hi there 👋", "Ask us anything. We usually answer within a few minutes.");
}

public sealed record InboxCreated(Guid WorkspaceId, Guid InboxId, InboxChannel Channel) : IDomainEvent;

internal sealed class InboxConfiguration : IEntityTypeConfiguration<Inbox>
{
    public void Configure(EntityTypeBuilder<Inbox> builder)
    {
        builder.Property(i => i.Name).HasMaxLength(Inbox.MaxNameLength);
        builder.Property(i => i.Channel).HasConversion<string>().HasMaxLength(16);
        builder.Property(i => i.PublicToken).HasMaxLength(32);
        builder.Property(i => i.ProtectedIdentitySecret).HasMaxLength(IdentitySecrets.MaxProtectedLength);
        builder.HasIndex(i => i.PublicToken).IsUnique();
        builder.HasIndex(i => new { i.WorkspaceId, i.Name }).IsUnique();
        builder.ComplexProperty(i => i.Widget, widget =>
        {
            widget.Property(w => w.Color).HasColumnName("WidgetColor").HasMaxLength(7);
            widget.Property(w => w.Position).HasColumnName("WidgetPosition").HasConversion<string>().HasMaxLength(8);
            widget.Property(w => w.Greeting).HasColumnName("WidgetGreeting").HasMaxLength(Inbox.MaxGreetingLength);
            widget.Property(w => w.WelcomeText).HasColumnName("WidgetWelcomeText").HasMaxLength(Inbox.MaxWelcomeTextLength);
        });
        builder.Property(i => i.PreChatForm).HasConversion(JsonColumn.Converter(PreChatForm.Default), JsonColumn.Comparer<PreChatForm>());
        builder.Property(i => i.Tracking).HasConversion(JsonColumn.Converter(TrackingSettings.Default), JsonColumn.Comparer<TrackingSettings>());
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(i => i.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Teams.Team>().WithMany().HasForeignKey(i => i.DefaultTeamId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Inbox>().WithMany().HasForeignKey(i => i.OfflineEmailInboxId).OnDelete(DeleteBehavior.SetNull);
    }
}
