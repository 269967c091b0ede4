// A recording WebSocket proxy on 127.0.0.1 (the `ws` package from .ci/npm): every connection is
// passed through to `upstream` (the test server) on the same path and subprotocols, and what the
// client sends is recorded: path, offered and chosen subprotocol, each message (bytes, binary or
// text), and how the client closed.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const { WebSocketServer, WebSocket } = createRequire(path.resolve(here, "../../../.ci/npm/package.json"))("ws");

/**
 * Starts the proxy; resolves to `{port, sessions, next(), close()}`. `next()` resolves to the next
 * session once its client has closed: `{path, offered, protocol, messages: [{bytes, binary}], closeCode}`.
 */
export async function startRecorder(upstream) {
  const sessions = [];
  const done = [];
  const waiting = [];
  const wss = new WebSocketServer({
    host: "127.0.0.1", port: 0,
    handleProtocols: (offered) => (offered.has("grpc-websockets") ? "grpc-websockets" : false),
  });
  wss.on("connection", (client, req) => {
    const offered = (req.headers["sec-websocket-protocol"] || "").split(",").map((p) => p.trim()).filter(Boolean);
    const rec = { path: req.url, offered, protocol: client.protocol, messages: [], closeCode: null };
    sessions.push(rec);
    const server = new WebSocket(upstream + req.url, offered);
    const early = [];
    server.on("open", () => early.splice(0).forEach((m) => server.send(m.bytes, { binary: m.binary })));
    server.on("message", (data, binary) => client.readyState === WebSocket.OPEN && client.send(data, { binary }));
    server.on("close", () => client.close());
    server.on("error", () => client.terminate());
    client.on("message", (data, binary) => {
      const m = { bytes: new Uint8Array(data), binary };
      rec.messages.push(m);
      if (server.readyState === WebSocket.OPEN) server.send(m.bytes, { binary }); else early.push(m);
    });
    client.on("close", (code) => {
      rec.closeCode = code;
      server.close();
      const w = waiting.shift();
      if (w) w(rec); else done.push(rec);
    });
  });
  await new Promise((resolve) => wss.on("listening", resolve));
  return {
    port: wss.address().port,
    sessions,
    next: () => (done.length ? Promise.resolve(done.shift()) : new Promise((resolve) => waiting.push(resolve))),
    close: () => new Promise((resolve) => { wss.clients.forEach((c) => c.terminate()); wss.close(resolve); }),
  };
}
