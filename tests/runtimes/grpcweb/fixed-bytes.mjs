// Known-good gRPC-web bytes from the reference (@improbable-eng/grpc-web, see reference.mjs), for
// the Rust tests in tests/grpc_web_reference.rs.
//
// Client side, produced by the reference: a scripted WebSocket server on 127.0.0.1 records what
// its WebsocketTransport sends for three envelopes (encoded by protobufjs from proto/): the header
// frame, each message frame, the end of stream.
// Server side, accepted by the reference: the reference is a client and writes no server frames,
// so the server bytes are built here from the gRPC-web spec and fed to it; they count as known-good
// because the reference reads them as the expected message, status and message text.
//
//   node --experimental-websocket grpcweb/fixed-bytes.mjs            prints the Rust constants
//   node --experimental-websocket grpcweb/fixed-bytes.mjs --check F  checks that F holds them
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openStream, EnvelopeMessage, any, type, referenceVersion } from "./reference.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const { WebSocketServer } = createRequire(path.resolve(here, "../../../.ci/npm/package.json"))("ws");
const hex = (b) => Buffer.from(b).toString("hex");
function check(cond, what) { if (!cond) throw new Error("check failed: " + what); }

/** The client envelopes; tests/grpc_web_reference.rs builds the same ones with prost. */
const CLIENT_ENVELOPES = {
  GETELEMENT: { command: "getelement", id: "1" },
  SIGNIN: { command: "signin", id: "2", seq: 1,
    data: any("SigninRequest", { username: "testuser", password: "testpass", agent: "reference", ping: true }) },
  // Over 255 bytes, so the frame's big-endian length uses two bytes.
  QUEUEMESSAGE: { command: "queuemessage", id: "3", seq: 2,
    data: any("QueueMessageRequest", { queuename: "q", data: JSON.stringify({ text: "x".repeat(300) }), striptoken: true }) },
};

/** A gRPC-web frame: flag byte, u32 big-endian length, body. */
function frame(flag, body) {
  const out = new Uint8Array(5 + body.length);
  out[0] = flag;
  new DataView(out.buffer).setUint32(1, body.length, false);
  out.set(body, 5);
  return out;
}
const meta = (text) => frame(0x80, Buffer.from(text, "latin1"));
const Envelope = type("Envelope");

/** Server streams and what the reference must read from them. */
const SERVER = {
  OK_STREAM: {
    frames: [meta("content-type: application/grpc-web+proto\r\n"),
      frame(0, Envelope.encode(Envelope.fromObject({ command: "getelement", id: "s1", rid: "1" })).finish()),
      meta("grpc-status: 0\r\n")],
    expect: { messages: [{ command: "getelement", id: "s1", rid: "1" }], code: 0, message: "" },
  },
  ERROR_STREAM: {
    frames: [meta("content-type: application/grpc-web+proto\r\n"),
      meta("Grpc-Status: 16\r\ngrpc-message: not%20signed%20in%20%C3%A6\r\n")],
    expect: { messages: [], code: 16, message: "not signed in æ" },
  },
};

/** One call of the reference against a scripted server: records what it sends, answers `frames`. */
async function call(envelopes, frames) {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, handleProtocols: () => "grpc-websockets" });
  await new Promise((r) => wss.on("listening", r));
  const sent = [];
  wss.on("connection", (ws, req) => {
    sent.path = req.url;
    ws.on("message", (data) => {
      sent.push(new Uint8Array(data));
      if (data.length === 1 && data[0] === 1) { frames.forEach((f) => ws.send(f)); ws.close(); }
    });
  });
  const messages = [];
  const { client, ended } = openStream(`http://127.0.0.1:${wss.address().port}`, (m) => messages.push(m));
  envelopes.forEach((e) => client.send(new EnvelopeMessage(e)));
  client.finishSend();
  const end = await ended;
  await new Promise((r) => wss.close(r));
  return { sent, messages, end };
}

/** Name → hex of every constant. */
export async function fixedBytes() {
  const out = {};
  const names = Object.keys(CLIENT_ENVELOPES);
  const ok = await call(Object.values(CLIENT_ENVELOPES), SERVER.OK_STREAM.frames);
  check(ok.sent.path === "/openiap.FlowService/SetupStream", "path " + ok.sent.path);
  check(ok.sent.length === names.length + 2, `the reference sent ${ok.sent.length} messages`);
  out.REF_CLIENT_HEADERS = hex(ok.sent[0]);
  names.forEach((n, i) => { out["REF_CLIENT_" + n] = hex(ok.sent[i + 1]); });
  out.REF_CLIENT_END = hex(ok.sent[ok.sent.length - 1]);
  for (const [name, s] of Object.entries(SERVER)) {
    const r = name === "OK_STREAM" ? ok : await call([], s.frames);
    const got = { messages: r.messages, code: r.end.code, message: r.end.message };
    check(JSON.stringify(got) === JSON.stringify(s.expect), `the reference read ${name} as ${JSON.stringify(got)}`);
    out["REF_SERVER_" + name] = hex(Buffer.concat(s.frames));
  }
  return out;
}

/** The `const NAME: &str = "hex";` constants of a Rust file (`\` line continuations allowed). */
function rustConstants(file) {
  const src = readFileSync(file, "utf8");
  return Object.fromEntries([...src.matchAll(/const (REF_\w+): &str =\s*"([^"]*)";/g)]
    .map(([, name, lit]) => [name, lit.replace(/\\\n\s*/g, "")]));
}

/** Throws unless the Rust file `file` holds exactly the constants the reference gives now. */
export async function checkConstants(file) {
  const produced = await fixedBytes();
  const have = rustConstants(file);
  const wrong = [...new Set([...Object.keys(produced), ...Object.keys(have)])].filter((k) => have[k] !== produced[k]);
  if (wrong.length) {
    const lines = wrong.map((k) => `  ${k}:\n    file      ${have[k]}\n    reference ${produced[k]}`);
    throw new Error(`${file} differs from @improbable-eng/grpc-web ${referenceVersion}:\n${lines.join("\n")}`);
  }
  return `the ${Object.keys(produced).length} constants of ${path.basename(file)} are what @improbable-eng/grpc-web ${referenceVersion} sends and reads`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv[2] === "--check") console.log("fixed bytes: " + await checkConstants(process.argv[3]));
  else for (const [k, v] of Object.entries(await fixedBytes())) console.log(`const ${k}: &str = "${v}";`);
}
