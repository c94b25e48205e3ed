// The agent inbox's browser side: keyboard shortcuts, Enter in the composer, keeping the thread at its newest
// message, and the optional notification (with a short chime) while the tab is hidden. The page stays in
// charge of what happens; this file only reports keys and visibility and does what the page asks.

const preferenceKey = "porchlight.inbox.notifications";
let page = null;
let audio = null;

// A call into the page; while the circuit reconnects it fails, and the key press is simply lost.
function call(method, ...args) {
  page?.invokeMethodAsync(method, ...args).catch(() => { });
}

function editable(element) {
  return element instanceof HTMLElement
    && (element.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(element.tagName));
}

function onKeyDown(event) {
  const target = event.target;
  if (target instanceof HTMLTextAreaElement && target.id === "composer") {
    if (event.key === "Enter" && !event.shiftKey && !event.altKey && !event.isComposing) {
      event.preventDefault();
      call("SendFromComposer", target.value);
    } else if (event.key === "Escape") {
      target.blur();
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
    notifications: localStorage.getItem(preferenceKey) === "on",
    permission: "Notification" in window ? Notification.permission : "unsupported",
  };
}

export function start(dotnet) {
  page = dotnet;
  document.addEventListener("keydown", onKeyDown);
  document.addEventListener("visibilitychange", onVisibilityChange);
  document.addEventListener("pointerdown", unlockAudio, { once: true });
  document.addEventListener("keydown", unlockAudio, { once: true });
  return state();
}

export function stop() {
  page = null;
  document.removeEventListener("keydown", onKeyDown);
  document.removeEventListener("visibilitychange", onVisibilityChange);
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

// Called from a click: the only moment a browser lets a page ask for notification permission.
export async function toggleNotifications() {
  if (localStorage.getItem(preferenceKey) === "on") {
    localStorage.removeItem(preferenceKey);
    return state();
  }
  unlockAudio();
  if ("Notification" in window && Notification.permission === "default") {
    await Notification.requestPermission();
  }
  localStorage.setItem(preferenceKey, "on");
  return state();
}

export function notify(title, body, conversationId) {
  if (localStorage.getItem(preferenceKey) !== "on" || !document.hidden) {
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
