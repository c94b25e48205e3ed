// The only script on the host page: reads its <script> tag, draws the launcher in a shadow root, creates the
// chat frame on first open, relays the Porchlight JavaScript API to it, and runs the tracker. Budget: 4 KB gzipped.
import { safeColor, textOn } from "./shared/color";
import type { Identity, ToFrame, ToLoader, VisitorState } from "./shared/messages";
import { tracker, type Offer, type Tracker, type TrackingConfig } from "./tracker";

type Method = "open" | "close" | "toggle" | "identify" | "setAttributes" | "on" | "shutdown" | "track" | "consent";
type Listener = (value?: unknown) => void;
interface InboxConfig {
  name?: string;
  color?: string;
  position?: string;
  greeting?: string;
  tracking?: TrackingConfig;
  labels: string[]; // open, close, unread, dismiss, the frame's title, in the loader's language
}

// Full names (not built from a prefix) so that a test can find them in the bundle: the embed snippet that the
// server hands out writes data-porchlight-inbox.
const inboxAttribute = "data-porchlight-inbox";
const w = window as unknown as { Porchlight?: { q?: unknown[][]; v?: number } };

const chatIcon =
  '<svg class="c" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 3C6.5 3 2 6.8 2 11.5c0 2.4 1.2 4.6 3.1 6.1L4 21.5l4.6-2.1c1.1.3 2.2.5 3.4.5 5.5 0 10-3.8 10-8.4S17.5 3 12 3z"/></svg>';
// Two strokes; the launcher's styles draw them (.x path).
const closeIcon = '<svg class="x" viewBox="0 0 24 24" aria-hidden="true"><path d="M6 6l12 12M18 6 6 18"/></svg>';

function styles(color: string, side: string, launcher: boolean): string {
  const ink = textOn(color);
  const above = launcher ? 88 : 20;
  const font = "14px/1.4 system-ui,-apple-system,sans-serif";
  const shadow = "box-shadow:0 6px 24px rgba(0,0,0,.16),0 1px 4px rgba(0,0,0,.1)";
  return `:host{all:initial}*{box-sizing:border-box}
button{font:inherit;margin:0}
.l{position:fixed;bottom:20px;${side}:20px;width:56px;height:56px;border-radius:50%;border:0;padding:0;background:${color};color:${ink};${shadow};cursor:pointer;display:flex;align-items:center;justify-content:center;z-index:2147483000;transition:transform .15s}
.l:hover{transform:scale(1.06)}.l:focus-visible{outline:3px solid ${color};outline-offset:3px}
.l svg{width:28px;height:28px;fill:currentColor}.x path{stroke:currentColor;stroke-width:2.4;stroke-linecap:round}.x,.O .c{display:none}.O .x{display:block}
.b{position:absolute;top:-3px;right:-3px;min-width:20px;height:20px;padding:0 5px;border-radius:10px;background:#d1242f;color:#fff;font:600 12px/16px system-ui,sans-serif;border:2px solid #fff;text-align:center}
.g{position:fixed;bottom:${above}px;${side}:20px;max-width:min(280px,calc(100vw - 40px));display:flex;align-items:flex-start;background:#fff;color:#1f2328;border-radius:14px;${shadow};font:${font};z-index:2147483000}
.g button{background:none;border:0;color:inherit;cursor:pointer;text-align:start}.g b{display:block}.g .t{padding:12px 4px 12px 16px}.g .d{padding:6px 10px;font-size:18px;color:#656d76}
.f{position:fixed;bottom:${above}px;${side}:20px;width:380px;height:min(640px,calc(100vh - ${above + 20}px));border:0;border-radius:16px;background:#fff;${shadow};z-index:2147483001;color-scheme:light}
@starting-style{.f{opacity:0;transform:translateY(8px)}}.f{transition:opacity .18s,transform .18s}
@media (max-width:480px){.f{inset:0;width:100%;height:100%;border-radius:0}.O .l,.O .g{display:none}}
@media (prefers-reduced-motion:reduce){.l,.f{transition:none}}`;
}

