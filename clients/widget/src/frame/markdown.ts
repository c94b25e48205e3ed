// Markdown-lite: the formatting agents and visitors may type in a message, rendered the same way as in the agent
// inbox (docs/widget.md, "Message formatting"). Text is stored as typed and reaches the page only as text nodes and
// elements built here; nothing is ever parsed as HTML.
import { findLinks, h, link } from "./dom";

type Inline = Node | string;

/** Message text as paragraphs (line breaks kept) and bulleted lists, with inline formatting and safe links. */
export function renderText(text: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  const lines = text.split(/\r?\n/);
  for (let start = 0; start < lines.length; ) {
    const listed = isListItem(lines[start]);
    let end = start + 1;
    while (end < lines.length && isListItem(lines[end]) === listed) end++;
    const run = lines.slice(start, end);
    fragment.append(listed ? list(run) : paragraph(run, end < lines.length));
    start = end;
  }
  return fragment;
}

function list(items: string[]): HTMLElement {
  return h("ul", null, ...items.map((item) => h("li", null, ...inline(item.slice(2)))));
}

function paragraph(lines: string[], beforeList: boolean): HTMLElement {
  const element = h("p");
  lines.forEach((line, index) => element.append(...(index ? ["\n"] : []), ...inline(line)));
  // An empty line before a list stays visible: the last line break of a paragraph alone would show nothing.
  if (beforeList && lines[lines.length - 1] === "") element.append("\n");
  return element;
}

function isListItem(line: string): boolean {
  return line.startsWith("- ") || line.startsWith("* ");
}

/**
 * One line: code spans and links first (nothing inside them is formatted), then bold, italic and struck text
 * matched with a stack of open markers, so a line of any length is read in one pass.
 */
function inline(line: string): Inline[] {
  const out: Inline[] = [];
  const open: Opener[] = [];
  const links = findLinks(line);
  let next = 0; // the first link not passed yet
  for (let i = 0; i < line.length; ) {
    while (next < links.length && links[next].start < i) next++;
    const found = links[next];
    if (found?.start === i) {
      out.push(link(found.address, found.label));
      i += found.label.length;
      continue;
    }
    const codeEnd = line[i] === "`" ? closingBacktick(line, i) : -1;
    if (codeEnd > 0) {
      out.push(h("code", null, line.slice(i + 1, codeEnd)));
      i = codeEnd + 1;
      continue;
    }
    const run = markerRun(line, i);
    if (run) {
      placeRun(line, i, run, out, open);
      i += run;
      continue;
    }
    out.push(line[i++]);
  }
  return out; // openers never closed stay in `out` as the text that was typed
}

/** The closing backtick of a code span opened at `start`, or -1: `code` needs a non-space just inside each backtick. */
function closingBacktick(line: string, start: number): number {
  if (isSpace(line[start + 1])) return -1;
  for (let j = line.indexOf("`", start + 2); j > 0; j = line.indexOf("`", j + 1)) {
    if (!isSpace(line[j - 1])) return j;
  }
  return -1;
}

interface Opener {
  marker: string; // "**", "*", "_" or "~~"
  at: number; // its index in the output, where its typed text sits until it is closed
}

const tags: Record<string, "strong" | "em" | "del"> = { "**": "strong", "*": "em", _: "em", "~~": "del" };

/**
 * The length of the marker run starting at `i`, or 0 when none starts there. A run counts only in the lengths the
 * format has: one to three "*" (italic, bold, both), one "_", two "~". Longer runs ("****", "__init__") stay as typed.
 */
function markerRun(line: string, i: number): number {
  const char = line[i];
  if (char !== "*" && char !== "_" && char !== "~") return 0;
  if (line[i - 1] === char) return 0; // inside a run already measured (and found too long)
  let length = 1;
  while (line[i + length] === char) length++;
  const fits = char === "*" ? length <= 3 : char === "_" ? length === 1 : length === 2;
  return fits ? length : 0;
}

/**
 * Closes what the run can close (the nearest open marker of the same character, as long as the run has enough of
 * it left), then opens markers with what remains, or leaves it as typed. A marker opens before a non-space and
 * closes after one; "_" also never touches a letter or digit on its outer side, so snake_case_words stay as typed.
 */
function placeRun(line: string, i: number, length: number, out: Inline[], open: Opener[]): void {
  const char = line[i];
  const before = line[i - 1];
  const after = line[i + length];
  const word = char === "_";
  const canClose = !isSpace(before) && !(word && isWordChar(after));
  const canOpen = !isSpace(after) && !(word && isWordChar(before));
  let left = length;
  while (canClose && left > 0) {
    const index = findLastIndex(open, (o) => o.marker[0] === char);
    if (index < 0 || open[index].marker.length > left) break;
    const opener = open[index];
    open.length = index; // markers opened inside it and never closed stay as typed
    const content = out.splice(opener.at + 1);
    out[opener.at] = h(tags[opener.marker], null, ...content);
    left -= opener.marker.length;
  }
  if (left === 0) return;
  if (!canOpen) {
    out.push(char.repeat(left));
    return;
  }
  // "***" opens bold outside italic, so that "***both***" closes the italic first.
  for (const marker of left === 3 ? ["**", "*"] : [char.repeat(left)]) {
    open.push({ marker, at: out.length });
    out.push(marker);
  }
}

function findLastIndex<T>(items: T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) {
    if (test(items[i])) return i;
  }
  return -1;
}

/** True for whitespace and for the edge of the line. */
function isSpace(char: string | undefined): boolean {
  return char === undefined || /\s/.test(char);
}

function isWordChar(char: string | undefined): boolean {
  return char !== undefined && /[\p{L}\p{N}]/u.test(char);
}
