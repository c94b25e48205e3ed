// The chat frame: served by Porchlight (its own origin), embedded by the loader on the host page, or opened
// on its own as a full-page chat. Talks to the visitor API and the visitor hub, and to the loader by postMessage.
import { safeColor, textOn } from "../shared/color";
import type { Identity, ToFrame, ToLoader } from "../shared/messages";
import { HelpView } from "./articles";
import { ApiError, VisitorApi, type Conversation, type InboxConfig, type Message, type PreChatField, type QueuePlace, type Survey, type SurveyAnswer } from "./api";
import { clientId, h, icon, icons, initials, link, safeUrl } from "./dom";
import { HubConnection } from "./hub";
import { format, pickLocale, stringsFor } from "./i18n";
import { renderText } from "./markdown";
import { Store, type LocalMessage, type Thread } from "./store";
import { surveyCard } from "./survey";

const maxFileSize = 10 * 1024 * 1024;
const draftId = ""; // the thread of a conversation not created yet

const params = new URLSearchParams(location.hash.slice(1));
// From the query only: the server chose this page's frame-ancestors by it, so the frame cannot be told another inbox.
const inboxToken = new URLSearchParams(location.search).get("inbox") || "";
const hostOrigin = params.get("host") || "";
const embedded = window.parent !== window;
const locale = pickLocale(params.get("locale"));
const t = stringsFor(locale);
document.documentElement.lang = locale;

const api = new VisitorApi(
  inboxToken,
  new URL("v1/", location.href).href,
  params.get("s") || "",
  (session) => toLoader({ pl: "keep", d: session }),
  params.get("t") || "",
);
const store = new Store(inboxToken);
const hub = new HubConnection(new URL("../hubs/visitor", location.href).href, () => api.token);

let config: InboxConfig | undefined;
let visible = !embedded;
type View = "list" | "thread" | "new" | "help";
let view: View = "new" as View;
let current = draftId;
let reconnecting = false;
let lastUnread = -1;
const fieldValues: Record<string, string> = {};
// The proactive message the visitor opened the chat from: shown atop a new conversation, which answers it.
let proactive: { id: string; text: string; senderName: string } | undefined;

// ---- Loader link -------------------------------------------------------------------------------------------

function toLoader(message: ToLoader): void {
  if (embedded && hostOrigin) window.parent.postMessage(message, hostOrigin);
}

let work: Promise<unknown> = Promise.resolve();
/** Identify, attributes and shutdown run one after the other, after the session started. */
function serially(task: () => Promise<unknown>): void {
  work = work.then(task).catch((error) => console.warn("Porchlight:", error));
}

addEventListener("message", (event: MessageEvent) => {
  const message = event.data as ToFrame | null;
  // Only the page that embeds this frame, at the origin it announced, may drive it.
  if (!embedded || event.source !== window.parent || event.origin !== hostOrigin || !message?.pl) return;
  if (message.pl === "visible") setVisible(message.d);
  else if (message.pl === "identify") serially(() => identify(message.d));
  else if (message.pl === "attributes") serially(() => api.call("PUT", "attributes", { attributes: message.d }));
  else if (message.pl === "shutdown") serially(shutdown);
  else if (message.pl === "proactive") serially(() => openProactive(message.d));
});

addEventListener("keydown", (event) => {
  if (!embedded) return; // a full-page chat is the page itself: nothing to close, nothing to keep the focus from
  if (event.key === "Escape") toLoader({ pl: "close" });
  else if (event.key === "Tab") keepFocusInChat(event);
});
document.addEventListener("visibilitychange", markRead);

const focusableSelector = "a[href], button, input, select, textarea, [tabindex]";

/**
 * The open chat is a modal dialog: Tab past its last control and Shift+Tab before its first go round to the other
 * end instead of leaving the frame for the host page, which the browser would otherwise do.
 */
function keepFocusInChat(event: KeyboardEvent): void {
  // What Tab can reach: not disabled, not taken out of the order (tabindex -1), and shown.
  const controls = [...app.querySelectorAll<HTMLElement>(focusableSelector)].filter(
    (control) => control.tabIndex >= 0 && !(control as HTMLButtonElement).disabled && control.getClientRects().length > 0,
  );
  if (!controls.length) return;
  const first = controls[0];
  const last = controls[controls.length - 1];
  const active = document.activeElement as HTMLElement | null;
  const inside = !!active && controls.includes(active);
  if (!inside || active === (event.shiftKey ? first : last)) {
    event.preventDefault();
    (event.shiftKey ? last : first).focus();
  }
}

function setVisible(value: boolean): void {
  visible = value;
  if (value) {
    markRead();
    focusMain();
  }
}

function reading(conversationId: string): boolean {
  return visible && document.visibilityState === "visible" && view === "thread" && current === conversationId;
}

function reportUnread(): void {
  const count = store.unread();
  if (count !== lastUnread) toLoader({ pl: "unread", d: (lastUnread = count) });
}

function reportState(): void {
  toLoader({ pl: "state", d: store.conversations.some((c) => !/^resolved$/i.test(c.status)) ? "c" : api.session ? "s" : "" });
}

// ---- Start, identify, shutdown -----------------------------------------------------------------------------

let started: Promise<void> | undefined;

