using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using Porchlight.Testing;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>
/// An Owner turns on two-factor sign-in on the profile page with an authenticator app (the tests' own, TestTotp), sees
/// the recovery codes and their sessions, and signs in again in another browser with the password and a code.
/// </summary>
public sealed class TwoFactorPagesTests : BrowserTest
{
    [Fact]
    public async Task TwoFactor_SetUpOnTheProfileThenSignInWithACode_EachStepShowsWhatItShould()
    {
        var page = await Browser.NewPageAsync();
        await SetUpWorkspaceAsync(page, "Acme Support");

        await OpenInteractiveAsync(page, "/settings/profile");
        await Expect(page.Locator("#two-factor-state")).ToContainTextAsync("off");
        await Expect(page.Locator("#sessions-table")).ToContainTextAsync("This session");
        await page.Locator("#set-up-two-factor").ClickAsync();
        var key = (await page.Locator("#authenticator-key").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal);
        await Expect(page.Locator("#authenticator-uri")).ToContainTextAsync("otpauth://totp/Porchlight:");
        await Screenshot(page, "two-factor-1-setup");
        var confirmedAt = DateTimeOffset.UtcNow;
        var code = page.Locator("#two-factor-code");
        await code.FillAsync(TestTotp.Code(key, confirmedAt));
        await code.PressAsync("Tab");
        await page.Locator("#confirm-two-factor").ClickAsync();
        await Expect(page.Locator("#recovery-codes li")).ToHaveCountAsync(10);
        await Screenshot(page, "two-factor-2-recovery-codes");
        await page.Locator("#codes-saved").ClickAsync();
        await Expect(page.Locator("#two-factor-state")).ToContainTextAsync("10 of 10 recovery codes left");

        // Another browser: the password leads to the second step; a code of a later step (each is taken once) signs in.
        var other = await Browser.NewPageAsync();
        await other.GotoAsync(Server.Url("/signin"));
        await other.Locator("#email").FillAsync(OwnerEmail);
        await other.Locator("#password").FillAsync(OwnerPassword);
        await other.Locator("#sign-in").ClickAsync();
        await Expect(other.Locator("#code")).ToBeVisibleAsync();
        await Screenshot(other, "two-factor-3-sign-in");
        var nextStep = (confirmedAt.ToUnixTimeSeconds() / 30 + 1) * 30;
        var wait = DateTimeOffset.FromUnixTimeSeconds(nextStep) - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait + TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        }

        await other.Locator("#code").FillAsync(TestTotp.Code(key, DateTimeOffset.UtcNow));
        await other.Locator("#verify").ClickAsync();
        await Expect(other.Locator("#signed-in-as")).ToHaveTextAsync(OwnerName);

        // Back in the first browser: two sessions; signing the other out ends it.
        await OpenInteractiveAsync(page, "/settings/profile");
        await Expect(page.Locator("#sessions-table tbody tr")).ToHaveCountAsync(2);
        await Screenshot(page, "two-factor-4-sessions");
        await page.Locator("#end-other-sessions").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out others" }).ClickAsync();
        await Expect(page.Locator("#sessions-table tbody tr")).ToHaveCountAsync(1);
        await other.ReloadAsync();
        await Expect(other).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"));
    }
}
