using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;
using Porchlight.Testing;

namespace Porchlight.Server.Tests.Infrastructure;

/// <summary>A mailbox on the <see cref="MailServer"/>; the address is also its IMAP user name.</summary>
public sealed record MailAccount(string Address, string Password);

/// <summary>
/// A real IMAP server for the tests: Dovecot from the Debian package (dovecot-imapd) with a private configuration in a
/// temp folder, on 127.0.0.1 and a free port, without TLS, killed and removed when disposed. Accounts live in a
/// passwd-file that grows as tests add them; mail is put into an INBOX over IMAP APPEND, as if it had been delivered.
/// </summary>
public sealed class MailServer : IAsyncLifetime
{
    private const string Dovecot = "/usr/sbin/dovecot";
    private const string Domain = "acme.test";
    private const int StartAttempts = 3;
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(30);

    // The folder must be traversable by Dovecot's own users (its login and mail processes do not run as root).
    private const UnixFileMode Traversable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly SemaphoreSlim _usersLock = new(1, 1);
    private readonly List<string> _userLines = [];
    private readonly HashSet<string> _addresses = new(StringComparer.Ordinal);
    private readonly StringBuilder _output = new();
    private string? _directory;
    private Process? _process;

    public string Host { get; } = "127.0.0.1";

    public int ImapPort { get; private set; }

    private string Folder => _directory ?? throw new InvalidOperationException("The mail server has not started.");

    private string UsersPath => Path.Combine(Folder, "users");

    private string LogPath => Path.Combine(Folder, "dovecot.log");