function start(): Promise<void> {
  shell();
  return (started = (async () => {
    [config] = await Promise.all([api.config(), api.startSession()]);
    const color = safeColor(config.color);
    document.documentElement.style.setProperty("--c", color);
    document.documentElement.style.setProperty("--ci", textOn(color));
    // Icons and links on white: the inbox colour unless it is too light to read there.
    document.documentElement.style.setProperty("--ca", textOn(color) === "#fff" ? color : "#1f2328");
    await loadConversations();
    for (const message of store.restorePending(api.session!.visitorId)) void deliver(message);
    chooseView();
    hub.start();
  })());
}

/** The visitor answers a proactive message: a new conversation, the agent's message first. */
async function openProactive(id: string): Promise<void> {
  await started;
  proactive = await api.call("GET", "proactive/" + encodeURIComponent(id));
  showView("new");
}

let listsAsked = 0;
let listShown = 0;

async function loadConversations(): Promise<void> {
  const asked = ++listsAsked;
  const conversations = await api.call<Conversation[]>("GET", "conversations");
  if (asked < listShown) return; // a list asked for later has come first: this one is older
  listShown = asked;
  // Newest first, whatever order arrived.
  const time = (c: Conversation) => Date.parse(c.lastMessage?.createdAt || "") || 0;
  store.conversations = conversations.sort((a, b) => time(b) - time(a));
  reportUnread();
  reportState();
}

function chooseView(): void {
  const latest = store.conversations[0];
  if (store.thread(draftId).messages.length || !latest) showView("new", draftId);
  else if (!/^resolved$/i.test(latest.status)) showView("thread", latest.id);
  else showView("list");
}

async function identify(identity: Identity): Promise<void> {
  await started;
  const key = JSON.stringify(identity);
  if (api.session?.identity === key) return; // the same user as on the previous page
  try {
    const answer = await api.call<{ visitorToken: string; visitorId: string }>("POST", "identify", identity);
    api.save({ visitorToken: answer.visitorToken, visitorId: answer.visitorId, identity: key });
  } catch (error) {
    // Refused (403 when the inbox requires a valid userHash): the visitor stays anonymous.
    console.warn("Porchlight: identify was refused", error);
    return;
  }
  // The token changed: the hub connection must be made again with it, and the conversations may have moved.
  hub.stop();
  store.clear();
  await loadConversations();
  chooseView();
  hub.start();
}

async function shutdown(): Promise<void> {
  await started?.catch(() => undefined);
  hub.stop();
  api.save(undefined);
  store.clear();
  toLoader({ pl: "done" });
}

// ---- Hub ---------------------------------------------------------------------------------------------------

hub.on("messageCreated", (message: Message) => {
  const id = message.conversationId || current;
  const conversation = store.conversation(id);
  if (!conversation) {
    void loadConversations().then(() => refresh());
    return;
  }
  const thread = store.thread(id);
  if (thread.loaded && (message.sequence || 0) > thread.lastSequence + 1) {
    void catchUp(id); // a gap: fetch everything after the last message seen, this one included
  } else if (thread.loaded) {
    thread.merge([message]);
  }
  conversation.lastMessage = message;
  conversation.lastSequence = Math.max(conversation.lastSequence, message.sequence || 0);
  if (message.kind === "outgoing") {
    setTyping(thread, undefined);
    if (!reading(id)) conversation.unread = (conversation.unread || 0) + 1;
  }
  if (message.kind !== "activity") toLoader({ pl: "message", d: message });
  refresh();
  markRead();
  reportUnread(); // now: a hidden frame may not redraw until it is shown
});

// An agent edited or deleted their reply: it changes in place, in the thread and in the list's preview.
hub.on("messageUpdated", (message: Message) => {
  const id = message.conversationId || current;
  const conversation = store.conversation(id);
  if (conversation && conversation.lastMessage?.id === message.id) conversation.lastMessage = message;
  const thread = store.threads.get(id);
  if (thread?.messages.some((m) => m.id === message.id)) thread.merge([message]);
  refresh();
});

hub.on("conversationUpdated", (update: { id: string; status: string }) => {
  const conversation = store.conversation(update.id);
  if (conversation) {
    conversation.status = update.status;
    // Resolved, reopened, or an agent asked for feedback: the survey may have opened (or stayed as it was).
    surveys.delete(update.id);
    lookForSurvey(update.id);
    reportState();
    refresh();
  }
});

hub.on("queueChanged", (notice: QueuePlace & { conversationId: string; position: number | null }) => {
  const conversation = store.conversation(notice.conversationId);
  if (!conversation) {
    // Routing runs as a conversation is created, so its first place can come before the answer that creates it
    // here: the list, read after this notice, has that place (adopt keeps it).
    void loadConversations().then(() => refresh());
    return;
  }
  conversation.queue = notice.position ? notice : null;
  refresh();
});

hub.on("typing", (typing: { conversationId: string; name?: string; isTyping: boolean }) => {
  setTyping(store.thread(typing.conversationId), typing.isTyping ? typing.name || t.someone : undefined);
});

hub.on("read", (read: { conversationId: string; sequence: number }) => {
  const thread = store.thread(read.conversationId);
  thread.agentRead = Math.max(thread.agentRead, read.sequence);
  refresh();
});

hub.onstatechange = (connected) => {
  reconnecting = !connected;
  refresh();
};

