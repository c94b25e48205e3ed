// Dashboard apps beside a conversation (docs/dashboard-apps.md). Each frame[data-dashboard-app] is told the open
// conversation and contact by postMessage when it loads and whenever the page hands over a new context, and again
// when it asks with { type: "porchlight:request-context" }. Messages are addressed to the frame's own origin, never
// "*": a frame that navigated elsewhere (a sign-in page of another site) is told nothing. A request is answered only
// when it comes from one of the frames' windows and from that frame's origin.

const selector = "iframe[data-dashboard-app]";
let context = null;

function originOf(frame) {
  try {
    return new URL(frame.src).origin;
  } catch {
    return null;
  }
}

function tell(frame) {
  const origin = originOf(frame);
  if (context && origin && origin !== "null" && frame.contentWindow) {
    frame.contentWindow.postMessage(context, origin);
  }
}

// A frame's load does not bubble, but it passes the document on its way down (capture).
function onLoad(event) {
  if (event.target instanceof HTMLIFrameElement && event.target.matches(selector)) {
    tell(event.target);
  }
}

function onMessage(event) {
  if (event.data?.type !== "porchlight:request-context") {
    return;
  }
  for (const frame of document.querySelectorAll(selector)) {
    if (event.source === frame.contentWindow && event.origin === originOf(frame)) {
      tell(frame);
      return;
    }
  }
}

export function start() {
  document.addEventListener("load", onLoad, true);
  window.addEventListener("message", onMessage);
}

// The page's new context, told at once to every frame (a frame still loading is told when it has loaded).
export function show(next) {
  context = next;
  document.querySelectorAll(selector).forEach(tell);
}

export function stop() {
  context = null;
  document.removeEventListener("load", onLoad, true);
  window.removeEventListener("message", onMessage);
}
