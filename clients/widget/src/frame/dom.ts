// DOM building without HTML parsing: message text and names only ever reach the page as text nodes,
// and links only with an http, https or mailto address.

type Child = Node | string | null | undefined | false;
type Props = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const key in props) {
    const value = props[key];
    if (value == null || value === false) continue;
    if (typeof value === "function") element.addEventListener(key.slice(2), value);
    else if (key === "class") element.className = String(value);
    else element.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child != null && child !== false) element.append(child); // strings become text nodes
  }
  return element;
}

const svgNs = "http://www.w3.org/2000/svg";

/** A 24×24 icon drawn from one path. */
export function icon(path: string): SVGSVGElement {
  const svg = document.createElementNS(svgNs, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const shape = document.createElementNS(svgNs, "path");
  shape.setAttribute("d", path);
  svg.append(shape);
  return svg;
}

export const icons = {
  close: "M18.3 5.7a1 1 0 0 0-1.4 0L12 10.6 7.1 5.7a1 1 0 0 0-1.4 1.4l4.9 4.9-4.9 4.9a1 1 0 1 0 1.4 1.4l4.9-4.9 4.9 4.9a1 1 0 0 0 1.4-1.4L13.4 12l4.9-4.9a1 1 0 0 0 0-1.4z",
  back: "M15.7 5.3a1 1 0 0 1 0 1.4L10.4 12l5.3 5.3a1 1 0 0 1-1.4 1.4l-6-6a1 1 0 0 1 0-1.4l6-6a1 1 0 0 1 1.4 0z",
  send: "M3.4 20.4 21 12.8a.9.9 0 0 0 0-1.6L3.4 3.6a.9.9 0 0 0-1.2 1.1L4.6 11H13a1 1 0 0 1 0 2H4.6l-2.4 6.3a.9.9 0 0 0 1.2 1.1z",
  attach:
    "M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10z",
  plus: "M12 4a1 1 0 0 1 1 1v6h6a1 1 0 1 1 0 2h-6v6a1 1 0 1 1-2 0v-6H5a1 1 0 1 1 0-2h6V5a1 1 0 0 1 1-1z",
  help: "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 15.5a1.25 1.25 0 1 1 0-2.5 1.25 1.25 0 0 1 0 2.5zm1.3-5.2c-.6.4-.8.7-.8 1.2v.3h-2v-.4c0-1.2.5-1.9 1.5-2.6.8-.5 1.2-.9 1.2-1.6 0-.8-.6-1.3-1.4-1.3-.9 0-1.5.6-1.6 1.5H8.2C8.3 7.3 9.8 6 12 6c2.1 0 3.6 1.2 3.6 3 0 1.4-.8 2.2-2.3 3.3z",
  file: "M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8zm-1 7V3.5L18.5 9z",
};

/** The address when it is absolute http(s) or mailto (or relative to this page), else null. */
export function safeUrl(address: string | null | undefined, allowMail = false): string | null {
  if (!address) return null;
  try {
    const url = new URL(address, location.href);
    return url.protocol === "https:" || url.protocol === "http:" || (allowMail && url.protocol === "mailto:") ? url.href : null;
  } catch {
    return null;
  }
}

export function link(address: string, label: string | Node): HTMLAnchorElement {
  return h("a", { href: address, target: "_blank", rel: "noopener noreferrer" }, label);
}

// URLs (with a scheme or starting with www.) and email addresses in plain text.
const linkPattern = /\b(?:https?:\/\/|www\.)[^\s<>"]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b/gi;

/** An address found in text: where it starts, what was typed, and the safe address it links to. */
export interface FoundLink {
  start: number;
  label: string;
  address: string;
}

/** The URLs and email addresses in the text that may become links (http, https, mailto), in order. */
export function findLinks(text: string): FoundLink[] {
  const found: FoundLink[] = [];
  for (const match of text.matchAll(linkPattern)) {
    let label = match[0];
    // Punctuation that ends a sentence is not part of the address, nor a formatting mark closed right after it
    // ("**https://example.com**"); a ")" is, when the address opened one.
    for (;;) {
      const end = label.slice(-1);
      if (/[.,;:!?'"*~]/.test(end) || (end === ")" && label.split("(").length <= label.split(")").length - 1)) label = label.slice(0, -1);
      else break;
    }
    const email = !/^(https?:\/\/|www\.)/i.test(label);
    const address = safeUrl(email ? "mailto:" + label : /^www\./i.test(label) ? "https://" + label : label, email);
    if (address) found.push({ start: match.index || 0, label, address });
  }
  return found;
}

export function initials(name: string | null | undefined): string {
  const words = (name || "").trim().split(/\s+/).filter(Boolean);
  return ((words[0]?.[0] || "") + (words.length > 1 ? words[words.length - 1][0] : "")).toUpperCase() || "?";
}

/** A random client id (21 characters of [A-Za-z0-9_-]), the idempotency key of one message. */
export function clientId(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
  return Array.from(crypto.getRandomValues(new Uint8Array(21)), (byte) => alphabet[byte & 63]).join("");
}