hub.onreconnected = () => {
  void loadConversations().then(() => refresh());
  for (const [id, thread] of store.threads) {
    if (thread.loaded) void catchUp(id);
  }
  resendUnacknowledged();
};

addEventListener("online", resendUnacknowledged);

function resendUnacknowledged(): void {
  for (const thread of store.threads.values()) {
    for (const message of thread.unacknowledged()) {
      if (message.network) void deliver(message);
    }
  }
}

function setTyping(thread: Thread, name: string | undefined): void {
  clearTimeout(thread.typingTimer);
  thread.typing = name;
  // An agent whose "stopped typing" was lost (closed tab) does not type forever.
  if (name) thread.typingTimer = setTimeout(() => setTyping(thread, undefined), 8000);
  refresh();
}

async function catchUp(id: string, after?: number): Promise<void> {
  const thread = store.thread(id);
  try {
    const messages = await api.call<Message[]>("GET", `conversations/${encodeURIComponent(id)}/messages?after=${after ?? thread.lastSequence}`);
    thread.merge(messages);
    thread.loaded = true;
  } catch (error) {
    if (!thread.loaded) throw error;
  }
  refresh();
  markRead();
}

function markRead(): void {
  if (!reading(current)) return;
  const conversation = store.conversation(current);
  const thread = store.thread(current);
  if (conversation) conversation.unread = 0;
  reportUnread();
  if (thread.loaded && thread.lastSequence > thread.readSent) {
    thread.readSent = thread.lastSequence;
    api.call("POST", `conversations/${encodeURIComponent(current)}/read`, { sequence: thread.lastSequence }).catch(() => {
      thread.readSent = 0; // sent again at the next chance
    });
  }
}

// ---- Sending -----------------------------------------------------------------------------------------------

let visitorTyping = false;
let typingSentAt = 0;
let typingTimer: ReturnType<typeof setTimeout> | undefined;

/** Tells agents the visitor is typing: at most every 5 s while typing, and "stopped" after 3 s of quiet. */
function typed(): void {
  if (current === draftId) return;
  const now = Date.now();
  if (!visitorTyping || now - typingSentAt > 5000) {
    visitorTyping = hub.send("typing", current, true);
    typingSentAt = now;
  }
  clearTimeout(typingTimer);
  typingTimer = setTimeout(stopTyping, 3000);
}

function stopTyping(): void {
  clearTimeout(typingTimer);
  if (visitorTyping) hub.send("typing", current, false);
  visitorTyping = false;
}

function write(text: string, file?: File): void {
  const message: LocalMessage = {
    key: "",
    clientId: clientId(),
    kind: "incoming",
    text,
    createdAt: new Date().toISOString(),
    delivery: file ? "uploading" : "sending",
    file,
    preview: file && /^image\//.test(file.type) ? URL.createObjectURL(file) : undefined,
  };
  message.key = message.clientId!;
  const thread = store.thread(current);
  if (current === draftId && !thread.messages.length) message.fields = { ...fieldValues };
  thread.messages.push(message);
  stopTyping();
  refresh(true);
  void deliver(message);
}

/** Sends (or sends again) one message; the client id stays the same, so the server never stores it twice. */
async function deliver(message: LocalMessage): Promise<void> {
  const conversationId = threadOf(message);
  if (conversationId === undefined) return;
  const thread = store.thread(conversationId);
  // Further messages of a new conversation wait until its first message has created it.
  if (conversationId === draftId && thread.messages[0] !== message) {
    message.delivery = "sending";
    return;
  }
  message.delivery = message.file ? "uploading" : "sending";
  message.error = undefined;
  message.network = false;
  store.savePending(api.session?.visitorId || "");
  refresh();
  try {
    const draft = conversationId === draftId;
    // A file for the first message is uploaded before the conversation exists; the message that starts it claims it.
    const path = draft ? "" : `conversations/${encodeURIComponent(conversationId)}/`;
    if (message.file) {
      const form = new FormData();
      form.append("file", message.file, message.file.name);
      const uploaded = await api.call<{ id: string }>("POST", path + "attachments", form);
      message.attachmentIds = [uploaded.id];
      message.file = undefined;
      message.delivery = "sending";
      store.savePending(api.session?.visitorId || "");
      refresh();
    }
    if (draft) {
      // Answers corrected after a refusal go with the retry.
      if (threadView?.prechat && Object.keys(fieldValues).length) message.fields = { ...fieldValues };
      const created = await api.call<{ conversation: Conversation; message: Message }>("POST", "conversations", {
        clientId: message.clientId,
        text: message.text,
        fields: message.fields && Object.keys(message.fields).length ? message.fields : undefined,
        attachmentIds: message.attachmentIds,
        proactiveMessageId: proactive?.id,
      });
      proactive = undefined;
      adopt(created.conversation, created.message);
      return;
    }
    const stored = await api.call<Message>("POST", path + "messages", {
      clientId: message.clientId,
      text: message.text,
      attachmentIds: message.attachmentIds,
    });
    const before = thread.lastSequence;
    thread.merge([{ ...stored, conversationId }]);
    // The answer can come after messages this frame never received (its live connection was down meanwhile):
    // fetch what lies between, or the jump in the last sequence would hide them from every later catch-up.
    if ((stored.sequence || 0) > before + 1) void catchUp(conversationId, before);
    const conversation = store.conversation(conversationId);
    if (conversation) conversation.lastMessage = stored;
  } catch (error) {
    message.delivery = "failed";
    const status = error instanceof ApiError ? error.status : 0;
    message.network = !status;
    message.error = !status ? (navigator.onLine ? t.notSent : t.offlineNetwork) : (error as ApiError).message || t.error;
    // A question the form on screen does not have: the inbox's form changed since this frame loaded it.
    if (conversationId === draftId && error instanceof ApiError && !showFieldErrors(error.fields)) void reloadForm(error.fields);
  }
  store.savePending(api.session?.visitorId || "");
  refresh();
}

