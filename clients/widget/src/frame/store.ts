// What the frame knows about the visitor's conversations: messages in sequence order, the last sequence
// seen (for catching up after a reconnect), what the agent has read, and messages not yet acknowledged.
import type { Conversation, Message } from "./api";

export type Delivery = "sending" | "uploading" | "failed";

export interface LocalMessage extends Message {
  /** Stable identity in the list: the client id of our own messages, else the server id. */
  key: string;
  delivery?: Delivery;
  /** Why the last attempt failed, shown beside the retry button. */
  error?: string;
  /** The last attempt failed for lack of network: resent by itself when the connection is back. */
  network?: boolean;
  /** A picked file not uploaded yet, and its preview (an object URL) when it is an image. */
  file?: File;
  preview?: string;
  attachmentIds?: string[];
  /** Pre-chat answers, sent with the first message of a new conversation. */
  fields?: Record<string, string>;
}

export class Thread {
  messages: LocalMessage[] = [];
  lastSequence = 0;
  agentRead = 0;
  readSent = 0;
  loaded = false;
  typing: string | undefined;
  typingTimer: ReturnType<typeof setTimeout> | undefined;
  /** A local line under the messages (e.g. "we'll reply by email"), not stored on the server. */
  notice: string | undefined;

  /** Adds or replaces messages (by id, or by client id for our own); answers the ones that are new. */
  merge(incoming: Message[]): Message[] {
    const added: Message[] = [];
    for (const message of incoming) {
      const index = this.messages.findIndex(
        (m) => (message.id && m.id === message.id) || (message.clientId && m.clientId === message.clientId),
      );
      const existing = this.messages[index];
      const merged: LocalMessage = { ...message, key: existing?.key || message.clientId || message.id || "" };
      if (existing) {
        if (existing.preview && message.attachments?.length) URL.revokeObjectURL(existing.preview);
        else merged.preview = existing.preview;
        this.messages[index] = merged;
      } else {
        this.messages.push(merged);
        added.push(message);
      }
      this.lastSequence = Math.max(this.lastSequence, message.sequence || 0);
    }
    // Acknowledged messages in sequence order; unacknowledged ones after them, in the order they were written.
    this.messages.sort((a, b) => (a.sequence ?? Infinity) - (b.sequence ?? Infinity) || 0);
    return added;
  }

  unacknowledged(): LocalMessage[] {
    return this.messages.filter((m) => m.delivery);
  }
}

interface PendingRecord {
  c: string; // conversation id; "" for the first message of a new conversation
  k: string;
  t: string;
  d: string;
  a?: string[];
  f?: Record<string, string>;
}

export class Store {
  conversations: Conversation[] = [];
  readonly threads = new Map<string, Thread>();
  private readonly pendingKey: string;

  constructor(inboxToken: string) {
    this.pendingKey = "porchlight.pending." + inboxToken;
  }

  thread(id: string): Thread {
    let thread = this.threads.get(id);
    if (!thread) this.threads.set(id, (thread = new Thread()));
    return thread;
  }

  conversation(id: string): Conversation | undefined {
    return this.conversations.find((c) => c.id === id);
  }

  unread(): number {
    return this.conversations.reduce((sum, c) => sum + (c.unread || 0), 0);
  }

  clear(): void {
    this.conversations = [];
    this.threads.clear();
    this.savePending("");
  }

  /**
   * Remembers messages that were written but not acknowledged, so that going to another page of the site
   * (which reloads this frame) loses nothing: the next page sends them again with the same client id.
   * Files not uploaded yet cannot be kept.
   */
  savePending(visitorId: string): void {
    const records: PendingRecord[] = [];
    for (const [conversationId, thread] of this.threads) {
      for (const m of thread.unacknowledged()) {
        // A message the server refused (4xx) is shown with its reason and a retry button on this page only.
        if (!m.file && m.clientId && (m.delivery !== "failed" || m.network)) {
          records.push({ c: conversationId, k: m.clientId, t: m.text || "", d: m.createdAt, a: m.attachmentIds, f: m.fields });
        }
      }
    }
    try {
      if (records.length) localStorage.setItem(this.pendingKey, JSON.stringify({ v: visitorId, m: records }));
      else localStorage.removeItem(this.pendingKey);
    } catch {
      // Storage blocked: unsent messages last as long as this frame.
    }
  }

  /** Puts back the messages the previous page left unacknowledged (for the same visitor only). */
  restorePending(visitorId: string): LocalMessage[] {
    let saved: { v?: string; m?: PendingRecord[] } | null = null;
    try {
      saved = JSON.parse(localStorage.getItem(this.pendingKey) || "null");
    } catch {
      saved = null;
    }
    if (!saved || saved.v !== visitorId) return [];
    const restored: LocalMessage[] = [];
    for (const r of saved.m || []) {
      const message: LocalMessage = {
        key: r.k,
        clientId: r.k,
        kind: "incoming",
        text: r.t,
        createdAt: r.d,
        delivery: "sending",
        attachmentIds: r.a,
        fields: r.f,
        conversationId: r.c || undefined,
      };
      const thread = this.thread(r.c);
      if (!thread.messages.some((m) => m.clientId === r.k)) {
        thread.messages.push(message);
        restored.push(message);
      }
    }
    return restored;
  }
}