    public async ValueTask InitializeAsync()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The mail server for the tests runs Dovecot from the Debian package: Linux only.");
        }

        if (!File.Exists(Dovecot))
        {
            throw new InvalidOperationException($"Dovecot is not installed ({Dovecot} is missing); ./test.sh installs the Debian package dovecot-imapd.");
        }

        // Under /tmp and short on purpose: Dovecot's unix sockets live in base_dir, and socket paths are limited to ~100 characters.
        _directory = "/tmp/pl-imap-" + RandomNumberGenerator.GetHexString(8, lowercase: true);
        try
        {
            Directory.CreateDirectory(_directory, Traversable);
            var mail = Directory.CreateDirectory(Path.Combine(_directory, "mail"), Traversable).FullName;
            await WriteUsersAsync();
            var identity = await ProcessIdentity.CurrentAsync();
            if (identity.IsRoot)
            {
                // The mail processes run as `dovecot` and create each user's maildir in here.
                await RunAsync("chown", "dovecot:dovecot", mail);
            }

            for (var attempt = 1; ; attempt++)
            {
                // A token in the greeting tells our Dovecot from whatever else may have taken the port in the meantime.
                var greeting = "Porchlight test IMAP " + RandomNumberGenerator.GetHexString(8, lowercase: true) + " ready.";
                ImapPort = LoopbackPorts.Free();
                var config = Path.Combine(_directory, "dovecot.conf");
                await File.WriteAllTextAsync(config, Configuration(identity, greeting));
                StartDovecot(config);
                if (await WaitForGreetingAsync(greeting))
                {
                    return;
                }

                // The port was taken between LoopbackPorts.Free() and Dovecot's bind: try another one.
                await StopDovecotAsync();
                if (attempt == StartAttempts)
                {
                    throw new InvalidOperationException($"Dovecot could not listen on a free port in {StartAttempts} attempts.{Diagnostics()}");
                }

                // A fresh start: no sockets or log lines of the attempt that failed.
                Directory.Delete(Path.Combine(_directory, "run"), recursive: true);
                File.Delete(LogPath);
                lock (_output)
                {
                    _output.Clear();
                }
            }
        }
        catch
        {
            // Whether or not xunit disposes a fixture whose start failed, leave no process or folder behind.
            await DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopDovecotAsync();
        if (_directory is not null && Directory.Exists(_directory))
        {
            await DeleteFolderAsync(_directory);
        }

        _usersLock.Dispose();
    }

    /// <summary>
    /// Adds a mailbox with a random password: <c>support-&lt;8 hex&gt;@acme.test</c>, or <paramref name="name"/> (a local
    /// part, completed with @acme.test, or a whole address). Returns once the account can log in.
    /// </summary>
    public async Task<MailAccount> CreateAccountAsync(string? name = null)
    {
        var address = name is null ? $"support-{RandomNumberGenerator.GetHexString(8, lowercase: true)}@{Domain}"
            : name.Contains('@') ? name : $"{name}@{Domain}";
        // The passwd-file is colon-separated, one account a line; Dovecot lower-cases user names before the lookup.
        if (address.Any(c => c == ':' || char.IsWhiteSpace(c) || char.IsControl(c) || char.IsUpper(c)))
        {
            throw new ArgumentException($"'{address}' cannot be an account here: use lower case, without colons or spaces.", nameof(name));
        }

        var account = new MailAccount(address, RandomNumberGenerator.GetHexString(16, lowercase: true));
        await _usersLock.WaitAsync();
        try
        {
            if (!_addresses.Add(address))
            {
                throw new InvalidOperationException($"The account {address} exists already.");
            }

            _userLines.Add($"{address}:{{PLAIN}}{account.Password}");
            await WriteUsersAsync();
        }
        finally
        {
            _usersLock.Release();
        }

        await WaitUntilAccountWorksAsync(account);
        return account;
    }

    /// <summary>Puts <paramref name="message"/> into the INBOX of <paramref name="account"/>, unread, as a delivery would.</summary>
    public async Task<UniqueId> DeliverAsync(MailAccount account, MimeMessage message, CancellationToken ct)
    {
        using var client = await ConnectAsync(account, ct);
        var uid = await client.Inbox.AppendAsync(new AppendRequest(message, MessageFlags.None), ct)
            ?? throw new InvalidOperationException("Dovecot did not report the UID of the appended message (UIDPLUS).");
        await client.DisconnectAsync(quit: true, ct);
        return uid;
    }

    /// <summary>Every message in the INBOX of <paramref name="account"/>, oldest first; reading them leaves their flags alone.</summary>
    public async Task<IReadOnlyList<MimeMessage>> ReadInboxAsync(MailAccount account, CancellationToken ct)
    {
        using var client = await ConnectAsync(account, ct);
        // EXAMINE, not SELECT: fetching bodies must not mark them \Seen, which the code under test may rely on.
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly, ct);
        var messages = new List<MimeMessage>(client.Inbox.Count);
        for (var index = 0; index < client.Inbox.Count; index++)
        {
            messages.Add(await client.Inbox.GetMessageAsync(index, ct));
        }

        await client.DisconnectAsync(quit: true, ct);
        return messages;
    }

    /// <summary>An IMAP client logged in as <paramref name="account"/>, for checks beyond the INBOX's messages (flags, folders).</summary>
    public async Task<ImapClient> ConnectAsync(MailAccount account, CancellationToken ct)
    {
        var client = new ImapClient { Timeout = (int)ClientTimeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(Host, ImapPort, SecureSocketOptions.None, ct);
            await client.AuthenticateAsync(account.Address, account.Password, ct);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private string Configuration(ProcessIdentity identity, string greeting) => $$"""
        # Written by MailServer for one test run.
        base_dir = {{Folder}}/run
        state_dir = {{Folder}}/state
        log_path = {{LogPath}}
        protocols = imap
        listen = 127.0.0.1
        login_greeting = {{greeting}}
        ssl = no
        disable_plaintext_auth = no
        auth_mechanisms = plain login
        # Why a login failed shows in dovecot.log.
        auth_verbose = yes
        # A wrong password is answered within half a second instead of two, so tests of it stay quick.
        auth_failure_delay = 0
        mail_location = maildir:{{Folder}}/mail/%u
        # Nothing here has to survive a power cut.
        mail_fsync = never
        # The package's `dovecot` user has a system uid, below the default limit of 500.
        first_valid_uid = 0
        default_internal_user = {{identity.InternalUser}}
        default_internal_group = {{identity.InternalGroup}}
        default_login_user = {{identity.LoginUser}}
        passdb {
          driver = passwd-file
          args = scheme=PLAIN username_format=%u {{UsersPath}}
        }
        userdb {
          driver = static
          args = uid={{identity.InternalUser}} gid={{identity.InternalGroup}} home={{Folder}}/mail/%u
        }
        service imap-login {
          chroot =
          inet_listener imap {
            address = 127.0.0.1
            port = {{ImapPort}}
          }
          inet_listener imaps {
            port = 0
          }
        }
        service anvil {
          chroot =
          # No socket for the auth penalty: every test logs in from 127.0.0.1, and after a few wrong passwords
          # (tests of them) Dovecot would hold back every further failure from there by up to 15 seconds.
          unix_listener anvil-auth-penalty {
            mode = 0
          }
        }

        """;

    private void StartDovecot(string config)
    {
        var info = new ProcessStartInfo(Dovecot)
        {
            // In the foreground, so the fixture owns the master process and can kill it with its children.
            ArgumentList = { "-F", "-c", config },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    /// <summary>True once our Dovecot greets on the port; false when it quit because the port was taken.</summary>
    private async Task<bool> WaitForGreetingAsync(string greeting)
    {
        var process = _process!;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                if (Diagnostics().Contains("Address already in use", StringComparison.Ordinal))
                {
                    return false;
                }

                throw new InvalidOperationException($"Dovecot exited with code {process.ExitCode} while starting.{Diagnostics()}");
            }

            try
            {
                using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(Host, ImapPort, attempt.Token);
                using var reader = new StreamReader(tcp.GetStream(), Encoding.ASCII);
                var line = await reader.ReadLineAsync(attempt.Token);
                if (line is not null && line.StartsWith("* OK", StringComparison.Ordinal) && line.Contains(greeting, StringComparison.Ordinal))
                {
                    return true;
                }
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
                // Not listening (or not greeting) yet.
            }

            if (clock.Elapsed > StartupTimeout)
            {
                throw new TimeoutException($"Dovecot did not greet on {Host}:{ImapPort} within {StartupTimeout.TotalSeconds} s.{Diagnostics()}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Logs in as the new account until it works. Dovecot notices a changed passwd-file at the next lookup, but stats it
    /// at most once per second: a lookup earlier in the same second (for another account) still sees the old file.
    /// </summary>
    private async Task WaitUntilAccountWorksAsync(MailAccount account)
    {
        using var timeout = new CancellationTokenSource(ClientTimeout);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var client = await ConnectAsync(account, timeout.Token);
                await client.DisconnectAsync(quit: true, timeout.Token);
                return;
            }
            catch (AuthenticationException) when (attempt < 4)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(1100 - DateTime.UtcNow.Millisecond), timeout.Token);
            }
            catch (AuthenticationException e)
            {
                throw new InvalidOperationException($"The new account {account.Address} cannot log in.{Diagnostics()}", e);
            }
        }
    }

    /// <summary>Replaces the passwd-file in one step (write, then rename), so Dovecot never reads half a line.</summary>
    private async Task WriteUsersAsync()
    {
        var next = UsersPath + ".next";
        await File.WriteAllLinesAsync(next, _userLines);
        if (!OperatingSystem.IsWindows())
        {
            // The auth process runs as Dovecot's internal user, not as root.
            File.SetUnixFileMode(next, Readable);
        }

        File.Move(next, UsersPath, overwrite: true);
    }

    private async Task StopDovecotAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        try
        {
            // The master with its login, auth and mail processes.
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited already.
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // A child that outlived the master may still hold the output pipes; the process is gone all the same.
        }

        process.Dispose();
    }

    private static async Task DeleteFolderAsync(string directory)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
                return;
            }
            catch (IOException) when (attempt < 10)
            {
                // A killed mail process may not be gone yet and still write into its maildir.
                await Task.Delay(200);
            }
        }
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>What Dovecot said on its console and the end of its log, for error messages.</summary>
    private string Diagnostics()
    {
        string output;
        lock (_output)
        {
            output = _output.ToString();
        }

        string log;
        try
        {
            log = string.Join('\n', File.ReadLines(LogPath).TakeLast(40));
        }
        catch (IOException)
        {
            log = "(no log)";
        }

        return $"\n--- dovecot output ---\n{output}\n--- {LogPath} ---\n{log}";
    }

    private static async Task<string> RunAsync(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output} {await error}");
        }

        return (await output).Trim();
    }

    /// <summary>
    /// Whom Dovecot's processes run as. As root (CI), the package's users, as Dovecot expects; otherwise everything
    /// runs as the current user, which Dovecot allows when it is not started as root.
    /// </summary>
    private sealed record ProcessIdentity(bool IsRoot, string InternalUser, string InternalGroup, string LoginUser)
    {
        public static async Task<ProcessIdentity> CurrentAsync()
        {
            if (await RunAsync("id", "-u") == "0")
            {
                return new ProcessIdentity(IsRoot: true, "dovecot", "dovecot", "dovenull");
            }

            var user = await RunAsync("id", "-un");
            return new ProcessIdentity(IsRoot: false, user, await RunAsync("id", "-gn"), user);
        }
    }
}
