using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Porchlight.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Porchlight.E2E;

/// <summary>
/// Quality management in the demo workspace: the Owner draws last week's sample and scores a supervisor's conversation
/// with a remark on a message; the supervisor reads it under My feedback and disputes it; both calibrate on one
/// conversation and see their agreement; an agent flags a missing article and the Owner finds it under Flags.
/// </summary>
public sealed class QualityTests : BrowserTest
{
    private const string Marco = "Marco Bianchi";

    [Fact]
    public async Task Quality_DemoWorkspace_ReviewDisputeCalibrationAndFlag()
    {
        await SeedDemoWorkspaceAsync();
        var dana = await SignInAsync("owner@demo.porchlight.test", "porchlight-demo", "Dana Whitfield");

        // Sampling is set up in the demo; drawing last week fills the reviewers' queues.
        await OpenInteractiveAsync(dana, "/quality?view=sampling");
        await dana.Locator("#sampling-draw").ClickAsync();
        await Expect(dana.Locator(".mud-snackbar")).ToContainTextAsync("assigned for review");
        await OpenInteractiveAsync(dana, "/quality");
        var marcosReview = dana.Locator("#reviews-table tr", new() { HasText = Marco }).First;
        await Expect(marcosReview).ToBeVisibleAsync();
        await Screenshot(dana, "quality-queue");

        // Greeting yes (weight 1), understanding 4 of 5 (2), accuracy 5 of 5 (3), tone 3 of 3 (2), resolution yes (2): 9.5 of 10.
        await marcosReview.GetByRole(AriaRole.Link, new() { Name = "Review" }).ClickAsync();
        await Expect(dana.Locator("#review-status")).ToHaveTextAsync("Assigned");
        await Point(dana, "Greeting", "Yes");
        await Point(dana, "Understanding", "4");
        await Point(dana, "Accuracy", "5");
        await Point(dana, "Tone and empathy", "3");
        await Point(dana, "Resolution", "Yes");
        await dana.Locator(".pl-review-remark-add").First.ClickAsync();
        await dana.GetByRole(AriaRole.Textbox, new() { Name = "Remark on this message" }).FillAsync("Ask for the order number right away.");
        await dana.Locator("#review-comment").FillAsync("Friendly and right. Ask for the order number first next time.");
        await Expect(dana.Locator("#review-total")).ToHaveTextAsync("95%");
        await Screenshot(dana, "quality-review");
        await dana.Locator("#review-submit").ClickAsync();
        await Expect(dana.Locator("#review-status")).ToHaveTextAsync("Submitted");

        // Marco reads it under My feedback and disputes it.
        var marco = await SignInAsync("marco@demo.porchlight.test", "porchlight-demo", Marco);
        await OpenInteractiveAsync(marco, "/my-feedback");
        var feedback = marco.Locator(".pl-feedback-item").First;
        await Expect(feedback).ToContainTextAsync("95%");
        await Expect(feedback).ToContainTextAsync("Ask for the order number first next time.");
        await Screenshot(marco, "my-feedback");
        await feedback.GetByRole(AriaRole.Link, new() { Name = "Read and answer" }).ClickAsync();
        await Expect(marco.Locator("[data-remark]")).ToHaveTextAsync("Ask for the order number right away.");
        await marco.Locator("#review-dispute").ClickAsync();
        await Expect(marco.Locator(".pl-form-error")).ToContainTextAsync("Required");
        await marco.Locator("#review-answer-note").FillAsync("The customer gave the order number in the first message.");
        await marco.Locator("#review-dispute").ClickAsync();
        await Expect(marco.Locator("#review-status")).ToHaveTextAsync("Disputed");
        await OpenInteractiveAsync(dana, "/quality?view=reviews");
        await dana.Locator("#reviews-status").SelectOptionAsync("Disputed");
        await Expect(dana.Locator("#reviews-table tbody tr")).ToHaveCountAsync(1);

        // Both calibrate on the first conversation of the inbox; the agreement shows once both have scored.
        await OpenInteractiveAsync(dana, "/inbox");
        await dana.Locator(".pl-conversation-row").First.ClickAsync();
        await dana.Locator("#quality-actions").ClickAsync();
        await dana.GetByText("Calibrate with other reviewers").ClickAsync();
        await dana.Locator("#calibration-name").FillAsync("Week 12 calibration");
        await dana.Locator("#calibration-agent").SelectOptionAsync(new SelectOptionValue { Label = "Lena Fischer" });
        await dana.Locator("#calibration-form label", new() { HasText = "Dana Whitfield" }).Locator("input").CheckAsync();
        await dana.Locator("#calibration-form label", new() { HasText = Marco }).Locator("input").CheckAsync();
        await dana.Locator("#calibration-start").ClickAsync();
        await Expect(dana.Locator("#calibration-hidden")).ToBeVisibleAsync();
        var session = dana.Url;
        await OpenInteractiveAsync(marco, new Uri(session).PathAndQuery);
        await Expect(marco.Locator("#calibration-hidden")).ToBeVisibleAsync(); // Dana's scores stay hidden until he gives his
        await Point(marco, "Greeting", "Yes");
        await Point(marco, "Accuracy", "3");
        await marco.Locator("#review-submit").ClickAsync();
        // Saved once the button offers to change them: only then has Marco scored when Dana gives hers.
        await Expect(marco.Locator("#review-submit")).ToHaveTextAsync("Change my scores");
        await Point(dana, "Greeting", "Yes");
        await Point(dana, "Accuracy", "5");
        await dana.Locator("#review-submit").ClickAsync();
        // Greeting agrees fully, accuracy is half the scale apart: 75%.
        await Expect(dana.Locator("#calibration-agreement-total")).ToHaveTextAsync("75%");
        await Screenshot(dana, "quality-calibration");

        // An agent flags the conversation; it lands under Flags.
        var lena = await SignInAsync("lena@demo.porchlight.test", "porchlight-demo", "Lena Fischer");
        await OpenInteractiveAsync(lena, "/inbox");
        await lena.Locator(".pl-conversation-row").First.ClickAsync();
        await lena.Locator("#quality-actions").ClickAsync();
        // The demo's website chat asks no survey: asking for feedback says how to turn it on.
        await lena.GetByText("Ask the contact for feedback").ClickAsync();
        await Expect(lena.Locator(".mud-snackbar")).ToContainTextAsync("The conversation's inbox asks no survey; turn its survey on first.");
        await lena.Locator("#quality-actions").ClickAsync();
        await lena.GetByText("Flag a problem…").ClickAsync();
        await lena.Locator("#flag-note").FillAsync("No article on returning sale items.");
        await lena.Locator("#flag-submit").ClickAsync();
        await Expect(lena.Locator(".mud-snackbar")).ToContainTextAsync("Flagged for the team leads.");
        await OpenInteractiveAsync(dana, "/quality?view=flags");
        await Expect(dana.Locator("#flags-table")).ToContainTextAsync("No article on returning sale items.");
        await Expect(dana.Locator("#flags-table")).ToContainTextAsync(new Regex("Missing article.*Lena Fischer", RegexOptions.Singleline));
        await Screenshot(dana, "quality-flags");
    }

    private static Task Point(IPage page, string criterion, string point) =>
        page.Locator($"fieldset[data-criterion='{criterion}']").GetByRole(AriaRole.Button, new() { Name = point, Exact = true }).ClickAsync();
}
