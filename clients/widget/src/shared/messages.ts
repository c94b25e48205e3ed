// The postMessage protocol between the loader (host page) and the chat frame (Porchlight's origin).
// Every message carries `pl` so each side ignores messages meant for other scripts on the page.

export interface Identity {
  userId: string;
  email?: string;
  name?: string;
  attributes?: Record<string, unknown>;
  userHash?: string;
}

/** Loader to frame. */
export type ToFrame =
  | { pl: "visible"; d: boolean } // shown (and focus the composer) or hidden
  | { pl: "identify"; d: Identity }
  | { pl: "attributes"; d: Record<string, unknown> }
  | { pl: "shutdown" } // forget the visitor in this browser, then answer "done"
  | { pl: "proactive"; d: string }; // the visitor opened the chat from this proactive message: show it, answer it

/** Frame to loader. */
export type ToLoader =
  | { pl: "ready" }
  | { pl: "close" } // the visitor closed the chat from inside (close button, Escape)
  | { pl: "unread"; d: number }
  | { pl: "message"; d: unknown }
  | { pl: "state"; d: VisitorState }
  | { pl: "keep"; d: string } // the session to keep on the host page when the frame's own storage is blocked
  | { pl: "done" };

/** What the loader remembers on the host page: "" nothing, "s" a visitor exists, "c" it has open conversations. */
export type VisitorState = "" | "s" | "c";
