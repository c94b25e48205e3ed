using Microsoft.Playwright;

namespace Porchlight.E2E.Infrastructure;

/// <summary>The widget's parts on a host page: the launcher in the loader's shadow root and the chat frame.</summary>
public static class WidgetLocators
{
    public static ILocator Launcher(IPage page) => page.Locator("porchlight-widget button.l");

    /// <summary>The bubble above the launcher: the inbox's greeting, or a proactive message.</summary>
    public static ILocator Bubble(IPage page) => page.Locator("porchlight-widget .g");

    public static ILocator ChatFrame(IPage page) => page.Locator("porchlight-widget iframe");

    /// <summary>The content of the chat frame.</summary>
    public static IFrameLocator Chat(IPage page) => page.FrameLocator("porchlight-widget iframe");
}