function threadOf(message: LocalMessage): string | undefined {
  for (const [id, thread] of store.threads) {
    if (thread.messages.includes(message)) return id;
  }
  return undefined;
}

/** The first message created the conversation: its draft thread becomes the conversation's thread. */
function adopt(conversation: Conversation, first: Message): void {
  // The answer has no place in line (routing comes after it): keep one the list already has.
  conversation.queue ??= store.conversation(conversation.id)?.queue;
  const draft = store.thread(draftId);
  store.threads.delete(draftId);
  store.threads.set(conversation.id, draft);
  draft.loaded = true;
  draft.merge([{ ...first, conversationId: conversation.id }]);
  store.conversations = [conversation, ...store.conversations.filter((c) => c.id !== conversation.id)];
  for (const key in fieldValues) delete fieldValues[key];
  if (current === draftId) current = conversation.id;
  if (view === "new") showView("thread", conversation.id);
  reportState();
  store.savePending(api.session?.visitorId || "");
  for (const waiting of draft.unacknowledged()) void deliver(waiting);
  // What the hub announced before this answer came (an agent joining, say) was not placed in this thread yet.
  void catchUp(conversation.id);
}

// ---- Views -------------------------------------------------------------------------------------------------

const app = document.getElementById("app")!;
let header: HTMLElement;
let banner: HTMLElement;
let body: HTMLElement;
let threadView: ThreadView | undefined;

function shell(): void {
  header = h("header", { class: "hd" });
  banner = h("div", { class: "banner", role: "status" });
  body = h("div", { class: "body" });
  app.replaceChildren(header, banner, body);
  drawHeader();
}

function drawHeader(): void {
  const name = config?.name || t.chat;
  app.setAttribute("aria-label", format(t.chatWith, name));
  // From the articles, back is to the chat the visitor came from; elsewhere, to the list of conversations.
  const back =
    view === "help"
      ? h("button", { type: "button", class: "icon", "aria-label": t.back, onclick: () => showView(beforeHelp) }, icon(icons.back))
      : view !== "list" && store.conversations.length
        ? h("button", { type: "button", class: "icon", "aria-label": t.back, onclick: () => showView("list") }, icon(icons.back))
        : null;
  const help =
    config?.knowledgeBase && view !== "help"
      ? h("button", { type: "button", class: "icon", "aria-label": t.help, title: t.help, onclick: () => showView("help") }, icon(icons.help))
      : null;
  const close = embedded
    ? h("button", { type: "button", class: "icon", "aria-label": t.close, onclick: () => toLoader({ pl: "close" }) }, icon(icons.close))
    : null;
  const status = config ? (config.agentsAvailable ? t.online : t.away) : "";
  header.replaceChildren(
    back || h("span", { class: "avatar team", "aria-hidden": "true" }, initials(name)),
    h("div", { class: "title" }, h("h1", null, name), status && h("p", null, status)),
    help || "",
    close || "",
  );
}

let beforeHelp: Exclude<View, "help"> = "new";

function showView(next: View, conversationId = current): void {
  stopTyping();
  if (next === "help" && view !== "help") beforeHelp = view;
  view = next;
  current = next === "list" || next === "help" ? current : next === "new" ? draftId : conversationId;
  drawHeader();
  threadView = undefined;
  if (next === "list") {
    body.replaceChildren(listView());
    loadConversations().then(() => refresh(), () => undefined); // conversations may have changed elsewhere
  }
  else if (next === "help") {
    const help = new HelpView(api, t, locale, () => showView("new"));
    body.replaceChildren(help.root);
    refresh();
    help.input.focus();
    return;
  }
  else if (next === "new" && config && !config.agentsAvailable && !config.assistant) body.replaceChildren(offlineForm());
  else {
    threadView = new ThreadView(current);
    body.replaceChildren(threadView.root);
    const thread = store.thread(current);
    if (current !== draftId && !thread.loaded) {
      catchUp(current).catch(() => threadView?.fail());
    }
  }
  refresh(true);
  focusMain();
}

function focusMain(): void {
  if (!visible) return;
  const target = threadView?.input || body.querySelector<HTMLElement>("input, textarea, button");
  target?.focus();
}

let scheduled = false;
let stickToBottom = false;
/**
 * Redraws what may have changed, once however many events arrived together. A timer rather than
 * requestAnimationFrame, which does not run in a hidden frame, and the unread count must still go out.
 */
// Each conversation's survey as the server last answered (null: none open for it), fetched once it may have one.
const surveys = new Map<string, Survey | null>();

function lookForSurvey(id: string): void {
  if (!config?.survey || surveys.has(id)) return;
  surveys.set(id, null);
  api.survey(id).then(
    (survey) => {
      surveys.set(id, survey);
      refresh();
    },
    () => {
      // None open (404), or offline: asked again when the conversation changes.
    },
  );
}

