// Starts Blazor (the page loads it with autostart="false"). On a cluster the agent app's circuit opens its WebSocket
// straight to the circuit hub, without the negotiate request first: the load balancer may send that request to one
// node and the WebSocket to another, which would not know the connection, so nodes need no sticky sessions. A single
// node keeps negotiating, which lets the circuit fall back to long polling where a proxy blocks WebSockets.
const websocketsOnly = document.currentScript.dataset.websocketsOnly === "true";
const WebSockets = 1; // signalR.HttpTransportType.WebSockets
Blazor.start(websocketsOnly
  ? { circuit: { configureSignalR: builder => builder.withUrl("_blazor", { skipNegotiation: true, transport: WebSockets }) } }
  : {});
