// A small client of the SignalR JSON hub protocol: handshake, invocations from the server, fire-and-forget
// invocations to it, keep-alive pings, and reconnect with backoff. A WebSocket straight to the hub, or long polling
// where a WebSocket cannot be opened (a proxy that blocks them). The official client is about 14.6 KB gzipped;
// the frame's whole budget is 40 KB.

const separator = "\u001e";
const backoff = [0, 2000, 5000, 10000, 30000]; // then every 30 s, for as long as the frame is open
const pingInterval = 15000; // the server's default KeepAliveInterval
const serverTimeout = 30000; // the server pings every 15 s: twice that without a word means the link is dead

const enum MessageType {
  Invocation = 1,
  Completion = 3,
  Ping = 6,
  Close = 7,
}

interface HubMessage {
  type: MessageType;
  target?: string;
  arguments?: unknown[];
  error?: string;
}

type Handler = (...args: never[]) => void;

/** What the connection needs from a transport: text frames both ways. */
interface Link {
  send(data: string): void;
  close(): void;
  onopen?: () => void;
  onmessage?: (data: string) => void;
  /** opened: whether the transport had been established (a WebSocket that never opened suggests a blocker). */
  onclose?: (opened: boolean) => void;
}

function webSocketLink(url: string): Link {
  const socket = new WebSocket(url);
  let opened = false;
  const link: Link = { send: (data) => socket.send(data), close: () => socket.close() };
  socket.onopen = () => {
    opened = true;
    link.onopen?.();
  };
  socket.onmessage = (event) => link.onmessage?.(String(event.data));
  socket.onclose = () => link.onclose?.(opened);
  return link;
}

/** Long polling for server-to-client, HTTP POST for client-to-server (one POST at a time, as the server requires). */
function longPollingLink(url: string, token: () => string): Link {
  let open = true;
  let opened = false;
  let sending: Promise<unknown> = Promise.resolve();
  const headers = () => ({ Authorization: "Bearer " + token() });
  const link: Link = {
    send: (data) => {
      sending = sending
        .then(() => fetch(url, { method: "POST", headers: { ...headers(), "Content-Type": "text/plain;charset=UTF-8" }, body: data }))
        .then((response) => response.ok || end(), end);
    },
    close: () => {
      if (open) void fetch(url, { method: "DELETE", headers: headers() }).catch(() => undefined);
      open = false;
    },
  };
  const end = () => {
    if (open) {
      open = false;
      link.onclose?.(opened);
    }
  };
  void (async () => {
    while (open) {
      try {
        const response = await fetch(url + "&_=" + Date.now(), { headers: headers() });
        // 204: the server closed the connection; other failures: it is gone.
        if (response.status !== 200) return end();
        const text = await response.text();
        if (!open) return;
        if (!opened) {
          opened = true; // the first poll answers at once: the connection is established
          link.onopen?.();
        }
        if (text) link.onmessage?.(text);
      } catch {
        return end();
      }
    }
  })();
  return link;
}

export class HubConnection {
  /** Called after a connection was lost and is back: fetch what was missed, resend what was not acknowledged. */
  onreconnected: () => void = () => {};
  /** Called with true when connected, false when the connection is lost. */
  onstatechange: (connected: boolean) => void = () => {};

  private readonly handlers: Record<string, Handler> = {};
  private socket: Link | undefined;
  private longPolling = typeof WebSocket === "undefined";
  private webSocketNeverOpened = false;
  private connected = false;
  private running = false;
  private everConnected = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private timeoutTimer: ReturnType<typeof setTimeout> | undefined;

  /** url: the hub's absolute http(s) URL; token: the current bearer token (read at every connect). */
  constructor(
    private readonly url: string,
    private readonly token: () => string,
  ) {
    addEventListener("online", () => {
      if (this.running && !this.connected && !this.socket) this.connectSoon(0);
    });
  }