(() => {
  if (w.Porchlight?.v) return; // the snippet is on the page twice
  const script =
    (document.currentScript as HTMLScriptElement | null) ??
    document.querySelector<HTMLScriptElement>(`script[${inboxAttribute}]`);
  const inbox = script?.getAttribute(inboxAttribute);
  if (!script || !inbox) return;
  const src = new URL(script.src, location.href);
  const origin = src.origin;
  const base = new URL("../", src).href; // Porchlight may live under a path
  const locale = /^de\b/i.test(script.getAttribute("data-porchlight-locale") || navigator.language) ? "de" : "en";
  let text: string[] = []; // the launcher's words, from the inbox's config
  const hideLauncher = script.hasAttribute("data-porchlight-hide-launcher");
  const storageKey = "porchlight:" + inbox;

  const listeners: Record<string, Listener[]> = {};
  const outbox: ToFrame[] = [];
  let deferred: [Method, unknown[]][] | null = [];
  let shadow: ShadowRoot | undefined;
  let root: HTMLElement | undefined;
  let button: HTMLButtonElement | undefined;
  let badge: HTMLElement | undefined;
  let greeting: HTMLElement | undefined;
  let frame: HTMLIFrameElement | undefined;
  let frameReady = false;
  let isOpen = false;
  let unread = 0;
  // Where the focus was when the chat opened without the launcher (the site's own button, say): it goes back there.
  let opener: Element | null = null;
  let tracking: Tracker | undefined;

  // The host page's own storage; a browser may refuse it (privacy settings): the widget then only forgets more.
  const stored =
    (key: string) =>
    (value?: string): string => {
      try {
        if (value === undefined) return localStorage.getItem(key) || "";
        if (value) localStorage.setItem(key, value);
        else localStorage.removeItem(key);
      } catch {
        // Refused: nothing is kept.
      }
      return value || "";
    };
  const store = stored(storageKey);
  // The visitor session, kept here only for browsers that deny the frame its own storage (see VisitorApi).
  const keep = stored(storageKey + ":s");
  // "s" / "c": see VisitorState; "g" appended once the greeting was seen and dismissed or the chat opened.
  const state = (): VisitorState => store().replace("g", "") as VisitorState;
  const greeted = () => store().includes("g");

  const emit = (event: string, value?: unknown) => {
    for (const listener of listeners[event] || []) {
      try {
        listener(value);
      } catch (error) {
        console.error(error);
      }
    }
  };

  const post = (message: ToFrame) => {
    if (frame && frameReady) frame.contentWindow?.postMessage(message, origin);
    else outbox.push(message);
  };

  const createFrame = () => {
    if (frame || !root) return;
    frame = document.createElement("iframe");
    frame.className = "f";
    frame.title = text[4];
    frame.hidden = true;
    const kept = keep();
    const tracked = tracking?.visitor();
    // The inbox rides in the query, which the server sees (it lets only the inbox's allowed sites frame the chat);
    // the rest stays in the fragment, which never leaves the browser.
    frame.src =
      `${base}widget/frame.html?inbox=${encodeURIComponent(inbox)}#locale=${locale}&host=${encodeURIComponent(location.origin)}` +
      (kept ? `&s=${encodeURIComponent(kept)}` : "") +
      (tracked ? "&t=" + tracked : "");
    root.append(frame);
  };

  const removeFrame = () => {
    frame?.remove();
    frame = undefined;
    frameReady = false;
  };

  const setBadge = (count: number) => {
    unread = count;
    if (badge) {
      badge.hidden = !count;
      badge.textContent = count > 9 ? "9+" : String(count);
    }
    if (button) {
      button.setAttribute("aria-label", (isOpen ? text[1] : text[0]) + (count ? `, ${count} ${text[2]}` : ""));
    }
  };

  const dismissGreeting = () => {
    greeting?.remove();
    greeting = undefined;
    if (!greeted()) store(state() + "g");
  };

  // The greeting bubble above the launcher: the inbox's greeting, or a proactive message (with its sender) that
  // opens the chat on it. Nothing shows without the launcher.
  const greet = (words: string, offer?: Offer) => {
    if (!button || isOpen) return;
    greeting?.remove();
    greeting = document.createElement("div");
    greeting.className = "g";
    const open = document.createElement("button");
    open.className = "t";
    if (offer) open.append(Object.assign(document.createElement("b"), { textContent: offer.senderName }));
    open.append(words);
    open.onclick = () => {
      show(true);
      if (offer) post({ pl: "proactive", d: offer.id });
    };
    const dismiss = document.createElement("button");
    dismiss.className = "d";
    dismiss.textContent = "×";
    dismiss.setAttribute("aria-label", text[3]);
    dismiss.onclick = dismissGreeting;
    greeting.append(open, dismiss);
    root!.append(greeting);
  };

  const show = (open: boolean) => {
    if (open === isOpen) return;
    isOpen = open;
    // Checked before the frame is hidden, which drops its focus: focus inside the chat must not be lost with it.
    const focusInChat = !!frame && shadow?.activeElement === frame;
    if (open) {
      dismissGreeting();
      createFrame();
      opener = document.activeElement;
    }
    if (frame) frame.hidden = !open;
    root?.classList.toggle("O", open);
    button?.setAttribute("aria-expanded", String(open));
    setBadge(unread);
    // A frame still loading gets the current state with "ready" instead.
    if (frameReady) post({ pl: "visible", d: open });
    if (open) frame?.focus();
    else if (focusInChat) ((button || opener) as HTMLElement | null)?.focus();
    emit(open ? "open" : "close");
  };

  const api: Record<Method, (...args: never[]) => unknown> = {
    open: () => show(true),
    close: () => show(false),
    toggle: () => show(!isOpen),
    identify: (identity: Identity) => post({ pl: "identify", d: identity }),
    setAttributes: (attributes: Record<string, unknown>) => post({ pl: "attributes", d: attributes }),
    on: (event: string, listener: Listener) => {
      (listeners[event] = listeners[event] || []).push(listener);
      return () => (listeners[event] = listeners[event].filter((l) => l !== listener));
    },
    shutdown: () => {
      show(false);
      // Drop queued identity: it belonged to the user who just signed out.
      outbox.length = 0;
      if (frame || state()) {
        // The visitor token lives in the frame's storage, so only the frame can forget it.
        createFrame();
        post({ pl: "shutdown" });
      }
      store(greeted() ? "g" : "");
      setBadge(0);
    },
    track: (name: string, properties?: Record<string, unknown>) => tracking?.track(name, properties),
    consent: (given: boolean) => tracking?.consent(given),
  };

  const call = (method: Method, args: unknown[]) => {
    const fn = api[method] as ((...a: unknown[]) => unknown) | undefined;
    if (!fn) return console.warn("Porchlight: unknown method " + method);
    // Until the launcher is drawn, remember calls that need it ("on" never waits).
    if (!deferred || method === "on") return fn(...args);
    deferred.push([method, args]);
    return undefined;
  };

  const queued = w.Porchlight?.q || [];
  const porchlight: Record<string, unknown> = { v: 1 };
  for (const method of Object.keys(api) as Method[]) {
    porchlight[method] = (...args: unknown[]) => call(method, args);
  }
  w.Porchlight = porchlight;
  for (const [method, ...args] of queued) call(method as Method, args);

  addEventListener("message", (event: MessageEvent) => {
    const message = event.data as ToLoader | null;
    if (event.origin !== origin || !frame || event.source !== frame.contentWindow || !message?.pl) return;
    switch (message.pl) {
      case "ready":
        frameReady = true;
        post({ pl: "visible", d: isOpen });
        outbox.splice(0).forEach(post);
        break;
      case "close":
        show(false);
        break;
      case "unread":
        if (message.d !== unread) {
          setBadge(message.d);
          emit("unread", message.d);
        }
        break;
      case "message":
        emit("message", message.d);
        break;
      case "state":
        store(message.d + (greeted() ? "g" : ""));
        break;
      case "keep":
        keep(message.d);
        break;
      case "done":
        removeFrame();
        break;
    }
  });

  const draw = (config: InboxConfig) => {
    text = config.labels;
    // Before anything that may load the frame, which is told the tracker's visitor.
    tracking = tracker(base + "t/v1/", inbox, config.tracking || {}, (suffix) => stored(storageKey + suffix), (offer) => greet(offer.text, offer));
    const color = safeColor(config.color);
    const side = /^left$/i.test(script.getAttribute("data-porchlight-position") || config.position || "") ? "left" : "right";
    const host = document.createElement("porchlight-widget");
    shadow = host.attachShadow({ mode: "open" });
    const css = styles(color, side, !hideLauncher);
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      shadow.adoptedStyleSheets = [sheet];
    } catch {
      // Browsers without constructable style sheets (a strict style-src CSP may block this fallback).
      const style = document.createElement("style");
      style.textContent = css;
      shadow.append(style);
    }
    root = document.createElement("div");
    shadow.append(root);

    if (!hideLauncher) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "l";
      button.setAttribute("aria-haspopup", "dialog");
      button.setAttribute("aria-expanded", "false");
      button.innerHTML = chatIcon + closeIcon; // constant markup, no visitor or inbox text
      badge = document.createElement("span");
      badge.className = "b";
      badge.setAttribute("aria-hidden", "true");
      button.append(badge);
      button.onclick = () => show(!isOpen);
      root.append(button);

      if (config.greeting && !greeted()) greet(config.greeting);
    }
    setBadge(0);
    root.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && isOpen) show(false);
    });
    document.body.append(host);

    // A visitor with open conversations gets the frame loaded hidden, for the unread badge.
    if (state() === "c") createFrame();
    const calls = deferred || [];
    deferred = null;
    for (const [method, args] of calls) call(method, args);
  };

  fetch(`${base}widget/v1/inboxes/${encodeURIComponent(inbox)}?locale=${locale}`)
    .then((response) => {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json() as Promise<InboxConfig>;
    })
    .then((config) => {
      if (document.body) draw(config);
      else addEventListener("DOMContentLoaded", () => draw(config));
    })
    .catch((error) => console.warn("Porchlight: the chat is unavailable", error));
})();
