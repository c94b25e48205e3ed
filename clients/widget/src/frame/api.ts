// The visitor HTTP API (docs/widget.md) and the visitor's session in this origin's localStorage.

export interface Author {
  name?: string | null;
  avatarUrl?: string | null;
}

export interface Attachment {
  id?: string;
  fileName?: string;
  contentType?: string;
  size?: number;
  url?: string;
}

export type Kind = "incoming" | "outgoing" | "activity";

export interface Message {
  id?: string;
  clientId?: string | null;
  conversationId?: string;
  sequence?: number;
  kind: Kind;
  text?: string | null;
  author?: Author | null;
  attachments?: Attachment[] | null;
  createdAt: string;
  editedAt?: string | null;
  /** An agent deleted this reply: it keeps its place, with no text and no files. */
  deleted?: boolean;
  /** Answers the assistant offers as buttons; shown while this is the newest message. */
  quickReplies?: string[] | null;
}

export interface Conversation {
  id: string;
  status: string;
  lastSequence: number;
  unread: number;
  lastMessage?: Message | null;
  /** Set while the conversation waits for an agent: the place in line and the estimated wait. */
  queue?: QueuePlace | null;
}

export interface QueuePlace {
  position: number;
  estimatedWaitSeconds?: number | null;
}

export interface PreChatField {
  key: string;
  label: string;
  type: "text" | "email" | "phone" | "textarea" | "select" | "checkbox";
  required: boolean;
  placeholder?: string | null;
  options?: string[] | null;
}

export interface InboxConfig {
  name: string;
  color: string;
  position: string;
  greeting: string;
  welcomeText: string;
  preChatFields: PreChatField[];
  requireIdentityVerification: boolean;
  agentsAvailable: boolean;
  /** The inbox's assistant answers new chats, and takes contact details itself when nobody is online. */
  assistant?: boolean;
  /** The workspace has published articles: the frame offers to search them. */
  knowledgeBase: boolean;
  /** The inbox asks for feedback once a conversation is resolved (or an agent asks for it). */
  survey?: boolean;
}

/** The scores (within their scales) and the comment of a survey answer; null where not answered. */
export interface SurveyAnswer {
  rating?: number | null;
  effort?: number | null;
  recommend?: number | null;
  comment?: string | null;
}

/** A conversation's survey: what it asks, the answer so far, and until when that answer may change. */
export interface Survey {
  conversationId: string;
  questions: { rating: "None" | "Stars" | "Emoji"; askEffort: boolean; askRecommend: boolean; askComment: boolean };
  answer?: SurveyAnswer | null;
  editableUntil?: string | null;
}

/** An article in a list; titleHtml and snippetHtml (escaped text with <mark>) only when found by a search. */
export interface ArticleLink {
  id: string;
  title: string;
  description: string;
  titleHtml?: string | null;
  snippetHtml?: string | null;
}

export interface ArticleList {
  locale: string;
  articles: ArticleLink[];
  correctedQuery?: string | null;
}

export interface Article {
  id: string;
  title: string;
  /** Rendered from Markdown and sanitized by the server; the frame still rebuilds it from an allow-list (articles.ts). */
  html: string;
  updatedAt: string;
  /** The article on the public help center, when there is one. */
  url?: string | null;
}

export interface Session {
  visitorToken: string;
  visitorId: string;
  /** The identify call this visitor token came from, so the same call on the next page is not repeated. */
  identity?: string;
}

