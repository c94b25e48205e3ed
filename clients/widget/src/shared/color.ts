const fallback = "#1F6FEB";

/** The inbox colour when it is a plain #RRGGBB, else the default: it ends up inside CSS text. */
export function safeColor(color: unknown): string {
  return typeof color === "string" && /^#[0-9a-f]{6}$/i.test(color) ? color : fallback;
}

/** Black or white, whichever reads better on the given #RRGGBB background (WCAG relative luminance). */
export function textOn(color: string): string {
  const channel = (i: number) => {
    const c = parseInt(color.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  // Contrast with white is 1.05 / (L + 0.05); with near-black (#111, L about 0.0056) it is (L + 0.05) / 0.0556.
  return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.0556 ? "#fff" : "#111";
}