  /** Registers the handler of a server-to-client method; names match case-insensitively, as on the server. */
  on(target: string, handler: Handler): void {
    this.handlers[target.toLowerCase()] = handler;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.everConnected = false;
    this.attempt = 0;
    this.connectSoon(0);
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.retryTimer);
    this.drop();
  }

  /** A non-blocking invocation (no invocationId, no completion). False when not connected: the caller decides. */
  send(target: string, ...args: unknown[]): boolean {
    if (!this.connected) return false;
    this.write({ type: MessageType.Invocation, target, arguments: args });
    return true;
  }

  private write(message: object): void {
    try {
      this.socket?.send(JSON.stringify(message) + separator);
    } catch {
      // The socket is closing; its close event starts the reconnect.
    }
  }

  private connectSoon(delay: number): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private async connect(): Promise<void> {
    if (!this.running || this.socket) return;
    if (!this.longPolling && !this.webSocketNeverOpened) {
      // Straight to the hub, without negotiating first: one connection to whichever node the load balancer
      // picks, so no node has to recognise this client from an earlier request.
      const address = new URL(this.url);
      address.protocol = address.protocol === "https:" ? "wss:" : "ws:";
      address.search = `?access_token=${encodeURIComponent(this.token())}`;
      this.open(webSocketLink(address.href), true);
      return;
    }
    try {
      // The WebSocket never opened: if the server answers over plain HTTP, WebSockets are blocked on the way
      // (a proxy) and long polling takes over for good; if it does not, the server is away and WebSockets are
      // tried again.
      const response = await fetch(this.url + "/negotiate?negotiateVersion=1", {
        method: "POST",
        headers: { Authorization: "Bearer " + this.token() },
      });
      if (!response.ok) throw new Error("negotiate: HTTP " + response.status);
      const negotiation = (await response.json()) as {
        connectionToken?: string;
        connectionId?: string;
        error?: string;
        availableTransports?: { transport: string }[];
      };
      if (negotiation.error) throw new Error(negotiation.error);
      if (!(negotiation.availableTransports || []).some((t) => t.transport === "LongPolling")) throw new Error("no long polling");
      if (!this.running || this.socket) return;
      this.longPolling = true;
      const address = new URL(this.url);
      address.search = `?id=${encodeURIComponent(negotiation.connectionToken || negotiation.connectionId || "")}`;
      this.open(longPollingLink(address.href, this.token), false);
    } catch {
      this.webSocketNeverOpened = false;
      this.lost();
    }
  }

  /** fallback: when this WebSocket never opens, ask over plain HTTP whether long polling should take over. */
  private open(socket: Link, fallback: boolean): void {
    this.socket = socket;
    let buffer = "";
    let handshaken = false;
    socket.onopen = () => {
      this.alive();
      socket.send(JSON.stringify({ protocol: "json", version: 1 }) + separator);
    };
    socket.onmessage = (data) => {
      this.alive();
      buffer += data;
      const records = buffer.split(separator);
      buffer = records.pop() || ""; // an unfinished record waits for the rest
      for (const record of records) {
        let message: HubMessage;
        try {
          message = JSON.parse(record) as HubMessage;
        } catch {
          continue;
        }
        if (!handshaken) {
          // The first record is the handshake answer: {} or {"error": "..."}.
          if (message.error) {
            socket.close();
            return;
          }
          handshaken = true;
          this.ready();
        } else {
          this.receive(message, socket);
        }
      }
    };
    socket.onclose = (opened) => {
      if (this.socket !== socket) return;
      if (fallback && !opened) {
        this.webSocketNeverOpened = true;
        this.attempt = 0;
      }
      this.lost();
    };
  }

  private ready(): void {
    const reconnected = this.everConnected;
    this.connected = this.everConnected = true;
    this.attempt = 0;
    this.pingTimer = setInterval(() => this.write({ type: MessageType.Ping }), pingInterval);
    this.onstatechange(true);
    if (reconnected) this.onreconnected();
  }

  private receive(message: HubMessage, socket: Link): void {
    if (message.type === MessageType.Invocation && message.target) {
      const handler = this.handlers[message.target.toLowerCase()];
      try {
        handler?.(...((message.arguments || []) as never[]));
      } catch (error) {
        console.error(error);
      }
    } else if (message.type === MessageType.Close) {
      // The server ends the connection (shutdown, or an error); reconnecting is decided in onclose.
      socket.close();
    }
    // Pings only prove the link is alive (handled by alive()); completions are not used: the widget sends
    // no invocation that waits for an answer.
  }

  private alive(): void {
    clearTimeout(this.timeoutTimer);
    this.timeoutTimer = setTimeout(() => this.socket?.close(), serverTimeout);
  }

  private drop(): void {
    const socket = this.socket;
    this.socket = undefined;
    clearInterval(this.pingTimer);
    clearTimeout(this.timeoutTimer);
    if (socket) {
      socket.onclose = socket.onmessage = socket.onopen = undefined;
      socket.close();
    }
    if (this.connected) {
      this.connected = false;
      this.onstatechange(false);
    }
  }

  private lost(): void {
    this.drop();
    if (!this.running) return;
    this.connectSoon(backoff[Math.min(this.attempt++, backoff.length - 1)]);
  }
}