async function answerSurvey(id: string, answer: SurveyAnswer): Promise<boolean> {
  try {
    surveys.set(id, await api.answerSurvey(id, answer));
    return true;
  } catch {
    return false;
  }
}

function refresh(toBottom = false): void {
  stickToBottom ||= toBottom;
  if (scheduled) return;
  scheduled = true;
  setTimeout(() => {
    scheduled = false;
    banner.textContent = reconnecting && api.session ? t.reconnecting : "";
    banner.hidden = !banner.textContent;
    if (view === "list") updateList();
    threadView?.update(stickToBottom);
    stickToBottom = false;
    reportUnread();
  }, 15);
}

/** The time of day; with withDay, a short date instead when it is not today (the list of conversations). */
function when(iso: string | undefined, withDay: boolean): string {
  if (!iso) return "";
  const date = new Date(iso);
  return withDay && date.toDateString() !== new Date().toDateString()
    ? date.toLocaleDateString(locale, { day: "numeric", month: "short" })
    : date.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
}

function dayOf(iso: string): string {
  return new Date(iso).toDateString();
}

function dayLabel(iso: string): string {
  const date = new Date(iso);
  const today = new Date();
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (date.toDateString() === today.toDateString()) return t.today;
  if (date.toDateString() === yesterday.toDateString()) return t.yesterday;
  return date.toLocaleDateString(locale, {
    weekday: "long",
    day: "numeric",
    month: "long",
    year: date.getFullYear() === today.getFullYear() ? undefined : "numeric",
  });
}

function avatar(name: string | null | undefined, url: string | null | undefined): HTMLElement {
  const source = safeUrl(url);
  return source
    ? h("img", { class: "avatar", src: source, alt: "", "aria-hidden": "true" })
    : h("span", { class: "avatar", "aria-hidden": "true" }, initials(name));
}

function preview(message: Message | null | undefined): string {
  if (!message) return "";
  if (message.deleted) return t.deleted;
  return (message.text || "").trim() || (message.attachments?.length ? t.attachment : "");
}

// -- The list of conversations

let listElement: HTMLElement | undefined;

function listView(): HTMLElement {
  listElement = h("ul", { class: "convs" });
  const start = h(
    "button",
    { type: "button", class: "primary", onclick: () => showView("new") },
    icon(icons.plus),
    t.newConversation,
  );
  return h(
    "div",
    { class: "home" },
    config?.welcomeText && h("p", { class: "welcome" }, config.welcomeText),
    start,
    store.conversations.length > 0 && h("h2", null, t.yourConversations),
    listElement,
  );
}

function updateList(): void {
  if (!listElement) return;
  const focused = (document.activeElement as HTMLElement | null)?.dataset?.id;
  listElement.replaceChildren(
    ...store.conversations.map((c) => {
      const last = c.lastMessage;
      const agent = last?.kind === "outgoing";
      const who = agent ? last?.author?.name || config?.name || "" : last?.kind === "incoming" ? t.you : "";
      return h(
        "li",
        null,
        h(
          "button",
          {
            type: "button",
            class: "conv" + (/^resolved$/i.test(c.status) ? " done" : ""),
            "data-id": c.id,
            onclick: () => showView("thread", c.id),
          },
          agent ? avatar(who, last?.author?.avatarUrl) : avatar(config?.name, null),
          h("span", { class: "summary" }, h("strong", null, who), h("span", null, preview(last))),
          h(
            "span",
            { class: "side" },
            h("time", null, when(last?.createdAt, true)),
            c.unread > 0 && h("span", { class: "count" }, String(c.unread)),
          ),
        ),
      );
    }),
  );
  if (focused) listElement.querySelector<HTMLElement>(`[data-id="${CSS.escape(focused)}"]`)?.focus();
}

// -- The offline form

function offlineForm(): HTMLElement {
  const error = h("p", { class: "error", role: "alert" });
  const form: HTMLFormElement = h(
    "form",
    { class: "card offline", novalidate: true },
    h("p", null, t.leaveMessage),
    field("offline-name", "name", t.name, "text", true, "", "name"),
    field("offline-email", "email", t.email, "email", true, "", "email"),
    field("offline-text", "text", t.message, "textarea", true),
    error,
    h("button", { type: "submit", class: "primary" }, t.sendOffline),
  );
  const key = clientId(); // the same for every retry of this form
  form.onsubmit = async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form)) as Record<string, string>;
    error.textContent = "";
    if (!validate(form)) return;
    const button = form.querySelector("button")!;
    button.disabled = true;
    try {
      const created = await api.call<{ conversation: Conversation; message: Message }>("POST", "offline-messages", {
        clientId: key,
        name: data.name.trim(),
        email: data.email.trim(),
        text: data.text.trim(),
      });
      store.conversations = [created.conversation, ...store.conversations];
      const thread = store.thread(created.conversation.id);
      thread.loaded = true;
      thread.merge([{ ...created.message, conversationId: created.conversation.id }]);
      thread.notice = format(t.offlineSent, data.email.trim());
      reportState();
      showView("thread", created.conversation.id);
    } catch (failure) {
      error.textContent = (failure instanceof ApiError && failure.message) || t.error;
      button.disabled = false;
    }
  };
  return h("div", { class: "home" }, form);
}

type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

