// Side by side: what openiap-wasm (the packed npm package, `framing: "grpc-web"`) and the
// reference (@improbable-eng/grpc-web) send on the wire for the same call, recorded by a proxy in
// front of the test server (recorder.mjs).
//
// 1. Our client connects (signs in), registers a queue, sends itself a message, makes an rpc to
//    itself and disconnects.
// 2. The reference opens the same method and sends the same envelopes (each one decoded from our
//    recording and encoded again by protobufjs), then ends its stream.
// 3. Compared: path; subprotocol; header frame; every message frame, byte for byte; end of stream.
//    The one legitimate difference is named: our header frame adds `x-user-agent: openiap-wasm`
//    (gRPC-web's header for a client's user agent), which the reference does not send.
// Usage: node --experimental-websocket grpcweb/side-by-side.mjs ws://user:pass@127.0.0.1:PORT
import { Client } from "openiap-wasm";
import { openStream, EnvelopeMessage, grpc } from "./reference.mjs";
import { startRecorder } from "./recorder.mjs";

/** Header lines we send that the reference does not; every other line must be the same. */
const OURS_ONLY = { "x-user-agent": "openiap-wasm" };

function check(cond, what) { if (!cond) throw new Error("check failed: " + what); }
const hex = (b) => Buffer.from(b).toString("hex");
const text = (b) => Buffer.from(b).toString("latin1");

/** `name: value\r\n` lines → [[name, value]], as sent. */
function headerLines(bytes) {
  const s = text(bytes);
  check(s.endsWith("\r\n"), "header frame ends with CRLF: " + JSON.stringify(s));
  return s.slice(0, -2).split("\r\n").map((l) => { const i = l.indexOf(": "); return [l.slice(0, i), l.slice(i + 2)]; });
}

/** A client data message: 0x00, then one gRPC-web frame (flag 0, u32 big-endian length, body). */
function frameBody(m, who, i) {
  const b = m.bytes;
  check(m.binary, `${who} message ${i} is binary`);
  check(b[0] === 0 && b[1] === 0, `${who} message ${i} starts 0x00 0x00: ${hex(b.slice(0, 2))}`);
  const len = new DataView(b.buffer, b.byteOffset + 2, 4).getUint32(0, false);
  check(len === b.length - 6, `${who} message ${i} holds exactly one frame (length ${len}, ${b.length - 6} bytes follow)`);
  return b.slice(6);
}

async function recordOurs(url) {
  const client = new Client({ url, framing: "grpc-web", heartbeat_ms: 0 });
  await client.connect();
  const got = [];
  const q = await client.register_queue({ queuename: `sbs.${Math.random().toString(36).slice(2, 8)}` }, (m) => {
    got.push(m.data);
    return { echoed: m.data };
  });
  await client.queue_message({ queuename: q, data: { n: 1 }, striptoken: true });
  for (let i = 0; i < 500 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  check(got.length === 1, "our client received its message");
  const reply = await client.rpc({ queuename: q, data: { n: 2 }, striptoken: true, timeout: 5 });
  check(JSON.stringify(reply) === '{"echoed":{"n":2}}', "our rpc reply " + JSON.stringify(reply));
  client.disconnect();
}

async function recordReference(host, envelopes) {
  const { client, ended } = openStream(host, () => {});
  for (const body of envelopes) client.send(EnvelopeMessage.fromBytes(body));
  client.finishSend();
  const end = await ended;
  check(end.code === grpc.Code.OK, `the server accepted the reference's replay: status ${end.code} ${end.message}`);
}

export async function sideBySide(url) {
  const u = new URL(url.replace(/^ws/, "http"));
  const rec = await startRecorder(`ws://${u.host}`);
  try {
    const ourUrl = `ws://${u.username}:${u.password}@127.0.0.1:${rec.port}`;
    await recordOurs(ourUrl);
    const ours = await rec.next();
    const ourBodies = ours.messages.slice(1, -1).map((m, i) => frameBody(m, "our", i + 1));
    await recordReference(`http://127.0.0.1:${rec.port}`, ourBodies);
    const ref = await rec.next();

    check(ours.path === "/openiap.FlowService/SetupStream" && ref.path === ours.path, `path: ours ${ours.path}, reference ${ref.path}`);
    check(JSON.stringify(ours.offered) === JSON.stringify(ref.offered) && ref.offered.join() === "grpc-websockets",
      `subprotocols offered: ours ${ours.offered}, reference ${ref.offered}`);
    check(ours.protocol === ref.protocol, "subprotocol chosen");

    // Header frame: every line of the reference's with the same value (order is free), and besides
    // those only the lines named in OURS_ONLY.
    const [oh, rh] = [ours.messages[0], ref.messages[0]];
    check(oh.binary && rh.binary, "header frames are binary messages");
    const refLines = new Map(headerLines(rh.bytes)), ourLines = new Map(headerLines(oh.bytes));
    for (const [k, v] of refLines) check(ourLines.get(k) === v, `header ${k}: reference ${JSON.stringify(v)}, ours ${JSON.stringify(ourLines.get(k))}`);
    const extra = [...ourLines].filter(([k]) => !refLines.has(k));
    check(JSON.stringify(extra) === JSON.stringify(Object.entries(OURS_ONLY)), "our header lines beyond the reference's: " + JSON.stringify(extra));
    check(refLines.get("content-type") === "application/grpc-web+proto", "reference content-type");

    // Message frames: the same count, each byte for byte.
    check(ref.messages.length === ours.messages.length, `message count: ours ${ours.messages.length}, reference ${ref.messages.length}`);
    for (let i = 1; i < ours.messages.length - 1; i++) {
      const [o, r] = [ours.messages[i], ref.messages[i]];
      frameBody(r, "reference", i);
      check(hex(o.bytes) === hex(r.bytes), `message ${i}: ours ${hex(o.bytes)}, reference ${hex(r.bytes)}`);
    }
    // End of stream: one binary message holding the byte 0x01, last on both.
    for (const [who, s] of [["our", ours], ["reference", ref]]) {
      const last = s.messages[s.messages.length - 1];
      check(last.binary && hex(last.bytes) === "01", `${who} last message is the end of stream 0x01: ${hex(last.bytes)}`);
    }
    const commands = ourBodies.map((b) => EnvelopeMessage.deserializeBinary(b).command).join(", ");
    return `path, subprotocol, header frame (ours adds only x-user-agent), ${ourBodies.length} message frames (${commands}) byte for byte, end of stream 0x01: same`;
  } finally {
    await rec.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log("side by side: " + await sideBySide(process.argv[2]));
