// The tracker, part of the loader: page views (single-page apps included), time in view and the site's own events,
// sent as text/plain JSON with sendBeacon (no CORS preflight, survives the page closing). It never throws into the
// host page: every send is fire and forget. Nothing is sent when the visitor asked not to be tracked (Do Not Track,
// Global Privacy Control), before consent where the inbox requires it, or when the inbox's tracking is off.
// See docs/tracker.md.

/** A value in the site's own storage: read with no argument, write a value, remove with "". */
export type Stored = (value?: string) => string;

export interface TrackingConfig {
  mode?: string; // "on" | "cookieless" | "off"
  requireConsent?: boolean;
}

/** A proactive message the server offers this page (see docs/tracker.md). */
export interface Offer {
  id: string;
  text: string;
  senderName: string;
}

export interface Tracker {
  track(name: string, properties?: Record<string, unknown>): void;
  consent(given: boolean): void;
  /** The id the chat links to this browser's pages; "" when there is none to link. */
  visitor(): string;
}

const visitTimeout = 30 * 60 * 1000; // 30 minutes without activity end a visit

export function tracker(
  endpoint: string, // ".../t/v1/"
  site: string,
  config: TrackingConfig,
  stored: (suffix: string) => Stored,
  offered: (offer: Offer) => void,
): Tracker {
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
  const cookieless = config.mode === "cookieless";
  const allowed = /^(on|cookieless)$/.test(config.mode || "") && nav.doNotTrack !== "1" && !nav.globalPrivacyControl;
  // Cookieless: nothing is written to the visitor's browser, consent included (the site asks again on every page).
  const keep = (suffix: string): Stored => (cookieless ? () => "" : stored(suffix));
  const visitorKey = keep(":tv");
  const visitKey = keep(":ts"); // "<id> <last activity in ms>"
  const consentKey = keep(":tc");
  let consented = !config.requireConsent || consentKey() === "1";
  let started = false;
  let page = "";
  let inView = 0; // when the current stretch in view began; 0 while hidden

  const id = () => Math.random().toString(36).slice(2) + Date.now().toString(36);
  const ids = () => {
    if (cookieless) return {};
    const now = Date.now();
    const [visit, last] = visitKey().split(" ");
    const session = visit && now - +last < visitTimeout ? visit : id();
    visitKey(session + " " + now);
    return { visitor: visitorKey() || visitorKey(id()), session };
  };

  const send = (...events: Record<string, unknown>[]) => {
    if (!allowed || !consented || !events.length) return;
    const body = JSON.stringify({ site, ...ids(), at: Date.now(), events });
    try {
      if (!nav.sendBeacon(endpoint + "events", body)) throw 0;
    } catch {
      fetch(endpoint + "events", { method: "POST", body, keepalive: true }).catch(() => undefined);
    }
  };

  // Asks whether a message waits for this visitor; also keeps a visitor who reads one page long shown as online.
  const ping = (event?: string) => {
    if (allowed && consented)
      fetch(endpoint + "ping", {
        method: "POST",
        body: JSON.stringify({ site, ...ids(), url: page, seconds: inView && ((Date.now() - inView) / 1e3) | 0, event }),
      })
        .then((response) => response.status == 200 && response.json())
        .then((offer) => offer && offered(offer))
        .catch(() => undefined);
  };

  const leave = () => {
    const shown = inView && Date.now() - inView;
    inView = 0;
    return shown ? [{ type: "leave", url: page, durationMs: shown }] : [];
  };

  const view = (referrer: string) => {
    page = location.href;
    inView = Date.now();
    return {
      type: "pageview",
      url: page,
      title: document.title.slice(0, 300),
      referrer,
      screen: screen.width + "x" + screen.height,
      language: nav.language,
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    };
  };

  // A single-page app's navigation: the previous page's time, then the new page (after the app set its title).
  const navigated = () =>
    setTimeout(() => {
      if (location.href !== page) send(...leave(), view(page)), ping();
    });

  const start = () => {
    if (started || !allowed || !consented) return;
    started = true;
    send(view(document.referrer));
    ping();
    setInterval(() => document.hidden || ping(), 15e3);
    const push = history.pushState;
    history.pushState = function (...args: Parameters<History["pushState"]>) {
      push.apply(this, args);
      navigated();
    };
    addEventListener("popstate", navigated);
    addEventListener("hashchange", navigated);
    addEventListener("pagehide", () => send(...leave()));
    document.addEventListener("visibilitychange", () => {
      if (document.hidden) send(...leave());
      else inView = inView || Date.now();
    });
  };

  start();
  return {
    track: (name, properties = {}) => {
      const texts: Record<string, string> = {};
      for (const key in properties) texts[key] = String(properties[key]);
      send({ type: "event", name, url: location.href, properties: texts });
      ping(name);
    },
    consent: (given) => {
      consented = given;
      consentKey(given ? "1" : "0");
      if (given) start();
      else {
        // Withdrawn: the ids go too, so nothing links what came before to what comes after.
        visitorKey("");
        visitKey("");
      }
    },
    visitor: () => (allowed && consented && visitorKey()) || "",
  };
}
