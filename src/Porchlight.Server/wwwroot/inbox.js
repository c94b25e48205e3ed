// The agent inbox's browser side: keyboard shortcuts, Enter in the composer, keeping the thread at its newest
// message, and the optional notification (with a short chime) while the tab is hidden. The page stays in
// charge of what happens; this file only reports keys and visibility and does what the page asks.
// In the composer it also reports the word at the caret that opens a picker ("/ref" for canned responses,
// "@ad" in a note for teammates), steers the picker with the keys, and hands pasted or dropped files to the
// page's file input.

let page = null;
// The agent's alert preference, kept with the agent on the server (MyAlerts); the page hands it over.
let alertsOn = false;
let audio = null;
// The picker trigger last reported to the page ({ kind, query, start }), and one closed with Esc.
let trigger = null;
let dismissedAt = -1;

// A call into the page; while the circuit reconnects it fails, and the key press is simply lost.
function call(method, ...args) {
  page?.invokeMethodAsync(method, ...args).catch(() => { });
}

function editable(element) {
  return element instanceof HTMLElement
    && (element.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(element.tagName));
}

// "/" or "@" at the start of a word, followed by what is typed so far, right before the caret.
function triggerAt(composer) {
  const caret = composer.selectionStart;
  if (caret !== composer.selectionEnd) {
    return null;
  }
  const match = /(^|\s)([/@])([^\s/@]{0,40})$/.exec(composer.value.slice(0, caret));
  if (!match) {
    return null;
  }
  const kind = match[2] === "/" ? "canned" : "mention";
  if (kind === "mention" && composer.dataset.note !== "true") {
    return null;
  }
  return { kind, query: match[3], start: caret - match[3].length - 1 };
}

function reportTrigger(composer) {
  let next = triggerAt(composer);
  if (next && next.start === dismissedAt) {
    // Closed with Esc: the picker stays closed for this word.
    next = null;
  } else {
    dismissedAt = -1;
  }
  if (next?.kind === trigger?.kind && next?.query === trigger?.query && next?.start === trigger?.start) {
    return;
  }
  trigger = next;
  call("ComposerTrigger", next?.kind ?? null, next?.query ?? "");
}

// Text boxes typed into since the page last set their text (showTexts).
const typedSinceShown = new WeakSet();

function onInput(event) {
  typedSinceShown.add(event.target);
  if (event.target instanceof HTMLTextAreaElement && event.target.id === "composer") {
    reportTrigger(event.target);
  }
}

function onComposerKeyUp(event) {
  if (event.target instanceof HTMLTextAreaElement && event.target.id === "composer"
    && ["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) {
    reportTrigger(event.target);
  }
}

function onClick(event) {
  const target = event.target instanceof Element ? event.target : null;
  for (const picker of document.querySelectorAll("details.pl-emoji[open]")) {
    if (!picker.contains(target)) {
      picker.removeAttribute("open");
    }
  }
  const emoji = target?.closest("[data-emoji]");
  if (emoji) {
    emoji.closest("details")?.removeAttribute("open");
    typeIntoComposer(emoji.getAttribute("data-emoji"));
  } else if (target?.closest("#attach-file")) {
    document.getElementById("composer-file")?.click();
  } else if (target instanceof HTMLTextAreaElement && target.id === "composer") {
    reportTrigger(target);
  }
}

function closeTrigger() {
  if (trigger) {
    dismissedAt = trigger.start;
    trigger = null;
    call("PickerClose");
  }
}

function onComposerKeyDown(event, composer) {
  const open = trigger !== null;
  if (open && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
    event.preventDefault();
    call("PickerMove", event.key === "ArrowDown" ? 1 : -1);
  } else if (open && (event.key === "Tab" || (event.key === "Enter" && !event.shiftKey)) && !event.isComposing) {
    event.preventDefault();
    const key = event.key;
    trigger = null;
    // Nothing to choose: Enter sends as usual, Tab does nothing.
    page?.invokeMethodAsync("PickerChoose")
      .then(chosen => { if (!chosen && key === "Enter") { call("SendFromComposer", composer.value); } })
      .catch(() => { });
  } else if (open && event.key === "Escape") {
    event.preventDefault();
    closeTrigger();
  } else if (event.key === "Enter" && !event.shiftKey && !event.altKey && !event.isComposing) {
    event.preventDefault();
    trigger = null;
    call("SendFromComposer", composer.value);
  } else if (event.key === "Escape") {
    composer.blur();
  }
}

function onKeyDown(event) {
  const target = event.target;
  if (target instanceof HTMLTextAreaElement && target.id === "composer") {
    onComposerKeyDown(event, target);
    return;
  }
  if (target instanceof HTMLTextAreaElement && target.id === "edit-message") {
    if (event.key === "Enter" && !event.shiftKey && !event.altKey && !event.isComposing) {
      event.preventDefault();
      call("SaveEdit", target.value);
    } else if (event.key === "Escape") {
      event.preventDefault();
      call("CancelEdit");
    }
    return;
  }

  // Shortcuts are single keys: never while typing somewhere, with a modifier, or with a menu or dialog open.
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || editable(target)
    || document.querySelector(".mud-popover-open .mud-menu-list, .mud-dialog")) {
    return;
  }

  switch (event.key) {
    case "r": focusComposer(); call("Shortcut", "reply"); break;
    case "n": call("Shortcut", "note"); break;
    case "e": call("Shortcut", "resolve"); break;
    case "j": call("Shortcut", "next"); break;
    case "k": call("Shortcut", "previous"); break;
    case "/": document.getElementById("conversation-search")?.focus(); break;
    default: return;
  }
  event.preventDefault();
}

