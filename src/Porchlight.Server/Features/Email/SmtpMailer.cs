using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Conversations;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Email;

/// <summary>The <c>Email:Smtp</c> configuration section. Without a host, Porchlight sends no email.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Email:Smtp";

    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public string? Username { get; set; }

    public string? Password { get; set; }

    public string From { get; set; } = "Porchlight <no-reply@localhost>";

    /// <summary>Auto: STARTTLS when the server offers it (implicit TLS on port 465).</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.Auto;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);
}

/// <summary>
/// Sends system email (password resets; mail to a conversation's contact when no mailbox is chosen for it) through
/// the one SMTP server of the configuration, from its address.
/// </summary>
public sealed class SmtpMailer(IOptions<SmtpOptions> options)
{
    public bool IsConfigured => options.Value.IsConfigured;

    public MailboxAddress From => MailboxAddress.Parse(options.Value.From);

    public Task SendAsync(string to, string subject, string text, CancellationToken cancellationToken)
    {
        var message = new MimeMessage { Subject = subject, Body = new TextPart("plain") { Text = text } };
        message.From.Add(From);
        message.To.Add(MailboxAddress.Parse(to));
        return SendAsync(message, cancellationToken);
    }

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var smtp = options.Value;
        using var client = new SmtpClient();
        var host = smtp.Host ?? throw new InvalidOperationException($"{SmtpOptions.Section}:Host is not set.");
        await client.ConnectAsync(host, smtp.Port, smtp.Security, cancellationToken);
        if (!string.IsNullOrEmpty(smtp.Username))
        {
            await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", cancellationToken);
        }

        await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }
}

public static class EmailFeature
{
    public static IServiceCollection AddEmail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SmtpOptions>().Bind(configuration.GetSection(SmtpOptions.Section));
        services.AddOptions<EmailInboxOptions>().Bind(configuration.GetSection(EmailInboxOptions.Section));
        services.AddSingleton<SmtpMailer>();
        services.AddDomainEventHandler<MessagePosted, EmailReplies>();
        services.AddDomainEventHandler<OfflineReplyWritten, EmailReplies>();
        services.AddScoped<ConversationMail>();
        services.AddSingleton<MailConnections>();
        services.AddSingleton<EmailPoller>();
        services.AddHostedService(sp => sp.GetRequiredService<EmailPoller>());
        services.AddScoped<EmailChannels>();
        services.AddScoped<OfflineEmailSettings>();
        services.AddScoped<EmailIntake>();
        return services;
    }

    public static void MapEmailInboxes(this RouteGroupBuilder api)
    {
        var email = api.MapGroup("/inboxes/{inboxId:guid}/email").WithTags("Email inboxes").RequirePermission(Permission.ManageInboxes);
        email.MapGet("/", async (Guid inboxId, EmailChannels channels, CancellationToken ct) => (await channels.GetAsync(inboxId, ct)).ToOk())
            .Produces<EmailChannelResponse>().ProducesProblem(StatusCodes.Status409Conflict);
        email.MapPut("/", async (Guid inboxId, EmailChannelRequest request, EmailChannels channels, CancellationToken ct) =>
                (await channels.SaveAsync(inboxId, request, ct)).ToOk())
            .Produces<EmailChannelResponse>().ProducesProblem(StatusCodes.Status409Conflict);
        email.MapPost("/test", async (Guid inboxId, EmailChannels channels, CancellationToken ct) => (await channels.TestAsync(inboxId, ct)).ToOk())
            .Produces<EmailConnectionTest>().ProducesProblem(StatusCodes.Status409Conflict);

        var offline = api.MapGroup("/inboxes/{inboxId:guid}/offline-email").WithTags("Email inboxes").RequirePermission(Permission.ManageInboxes);
        offline.MapGet("/", async (Guid inboxId, OfflineEmailSettings settings, CancellationToken ct) => (await settings.GetAsync(inboxId, ct)).ToOk())
            .Produces<OfflineEmailResponse>().ProducesProblem(StatusCodes.Status409Conflict);
        offline.MapPut("/", async (Guid inboxId, OfflineEmailRequest request, OfflineEmailSettings settings, CancellationToken ct) =>
                (await settings.SaveAsync(inboxId, request, ct)).ToOk())
            .Produces<OfflineEmailResponse>().ProducesProblem(StatusCodes.Status409Conflict);
    }
}