/** A labelled control with its own error line (announced with the control through aria-describedby). */
function field(
  id: string,
  name: string,
  label: string,
  type: string,
  required: boolean,
  value = "",
  autocomplete = "on",
  placeholder?: string | null,
  options?: string[] | null,
): HTMLElement {
  const common = { id, name, required, "aria-describedby": id + "-e" };
  // The star is for the eye; the required attribute tells assistive technology.
  const caption = h("label", { for: id }, label, required && h("span", { class: "req", "aria-hidden": "true" }, " *"));
  const error = h("span", { class: "error", id: id + "-e" });
  if (type === "checkbox") {
    return h("div", { class: "field check" }, h("input", { ...common, type, checked: value === "true" }), caption, error);
  }
  const control =
    type === "textarea"
      ? h("textarea", { ...common, rows: 3, placeholder }, value)
      : type === "select"
        ? h("select", common, h("option", { value: "" }, t.choose), ...(options || []).map((o) => h("option", { value: o, selected: o === value }, o)))
        : h("input", { ...common, type, value, autocomplete, placeholder });
  return h("div", { class: "field" }, caption, control, error);
}

/** A checkbox answers "true" when ticked and nothing otherwise; other controls their trimmed text. */
function valueOf(control: Control): string {
  return control instanceof HTMLInputElement && control.type === "checkbox" ? (control.checked ? "true" : "") : control.value.trim();
}

function problemOf(control: Control): string | undefined {
  const value = valueOf(control);
  if (!value) return control.required ? (control.type === "checkbox" ? t.mustCheck : t.required) : undefined;
  if (control.type === "email" && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) return t.invalidEmail;
  if (control.type === "tel" && (!/^\+?[0-9 ().\-/]{3,32}$/.test(value) || value.replace(/[^0-9]/g, "").length < 3)) return t.invalidPhone;
  return undefined;
}

function fieldError(control: Control, problem: string | undefined): void {
  control.setAttribute("aria-invalid", String(!!problem));
  const line = document.getElementById(control.id + "-e");
  if (line) line.textContent = problem || "";
}

/** Checks required, email and phone fields, shows why each invalid one is, focuses the first; true when all are fine. */
function validate(container: HTMLElement): boolean {
  let valid = true;
  for (const control of container.querySelectorAll<Control>("input, textarea, select")) {
    const problem = problemOf(control);
    fieldError(control, problem);
    if (problem && valid) control.focus();
    valid &&= !problem;
  }
  return valid;
}

/**
 * The server's field errors (ProblemDetails "errors", keys like "fields.email") at the pre-chat fields;
 * false when one names a question this form does not show.
 */
function showFieldErrors(fields: Record<string, string[]>): boolean {
  let shown = true;
  for (const [name, messages] of Object.entries(fields)) {
    const key = name.replace(/^fields\./i, "");
    const control = threadView?.prechat?.querySelector<Control>(`[name="${CSS.escape(key)}"]`);
    if (control) fieldError(control, messages[0] || t.error);
    else if (key !== name) shown = false;
  }
  return shown;
}

/** Loads the inbox's current form and shows it with the server's errors, keeping the answers given so far. */
async function reloadForm(fields: Record<string, string[]>): Promise<void> {
  try {
    config = await api.config();
  } catch {
    return; // the message shows why it was not sent, with a retry
  }
  if (view !== "new") return;
  showView("new");
  showFieldErrors(fields);
}

/** Fixed labels of the default questions in the visitor's language; labels an admin wrote stay as written. */
function labelOf(question: PreChatField): string {
  if (question.key === "name" && question.label === "Name") return t.name;
  if (question.key === "email" && question.label === "Email") return t.email;
  return question.label;
}

// -- One conversation

class ThreadView {
  readonly root: HTMLElement;
  readonly log: HTMLElement;
  readonly input: HTMLTextAreaElement;
  prechat: HTMLElement | undefined;
  private readonly typingLine = h("div", { class: "typing", "aria-live": "polite" });
  private readonly notice = h("p", { class: "notice" });
  private readonly attachButton: HTMLButtonElement;
  private readonly nodes = new Map<string, { signature: string; element: HTMLElement }>();

  constructor(private readonly id: string) {
    this.log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": t.messages, tabindex: 0 });
    this.input = h("textarea", { rows: 1, placeholder: t.placeholder, "aria-label": t.placeholder, maxlength: 10000 });
    const file = h("input", { type: "file", hidden: true, tabindex: -1 });
    this.attachButton = h(
      "button",
      { type: "button", class: "icon", "aria-label": t.attach, title: t.attach, onclick: () => file.click() },
      icon(icons.attach),
    );
    const composer = h(
      "form",
      { class: "composer" },
      file,
      this.attachButton,
      this.input,
      h("button", { type: "submit", class: "icon send", "aria-label": t.send, title: t.send }, icon(icons.send)),
    );
    composer.onsubmit = (event) => {
      event.preventDefault();
      this.submit();
    };
    this.input.onkeydown = (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    };
    this.input.oninput = () => {
      this.grow();
      typed();
    };
    file.onchange = () => {
      // A file can be the first message, but the questions before it still come first.
      if (this.prechat && !store.thread(draftId).messages.length && !validate(this.prechat)) {
        file.value = "";
        return;
      }
      for (const picked of Array.from(file.files || [])) {
        if (picked.size > maxFileSize) {
          this.warn(format(t.tooLarge, picked.name));
        } else {
          this.notice.className = "notice";
          write("", picked);
        }
      }
      file.value = "";
    };
    if (id === draftId && config?.preChatFields?.length) this.prechat = this.prechatForm();
    this.root = h("div", { class: "thread" }, this.log, this.typingLine, this.notice, this.prechat, composer);
  }