function onVisibilityChange() {
  call("VisibilityChanged", !document.hidden);
}

// Browsers let a page play sound only after the person interacted with it: unlock on the first gesture.
function unlockAudio() {
  try {
    audio ??= new AudioContext();
    if (audio.state === "suspended") {
      audio.resume();
    }
  } catch {
    audio = null;
  }
}

function chime() {
  if (!audio || audio.state !== "running") {
    return;
  }
  const start = audio.currentTime;
  [660, 990].forEach((frequency, i) => {
    const at = start + i * 0.13;
    const tone = audio.createOscillator();
    const volume = audio.createGain();
    tone.type = "sine";
    tone.frequency.value = frequency;
    volume.gain.setValueAtTime(0.0001, at);
    volume.gain.exponentialRampToValueAtTime(0.12, at + 0.02);
    volume.gain.exponentialRampToValueAtTime(0.0001, at + 0.35);
    tone.connect(volume).connect(audio.destination);
    tone.start(at);
    tone.stop(at + 0.4);
  });
}

function state() {
  return {
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone ?? null,
    visible: !document.hidden,
    notifications: alertsOn,
    permission: "Notification" in window ? Notification.permission : "unsupported",
  };
}

// Files pasted into the composer or dropped on it go through the page's file input, like chosen ones.
function handFiles(files) {
  const input = document.getElementById("composer-file");
  if (!input || !files || files.length === 0) {
    return false;
  }
  const transfer = new DataTransfer();
  for (const file of files) {
    transfer.items.add(file);
  }
  input.files = transfer.files;
  input.dispatchEvent(new Event("change", { bubbles: true }));
  return true;
}

function onPaste(event) {
  if (event.target instanceof Element && event.target.closest("#composer-panel")
    && event.clipboardData?.files.length && handFiles(event.clipboardData.files)) {
    event.preventDefault();
  }
}

function dropZone(event) {
  return event.target instanceof Element ? event.target.closest("#composer-panel") : null;
}

function onDragOver(event) {
  const zone = dropZone(event);
  if (zone && event.dataTransfer?.types.includes("Files")) {
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    zone.classList.add("pl-drop-target");
  }
}

function onDragLeave(event) {
  const zone = dropZone(event);
  if (zone && !zone.contains(event.relatedTarget)) {
    zone.classList.remove("pl-drop-target");
  }
}

function onDrop(event) {
  const zone = dropZone(event);
  if (zone && event.dataTransfer?.files.length) {
    event.preventDefault();
    zone.classList.remove("pl-drop-target");
    handFiles(event.dataTransfer.files);
  }
}

// The agent is at their desk: told to the page at most once a minute, so automatic away counts from the last sign of life.
let activeReportedAt = 0;
function onActivity() {
  if (Date.now() - activeReportedAt < 60000) return;
  activeReportedAt = Date.now();
  call("Active");
}

const listeners = [
  ["keydown", onKeyDown], ["keyup", onComposerKeyUp], ["input", onInput], ["click", onClick],
  ["paste", onPaste], ["dragover", onDragOver], ["dragleave", onDragLeave], ["drop", onDrop],
  ["pointermove", onActivity], ["pointerdown", onActivity], ["keydown", onActivity], ["wheel", onActivity],
];

