using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Porchlight.Server.Data;
using Porchlight.Server.Features.Workspaces;

namespace Porchlight.Server.Features.Agents;

/// <summary>
/// The one judge of a new password, wherever one is set (invitation, setup, change, reset): at least the workspace's
/// minimum length (10 unless the workspace says otherwise, 8 to 128), at least four different characters, not one of
/// the most common passwords (<see cref="CommonPasswords"/>), and not containing the name of the agent's email address.
/// No composition rules: length is what makes a password strong (NIST SP 800-63B).
/// </summary>
public sealed class PasswordPolicy(AppDbContext db) : IPasswordValidator<Agent>
{
    public const int RequiredUniqueChars = 4;

    /// <summary>Names of email addresses shorter than this ("jo@…") are too common a part of words to refuse.</summary>
    private const int ShortestEmailName = 3;

    public async Task<IdentityResult> ValidateAsync(UserManager<Agent> manager, Agent user, string? password)
    {
        password ??= "";
        var minimum = await db.Workspaces.IgnoreQueryFilters().Where(w => w.Id == user.WorkspaceId)
            .Select(w => (int?)w.MinPasswordLength).FirstOrDefaultAsync() ?? Workspace.DefaultMinPasswordLength;
        var errors = new List<IdentityError>();
        if (password.Length < minimum)
        {
            errors.Add(new IdentityError { Code = "PasswordTooShort", Description = $"Use at least {minimum} characters." });
        }
        else if (password.Distinct().Count() < RequiredUniqueChars)
        {
            errors.Add(new IdentityError { Code = "PasswordRequiresUniqueChars", Description = $"Use at least {RequiredUniqueChars} different characters." });
        }

        if (CommonPasswords.Contains(password))
        {
            errors.Add(new IdentityError { Code = "PasswordTooCommon", Description = "This is one of the most common passwords, the first ones an attacker tries. Choose another." });
        }

        var emailName = (user.Email ?? "").Split('@')[0].Trim();
        if (emailName.Length >= ShortestEmailName && password.Contains(emailName, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(new IdentityError { Code = "PasswordContainsEmail", Description = "Do not use the name of your email address in your password." });
        }

        return errors.Count == 0 ? IdentityResult.Success : IdentityResult.Failed([.. errors]);
    }
}

/// <summary>
/// A few hundred of the passwords people choose most often (embedded, CommonPasswords.txt). A password is refused when
/// it is one of them, ignoring case, also once digits and symbols at its end are taken off ("Sunshine2024!") and common
/// letter swaps are undone ("p@ssw0rd").
/// </summary>
public static class CommonPasswords
{
    private static readonly Lazy<HashSet<string>> List = new(Load);

    public static int Count => List.Value.Count;

    public static bool Contains(string password)
    {
        var lower = password.Trim().ToLowerInvariant();
        var stem = lower.TrimEnd("0123456789!@#$%^&*()-_=+.,;:?'\"~` ".ToCharArray());
        string[] candidates = [lower, stem, Unswapped(lower), Unswapped(stem), lower.Replace(" ", "", StringComparison.Ordinal)];
        return candidates.Any(c => c.Length > 0 && List.Value.Contains(c));
    }

    private static string Unswapped(string text) => string.Create(text.Length, text, (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            span[i] = source[i] switch
            {
                '@' or '4' => 'a',
                '0' => 'o',
                '1' or '!' => 'i',
                '3' => 'e',
                '$' or '5' => 's',
                '7' => 't',
                _ => source[i],
            };
        }
    });

    private static HashSet<string> Load()
    {
        using var stream = typeof(CommonPasswords).Assembly.GetManifestResourceStream("CommonPasswords.txt")
            ?? throw new InvalidOperationException("The list of common passwords is not embedded.");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                set.Add(line.Trim().ToLowerInvariant());
            }
        }

        return set;
    }
}
