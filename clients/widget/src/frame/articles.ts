// The knowledge base inside the chat: search the published articles, read one, say whether it helped, and go on
// to a person when it did not. Article HTML comes sanitized from the server and is rebuilt here from an allow-list
// all the same: nothing the frame shows is parsed into live markup.
import type { ArticleLink, VisitorApi } from "./api";
import { h, safeUrl } from "./dom";
import { format, type Strings } from "./i18n";

/** Elements an article may have, as the server's sanitizer leaves them; anything else keeps only its text. */
const allowed = new Set([
  "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "b", "em", "i", "code", "pre",
  "blockquote", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "del", "s", "mark", "sup", "sub", "span", "div",
]);

/**
 * HTML rebuilt from an inert parse: allowed elements are created anew with only their safe attributes (links and
 * images through safeUrl, resolved against the article's own address), everything else becomes its text.
 */
export function rebuild(html: string, base?: string | null): DocumentFragment {
  const parsed = new DOMParser().parseFromString(html, "text/html").body;
  const out = document.createDocumentFragment();
  const copy = (from: Node, to: Node): void => {
    for (const node of Array.from(from.childNodes)) {
      if (node.nodeType === Node.TEXT_NODE) {
        to.appendChild(document.createTextNode(node.textContent || ""));
        continue;
      }
      if (!(node instanceof Element)) continue;
      const tag = node.tagName.toLowerCase();
      if (!allowed.has(tag)) {
        copy(node, to);
        continue;
      }
      const element = document.createElement(tag);
      if (tag === "a") {
        const href = safeUrl(resolve(node.getAttribute("href"), base), true);
        if (href) {
          element.setAttribute("href", href);
          element.setAttribute("target", "_blank");
          element.setAttribute("rel", "noopener noreferrer");
        }
      }
      if (tag === "img") {
        const src = safeUrl(resolve(node.getAttribute("src"), base));
        if (!src) continue;
        element.setAttribute("src", src);
        element.setAttribute("alt", node.getAttribute("alt") || "");
      }
      copy(node, element);
      to.appendChild(element);
    }
  };
  copy(parsed, out);
  return out;
}

function resolve(address: string | null, base?: string | null): string | null {
  if (!address) return null;
  try {
    return new URL(address, base || undefined).href;
  } catch {
    return null; // relative, and no help center to be relative to
  }
}

/** What this browser answered for each article, so a second answer moves the vote instead of adding one. */
const answers: Record<string, boolean> = {};
function answerOf(id: string): boolean | undefined {
  try {
    const stored = localStorage.getItem("porchlight.helpful." + id);
    return stored == null ? answers[id] : stored === "yes";
  } catch {
    return answers[id];
  }
}
function keepAnswer(id: string, helpful: boolean): void {
  answers[id] = helpful;
  try {
    localStorage.setItem("porchlight.helpful." + id, helpful ? "yes" : "no");
  } catch {
    // Storage blocked in this frame: remembered until it closes.
  }
}

export class HelpView {
  readonly root: HTMLElement;
  readonly input: HTMLInputElement;
  private readonly results = h("ul", { class: "articles" });
  private readonly note = h("p", { class: "note", role: "status" });
  private timer: ReturnType<typeof setTimeout> | undefined;
  private asked = 0;

  constructor(
    private readonly api: VisitorApi,
    private readonly t: Strings,
    private readonly locale: string,
    /** The visitor wants a person: open a new conversation. */
    private readonly onChat: () => void,
  ) {
    this.input = h("input", { type: "search", placeholder: t.searchArticles, "aria-label": t.searchArticles, maxlength: 200, autocomplete: "off" });
    this.input.oninput = () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.search(), 200);
    };
    const form = h("form", { class: "find", role: "search" }, this.input);
    form.onsubmit = (event) => {
      event.preventDefault();
      clearTimeout(this.timer);
      void this.search();
    };
    this.root = h("div", { class: "help" }, form, h("div", { class: "home" }, this.note, this.results, this.askPerson()));
    void this.search();
  }

  /** Runs the search in the field (the most read articles when empty); a slower earlier answer never replaces a later one. */
  private async search(): Promise<void> {
    const query = this.input.value.trim();
    const asked = ++this.asked;
    try {
      const list = await this.api.articles(query, this.locale);
      if (asked !== this.asked) return;
      this.note.textContent = list.correctedQuery
        ? format(this.t.showingFor, list.correctedQuery)
        : list.articles.length ? (query ? "" : this.t.popular) : query ? this.t.noArticles : "";
      this.results.replaceChildren(...list.articles.map((article) => this.item(article)));
    } catch {
      if (asked === this.asked) this.note.textContent = this.t.error;
    }
  }

  private item(article: ArticleLink): HTMLElement {
    const title = h("strong", null);
    title.append(article.titleHtml ? rebuild(article.titleHtml) : article.title);
    const line = h("span", null);
    line.append(article.snippetHtml ? rebuild(article.snippetHtml) : article.description);
    return h("li", null, h("button", { type: "button", class: "article", onclick: () => void this.open(article.id) }, title, line));
  }

  private async open(id: string): Promise<void> {
    const home = this.root.querySelector(".home")!;
    try {
      const article = await this.api.article(id);
      const content = h("div", { class: "content" });
      content.append(rebuild(article.html, article.url));
      const back = h("button", { type: "button", class: "link", onclick: () => this.close() }, "← " + this.t.allArticles);
      const heading = h("h2", { tabindex: -1 }, article.title);
      home.replaceChildren(
        back,
        h("article", { class: "read" }, heading, content),
        article.url ? h("p", { class: "note" }, h("a", { href: article.url, target: "_blank", rel: "noopener noreferrer" }, this.t.openInHelpCenter)) : "",
        this.feedback(id),
        this.askPerson(),
      );
      home.scrollTop = 0;
      heading.focus();
    } catch {
      this.note.textContent = this.t.error;
    }
  }

  private close(): void {
    const home = this.root.querySelector(".home")!;
    home.replaceChildren(this.note, this.results, this.askPerson());
    this.input.focus();
  }

  private feedback(id: string): HTMLElement {
    const status = h("span", { role: "status" }, this.t.helpful);
    const choice = (helpful: boolean, label: string): HTMLButtonElement => {
      const button = h("button", { type: "button", "aria-pressed": String(answerOf(id) === helpful) }, label);
      button.onclick = async () => {
        const previous = answerOf(id);
        if (previous === helpful) return;
        try {
          await this.api.feedback(id, helpful, previous);
          keepAnswer(id, helpful);
          yes.setAttribute("aria-pressed", String(helpful));
          no.setAttribute("aria-pressed", String(!helpful));
          status.textContent = helpful ? this.t.thanks : this.t.sorryNotHelpful;
        } catch {
          status.textContent = this.t.error;
        }
      };
      return button;
    };
    const yes = choice(true, this.t.yes);
    const no = choice(false, this.t.no);
    return h("div", { class: "feedback" }, status, yes, no);
  }

  private askPerson(): HTMLElement {
    return h("div", { class: "ask" }, h("p", null, this.t.stillNeedHelp), h("button", { type: "button", class: "primary", onclick: this.onChat }, this.t.chatWithUs));
  }
}