export function start(dotnet, alerts) {
  page = dotnet;
  alertsOn = alerts;
  listeners.forEach(([name, handler]) => document.addEventListener(name, handler));
  document.addEventListener("visibilitychange", onVisibilityChange);
  document.addEventListener("pointerdown", unlockAudio, { once: true });
  document.addEventListener("keydown", unlockAudio, { once: true });
  return state();
}

export function stop() {
  page = null;
  listeners.forEach(([name, handler]) => document.removeEventListener(name, handler));
  document.removeEventListener("visibilitychange", onVisibilityChange);
}

// Replaces the trigger word at the caret ("/ref", "@ad") with the chosen text, as if typed.
export function completeTrigger(text) {
  const composer = document.getElementById("composer");
  if (!composer) {
    return;
  }
  const found = triggerAt(composer);
  trigger = null;
  dismissedAt = -1;
  typeIntoComposer(text, found ? found.start : composer.selectionStart);
}

// Puts text at the caret as typed (an article offered beside the conversation), apart from a word right before it.
export function insertIntoComposer(text) {
  const composer = document.getElementById("composer");
  if (!composer) {
    return;
  }
  const before = composer.value.slice(0, composer.selectionStart);
  typeIntoComposer(before.length > 0 && !/\s$/.test(before) ? " " + text : text);
}

// Puts text at the caret (over what is selected, or from start), and lets the page learn it as typed text.
function typeIntoComposer(text, start) {
  const composer = document.getElementById("composer");
  if (!composer) {
    return;
  }
  composer.focus();
  composer.setRangeText(text, start ?? composer.selectionStart, composer.selectionEnd, "end");
  composer.dispatchEvent(new Event("input", { bubbles: true }));
}

// The page's text boxes render no value (InboxPage, "Text boxes"): the page sets their text only through here.
// Takes { id: { text, replacing } } and answers the ids of the boxes not on the page. With `replacing`, the text
// goes in only over what the page last knew the box held: the page decided before it heard of what was typed
// since (a draft restored as the agent starts typing in a conversation just opened), and typing wins.
export function showTexts(texts) {
  const missing = [];
  for (const [id, { text, replacing }] of Object.entries(texts)) {
    const box = document.getElementById(id);
    if (!box) {
      missing.push(id);
      continue;
    }
    // Typing wins, and keeps winning: the page may send the same text again before it hears this answer.
    if (typedSinceShown.has(box) && replacing != null && box.value !== replacing) {
      continue;
    }
    if (box.value !== text) {
      box.value = text;
    }
    typedSinceShown.delete(box);
  }
  return missing;
}

// A message was sent with the composer's text: take it out, and keep what was typed after it meanwhile.
export function takeSentText(sent) {
  const composer = document.getElementById("composer");
  if (!composer || !composer.value.startsWith(sent)) {
    return;
  }
  composer.value = composer.value.slice(sent.length).replace(/^\s+/, "");
  composer.dispatchEvent(new Event("input", { bubbles: true }));
}

export function focusEdit() {
  const editor = document.getElementById("edit-message");
  if (editor) {
    editor.focus();
    editor.setSelectionRange(editor.value.length, editor.value.length);
  }
}

export function focusComposer() {
  const composer = document.getElementById("composer");
  if (composer) {
    composer.focus();
    composer.setSelectionRange(composer.value.length, composer.value.length);
  }
}

// The thread is a reversed flex column, so it rests at its newest message; this returns there after a send.
export function scrollThreadToEnd() {
  const thread = document.getElementById("thread");
  if (thread) {
    thread.scrollTop = 0;
  }
}

// Called right after a click (the only moment a browser lets a page ask for notification permission) with the
// preference the page has just stored.
export async function setAlerts(on) {
  alertsOn = on;
  if (on) {
    unlockAudio();
    if ("Notification" in window && Notification.permission === "default") {
      await Notification.requestPermission();
    }
  }
  return state();
}

export function notify(title, body, conversationId) {
  if (!alertsOn || !document.hidden) {
    return;
  }
  chime();
  if ("Notification" in window && Notification.permission === "granted") {
    const notification = new Notification(title, { body: body.length > 160 ? body.slice(0, 159) + "…" : body, tag: conversationId, icon: "/favicon.svg" });
    notification.onclick = () => {
      window.focus();
      call("OpenFromNotification", conversationId);
      notification.close();
    };
  }
}