  fail(): void {
    this.warn(t.loadFailed);
  }

  /** An error under the messages until the visitor sends something. */
  private warn(text: string): void {
    this.notice.textContent = text;
    this.notice.className = "notice error";
    refresh(true);
  }

  private prechatForm(): HTMLElement {
    const questions = config!.preChatFields;
    const fields = questions.map((q) => {
      const type = q.type === "phone" ? "tel" : /^(email|textarea|select|checkbox)$/.test(q.type) ? q.type : "text";
      const autocomplete = q.key === "name" ? "name" : type === "email" ? "email" : type === "tel" ? "tel" : "on";
      return field("field-" + q.key, q.key, labelOf(q), type, q.required, fieldValues[q.key] || "", autocomplete, q.placeholder, q.options);
    });
    const card = h(
      "div",
      { class: "card prechat", role: "group", "aria-label": t.beforeWeStart },
      h("p", null, t.beforeWeStart),
      ...fields,
      questions.some((q) => q.required) && h("p", { class: "hint" }, t.requiredNote),
    );
    card.oninput = card.onchange = (event) => {
      const control = event.target as Control;
      fieldValues[control.name] = valueOf(control);
      // An error goes away as soon as the answer is fixed, not only on the next send.
      if (control.getAttribute("aria-invalid") === "true") fieldError(control, problemOf(control));
    };
    return card;
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (!text) return;
    if (this.prechat && !store.thread(draftId).messages.length && !validate(this.prechat)) return;
    this.input.value = "";
    this.notice.className = "notice";
    this.grow();
    write(text);
    this.input.focus();
  }

  private grow(): void {
    this.input.style.height = "auto";
    this.input.style.height = Math.min(this.input.scrollHeight, 120) + "px";
  }

  update(toBottom: boolean): void {
    const thread = store.thread(this.id);
    const conversation = store.conversation(this.id);
    const nearBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 48;
    const seen = [...thread.messages].reverse().find((m) => m.kind === "incoming" && m.sequence);
    const wanted: HTMLElement[] = [];

    if (this.id === draftId && proactive) {
      const { id, text, senderName } = proactive;
      wanted.push(this.node("proactive:" + id, "", () => this.agentRow({ kind: "outgoing", text, author: { name: senderName }, createdAt: "" }, true, true)));
    } else if (this.id === draftId && config?.welcomeText) {
      wanted.push(this.node("welcome", "", () => this.agentRow({ kind: "outgoing", text: config!.welcomeText, createdAt: "" }, true, false)));
    }
    let previous: LocalMessage | undefined;
    thread.messages.forEach((message, index) => {
      const day = message.createdAt ? dayOf(message.createdAt) : "";
      if (day && (!previous || dayOf(previous.createdAt) !== day)) {
        wanted.push(this.node("day:" + day, dayLabel(message.createdAt), () => h("div", { class: "day", role: "separator" }, h("span", null, dayLabel(message.createdAt)))));
      }
      const next = thread.messages[index + 1];
      const first = !previous || !sameGroup(previous, message);
      const last = !next || !sameGroup(message, next);
      const state =
        message.delivery ||
        (message === seen ? (message.sequence! <= thread.agentRead ? "seen" : "sent") : "");
      const signature = [message.id, message.sequence, message.text, message.editedAt, message.deleted, message.error, state, first, last, message.attachments?.length].join("|");
      wanted.push(
        this.node(message.key, signature, () =>
          message.kind === "activity"
            ? h("div", { class: "activity" }, message.text || "")
            : message.kind === "outgoing"
              ? this.agentRow(message, first, last)
              : this.visitorRow(message, last, state),
        ),
      );
      previous = message;
    });

    // The assistant's suggested answers, while its question is the newest message: one press sends the answer.
    const newest = thread.messages[thread.messages.length - 1];
    const offered = newest?.kind === "outgoing" ? newest.quickReplies || [] : [];
    if (offered.length && !/^resolved$/i.test(conversation?.status || "")) {
      wanted.push(
        this.node("quick:" + newest.key, offered.join("|"), () =>
          h("div", { class: "quick", role: "group", "aria-label": t.quickReplies }, ...offered.map((label) => h("button", { type: "button", onclick: () => write(label) }, label))),
        ),
      );
    }

    // The inbox's survey, once the conversation is resolved or an agent asked for feedback.
    if (conversation && /^resolved$/i.test(conversation.status)) lookForSurvey(conversation.id);
    const survey = conversation && surveys.get(conversation.id);
    if (survey) {
      const id = conversation.id;
      wanted.push(this.node("survey:" + id, id, () => surveyCard(survey, t, (answer) => answerSurvey(id, answer))));
    }

    // Put the wanted nodes in order, moving only those out of place (unchanged messages are not re-announced).
    wanted.forEach((element, index) => {
      if (this.log.children[index] !== element) this.log.insertBefore(element, this.log.children[index] || null);
    });
    while (this.log.children.length > wanted.length) this.log.lastElementChild!.remove();
    for (const [key, entry] of this.nodes) {
      if (!entry.element.isConnected) this.nodes.delete(key);
    }

    this.typingLine.textContent = thread.typing ? format(t.typing, thread.typing) : "";
    if (!this.notice.classList.contains("error")) {
      this.notice.textContent =
        thread.notice || (conversation && /^resolved$/i.test(conversation.status) ? t.resolved : conversation?.queue ? waiting(conversation.queue) : "");
    }
    if (toBottom || nearBottom) this.log.scrollTop = this.log.scrollHeight;
  }