/** A failed call: status 0 is a network failure (worth retrying later), else the server's ProblemDetails. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: Record<string, string[]> = {},
  ) {
    super(message);
  }
}

export class VisitorApi {
  session: Session | undefined;
  private readonly storageKey: string;

  /**
   * Browsers that block storage in third-party frames (Safari, or Chrome with third-party cookies off)
   * deny this frame its localStorage. The session then lives on the host page: the loader keeps it in the
   * site's own storage and hands it over in the frame's address (`hostSession`); `keepOnHost` stores changes.
   */
  constructor(
    private readonly inboxToken: string,
    private readonly base: string, // ends with /widget/v1/
    hostSession: string,
    private readonly keepOnHost: (session: string) => void,
    /** The tracker's id for this browser on the host site, so agents see its pages beside the chat. */
    private readonly trackerVisitor = "",
  ) {
    this.storageKey = "porchlight.visitor." + inboxToken;
    let stored: string | null = null;
    try {
      stored = localStorage.getItem(this.storageKey);
    } catch {
      this.storageBlocked = true;
    }
    try {
      this.session = JSON.parse((this.storageBlocked ? hostSession : stored) || "null") || undefined;
    } catch {
      this.session = undefined;
    }
  }

  private storageBlocked = false;

  get token(): string {
    return this.session?.visitorToken || "";
  }

  save(session: Session | undefined): void {
    this.session = session;
    if (this.storageBlocked) {
      this.keepOnHost(session ? JSON.stringify(session) : "");
      return;
    }
    try {
      if (session) localStorage.setItem(this.storageKey, JSON.stringify(session));
      else localStorage.removeItem(this.storageKey);
    } catch {
      this.storageBlocked = true;
      this.keepOnHost(session ? JSON.stringify(session) : "");
    }
  }

  /** The same visitor when the stored token is still valid for this inbox, else a new anonymous one. */
  async startSession(): Promise<void> {
    const previous = this.session;
    const answer = await this.call<Session>("POST", "sessions", { inboxToken: this.inboxToken, visitorToken: previous?.visitorToken, trackerVisitor: this.trackerVisitor || undefined }, false);
    this.save({ ...answer, identity: answer.visitorId === previous?.visitorId ? previous?.identity : undefined });
  }

  config(): Promise<InboxConfig> {
    return this.call("GET", "inboxes/" + encodeURIComponent(this.inboxToken), undefined, false);
  }

  articles(query: string, locale: string): Promise<ArticleList> {
    const search = new URLSearchParams({ q: query, locale });
    return this.call("GET", "inboxes/" + encodeURIComponent(this.inboxToken) + "/articles?" + search.toString(), undefined, false);
  }

  /** With the visitor's token when there is one: the read counts as theirs in the article deflection report. */
  article(id: string): Promise<Article> {
    return this.call("GET", "inboxes/" + encodeURIComponent(this.inboxToken) + "/articles/" + encodeURIComponent(id), undefined, !!this.session);
  }

  feedback(id: string, helpful: boolean, previous: boolean | undefined): Promise<void> {
    return this.call("POST", "inboxes/" + encodeURIComponent(this.inboxToken) + "/articles/" + encodeURIComponent(id) + "/feedback", { helpful, previous }, false);
  }

  survey(conversationId: string): Promise<Survey> {
    return this.call("GET", "conversations/" + encodeURIComponent(conversationId) + "/survey");
  }

  answerSurvey(conversationId: string, answer: SurveyAnswer): Promise<Survey> {
    return this.call("POST", "conversations/" + encodeURIComponent(conversationId) + "/survey", answer);
  }

  async call<T>(method: string, path: string, body?: unknown, authorized = true, retried = false): Promise<T> {
    const headers: Record<string, string> = {};
    if (authorized) headers.Authorization = "Bearer " + this.token;
    if (body !== undefined && !(body instanceof FormData)) headers["Content-Type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, "");
    }
    if (response.status === 401 && authorized && !retried) {
      // The visitor token expired or was revoked: get a session again (possibly a new visitor) and retry once.
      await this.startSession();
      return this.call(method, path, body, authorized, true);
    }
    if (!response.ok) {
      let problem: { title?: string; detail?: string; errors?: Record<string, string[]> } = {};
      try {
        problem = await response.json();
      } catch {
        // Not ProblemDetails (a proxy's error page): the status says enough.
      }
      const fieldMessages = Object.values(problem.errors || {}).flat();
      throw new ApiError(response.status, problem.detail || fieldMessages[0] || problem.title || "", problem.errors);
    }
    return (response.status === 204 ? undefined : await response.json()) as T;
  }
}
