using System.Security.Claims;
using Porchlight.Server.Components;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Contacts;

/// <summary>Tags as the contacts pages let people type them: one text, separated by commas.</summary>
public static class TagText
{
    public static List<string> Parse(string? text) =>
        [.. (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    public static string Format(IEnumerable<string>? tags) => string.Join(", ", tags ?? []);
}

/// <summary>
/// Whether the contacts pages show the controls that keep companies, segments and attribute definitions; the use cases
/// themselves refuse anyone else (<see cref="ContactManagers"/>).
/// </summary>
public static class ContactsAccess
{
    public static bool MayManage(ClaimsPrincipal user) =>
        PorchlightClaims.Grants(user, Permission.ManageContacts);

    /// <summary>Export a contact's data and erase a contact (privacy requests).</summary>
    public static bool MayHandlePrivacyRequests(ClaimsPrincipal user) =>
        PorchlightClaims.Grants(user, Permission.HandlePrivacyRequests);
}

/// <summary>The workspace's companies for a select: every page of them, by name.</summary>
public static class CompanyChoices
{
    /// <summary>More than a select can offer usefully; the contacts list still filters by any company through its link.</summary>
    public const int MaxChoices = 1000;

    public static Task<List<CompanyView>> LoadAsync(UseCaseRunner runner) =>
        runner.RunAsync<CompanyCommands, List<CompanyView>>(async commands =>
        {
            var companies = new List<CompanyView>();
            Guid? after = null;
            do
            {
                var page = await commands.ListAsync(null, new PageRequest(PageRequest.MaxLimit, after), CancellationToken.None);
                if (!page.Succeeded)
                {
                    break;
                }

                companies.AddRange(page.Value!.Items);
                after = page.Value.NextCursor is { } cursor ? Guid.Parse(cursor) : null;
            }
            while (after is not null && companies.Count < MaxChoices);

            companies.Sort((a, b) => string.Compare(a.Name, b.Name, StringComparison.CurrentCultureIgnoreCase));
            return companies;
        });
}