  private node(key: string, signature: string, build: () => HTMLElement): HTMLElement {
    const cached = this.nodes.get(key);
    if (cached && cached.signature === signature) return cached.element;
    const element = build();
    this.nodes.set(key, { signature, element });
    // Images arriving later grow the list: keep the newest message in view.
    for (const image of element.querySelectorAll("img")) {
      image.addEventListener("load", () => {
        if (this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < image.height + 64) this.log.scrollTop = this.log.scrollHeight;
      });
    }
    return element;
  }

  private agentRow(message: Message, first: boolean, last: boolean): HTMLElement {
    const name = message.author?.name || config?.name || "";
    const time = last && message.createdAt ? h("time", { datetime: message.createdAt }, when(message.createdAt, false)) : null;
    // A corrected reply says so under its bubble; a deleted one says so in its bubble instead.
    const edited = message.editedAt && !message.deleted ? h("span", { class: "edited" }, t.edited) : null;
    return h(
      "div",
      { class: "row agent" + (last ? " last" : "") },
      first ? avatar(name, message.author?.avatarUrl) : h("span", { class: "avatar spacer", "aria-hidden": "true" }),
      h(
        "div",
        { class: "col" },
        first && h("div", { class: "name" }, name),
        bubble(message),
        (time || edited) && h("div", { class: "meta" }, time, time && edited && " · ", edited),
      ),
    );
  }

  private visitorRow(message: LocalMessage, last: boolean, state: string): HTMLElement {
    const meta: (Node | string)[] = [];
    if (last || state) meta.push(h("time", { datetime: message.createdAt }, when(message.createdAt, false)));
    if (state === "failed") {
      meta.push(
        h("span", { class: "failed" }, " · ", message.error || t.notSent, " "),
        h("button", { type: "button", class: "link", onclick: () => void deliver(message) }, t.retry),
      );
    } else if (state) {
      meta.push(" · " + { sending: t.sending, uploading: t.uploading, sent: t.sent, seen: t.seen }[state]);
    }
    return h(
      "div",
      { class: "row me" + (last ? " last" : "") + (state === "failed" ? " failed" : "") },
      h("div", { class: "col" }, h("span", { class: "sr" }, t.you + ": "), bubble(message), meta.length > 0 && h("div", { class: "meta" }, ...meta)),
    );
  }
}

function sameGroup(a: Message, b: Message): boolean {
  return (
    a.kind === b.kind &&
    a.kind !== "activity" &&
    (a.author?.name || "") === (b.author?.name || "") &&
    dayOf(a.createdAt) === dayOf(b.createdAt) &&
    Math.abs(Date.parse(b.createdAt) - Date.parse(a.createdAt)) < 5 * 60000
  );
}

function bubble(message: LocalMessage | Message): HTMLElement {
  // The reply keeps its place in the thread (the visitor saw it), but its text and files are gone.
  if (message.deleted) return h("div", { class: "bubble deleted" }, h("p", null, t.deleted));
  const local = message as LocalMessage;
  const element = h("div", { class: message.text ? "bubble" : "bubble media" });
  if (message.text) element.append(renderText(message.text));
  for (const attachment of message.attachments || []) {
    const url = safeUrl(attachment.url);
    if (!url) continue;
    const name = attachment.fileName || t.attachment;
    element.append(
      /^image\//.test(attachment.contentType || "")
        ? link(url, h("img", { src: url, alt: name, loading: "lazy" }))
        : link(url, h("span", { class: "file" }, icon(icons.file), name)),
    );
  }
  if (!message.attachments?.length && local.preview) element.append(h("img", { src: local.preview, alt: local.file?.name || t.attachment }));
  else if (!message.attachments?.length && local.file) element.append(h("span", { class: "file" }, icon(icons.file), local.file.name));
  return element;
}

// ---- Go ----------------------------------------------------------------------------------------------------

function boot(): void {
  start()
    .then(() => toLoader({ pl: "ready" }))
    .catch((error) => {
      console.warn("Porchlight:", error);
      body.replaceChildren(
        h(
          "div",
          { class: "home" },
          h("p", { class: "error" }, t.loadFailed),
          h("button", { type: "button", class: "primary", onclick: boot }, t.tryAgain),
        ),
      );
      focusMain();
      toLoader({ pl: "ready" });
    });
}

boot();

/** "You're number 3 in line. Estimated wait: about 4 min." The estimate is left out when the team has no recent history. */
function waiting(place: QueuePlace): string {
  const seconds = place.estimatedWaitSeconds;
  const wait = seconds == null ? "" : " " + (seconds < 60 ? t.waitShort : format(t.waitAbout, String(Math.round(seconds / 60))));
  return format(t.inLine, String(place.position)) + wait;
}
