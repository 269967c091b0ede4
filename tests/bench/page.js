// The benchmark page: every browser-side measurement, called by tests/bench/run.mjs through
// page.evaluate(). Three receivers of the same byte stream (and, in the replay, a fourth: the parse
// floor of replay.js):
//   ours  - the openiap-wasm Client (pkg/web)
//   raw   - a plain WebSocket that signs in and registers with protobufjs-built bytes, then only
//           reads frame lengths and counts envelopes (no protobuf decoding): the ceiling
//   pbjs  - a minimal pure-JS client of the same protocol (protobufjs reflection decode of the
//           Envelope and the QueueEvent, JSON.parse of the data, a message object per callback),
//           which is what the old browser client @openiap/jsapi did per message
import init, { Client } from "/pkg/web/openiap_wasm.js";
import { makeProto, frame, frameWithSeq, CountingDeframer, Deframer } from "./proto.js";
import { cutRecording, ReplaySocket, floorReceiver } from "./replay.js";

const pb = makeProto(window.protobuf);

// Timer calls, counted per throughput run (a client that re-arms a timer per message pays for it).
const timers = { set: 0, clear: 0 };
{
  const st = window.setTimeout, ct = window.clearTimeout;
  window.setTimeout = function (...a) { timers.set++; return st.apply(this, a); };
  window.clearTimeout = function (...a) { timers.clear++; return ct.apply(this, a); };
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let cfg = null;   // {url, control, echo, user, pass, pkgB}
let wasm = null;  // the wasm exports (memory)
let ClientB = null; // BENCH_PKG_B: a second build of our client, measured beside the first in the replay

function authUrl(url = cfg.url) {
  return url.replace("ws://", `ws://${cfg.user}:${cfg.pass}@`);
}

async function control(path, base = cfg.control) {
  const r = await fetch(base + path, { method: "POST" });
  if (!r.ok) throw new Error(`control ${path}: HTTP ${r.status}`);
  return r.text();
}

function parseData(s) {
  try { return JSON.parse(s); } catch { return s; }
}

// ---------------------------------------------------------------------------------------------
// A plain-WebSocket client of the protocol: setup (sign-in, register) with decoded envelopes,
// then either counting-only (raw) or full decoding (pbjs).

class Wire {
  constructor() { this.seq = 0; this.nextId = 1; this.pending = new Map(); this.onQueueEvent = null; }

  /** Opens the socket; with `record`, every message received is pushed to it as well. */
  open(record = null) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(cfg.url.replace(/\/?$/, "") + "/ws/v2");
      ws.binaryType = "arraybuffer";
      if (record) ws.addEventListener("message", (e) => record.push(e.data));
      this.ws = ws;
      this.deframer = new Deframer();
      ws.onmessage = (e) => this.#decodeMode(new Uint8Array(e.data));
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error("socket error"));
      ws.onclose = () => { for (const p of this.pending.values()) p.reject(new Error("closed")); this.pending.clear(); };
    });
  }

  #decodeMode(chunk) {
    this.deframer.push(chunk);
    let bytes;
    while ((bytes = this.deframer.next()) !== null) {
      const env = pb.Envelope.decode(bytes);
      if (env.command === "queueevent") {
        if (this.onQueueEvent) {
          const q = pb.QueueEvent.decode(env.data.value);
          this.onQueueEvent({
            queuename: q.queuename, correlation_id: q.correlationId, replyto: q.replyto,
            routingkey: q.routingkey, exchangename: q.exchangename, data: parseData(q.data),
          });
        }
      } else if (env.rid && this.pending.has(env.rid)) {
        const p = this.pending.get(env.rid);
        this.pending.delete(env.rid);
        if (env.command === "error") p.reject(new Error(pb.ErrorResponse.decode(env.data.value).message));
        else p.resolve(env);
      } else if (env.command === "ping") {
        this.ws.send(frame(pb.Envelope.encode({ command: "pong", seq: this.seq++, id: String(this.nextId++), rid: env.id }).finish()));
      }
    }
  }

  request(command, type, msg) {
    const id = String(this.nextId++);
    const p = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.ws.send(frame(pb.envelope(command, this.seq++, id, type, msg)));
    return p;
  }

  async signin() {
    await this.request("signin", "SigninRequest", { username: cfg.user, password: cfg.pass, ping: true, agent: "bench" });
  }

  async registerQueue(name) {
    const env = await this.request("registerqueue", "RegisterQueueRequest", { queuename: name });
    return pb.RegisterQueueResponse.decode(env.data.value).queuename;
  }

  /** From now on only count envelopes: `onCount(n)` after every WebSocket message that ended n. */
  countOnly(onCount) {
    const d = new CountingDeframer();
    // Bytes the decoding deframer still holds (none in practice) go first.
    for (const c of this.deframer.chunks) {
      const n = d.push(this.deframer.offset ? c.subarray(this.deframer.offset) : c);
      this.deframer.offset = 0;
      if (n) onCount(n);
    }
    this.ws.onmessage = (e) => {
      const n = d.push(new Uint8Array(e.data));
      if (n) onCount(n);
    };
  }

  close() { this.ws.onclose = null; this.ws.close(); }
}

// ---------------------------------------------------------------------------------------------
// Throughput: one consumer of a named queue; run.mjs sends `count` messages from node.

let consumer = null;

function heap() {
  if (window.gc) { window.gc(); window.gc(); }
  return {
    js_heap: performance.memory ? performance.memory.usedJSHeapSize : null,
    wasm_memory: wasm ? wasm.memory.buffer.byteLength : null,
    externrefs: wasm && wasm.__wbindgen_externrefs ? wasm.__wbindgen_externrefs.length : null,
  };
}

async function startConsumer(kind, queue, count) {
  const st = { kind, count, got: 0, t0: 0, t1: 0, check: 0 };
  st.done = new Promise((r) => (st.resolve = r));
  const tick = (n) => {
    const t = performance.now();
    if (st.got === 0) st.t0 = t;
    st.got += n;
    if (st.got >= st.count && !st.t1) { st.t1 = t; st.resolve(); }
  };
  // The callbacks touch the parsed data, as an application would.
  const onMessage = (msg) => { st.check += msg.data.items.length; tick(1); };
  if (kind === "ours") {
    // Default options, as an application would use them (heartbeat on).
    const client = new Client({ url: authUrl() });
    await client.connect();
    await client.register_queue(queue, onMessage);
    st.close = () => client.free();
  } else {
    const w = new Wire();
    await w.open();
    await w.signin();
    await w.registerQueue(queue);
    if (kind === "raw") w.countOnly(tick);
    else w.onQueueEvent = onMessage;
    st.close = () => w.close();
  }
  consumer = st;
  st.timers0 = { ...timers };
  return true;
}

async function consumerDone(timeoutMs) {
  const st = consumer;
  const to = sleep(timeoutMs).then(() => "timeout");
  const r = await Promise.race([st.done, to]);
  st.close();
  consumer = null;
  const ms = st.t1 - st.t0;
  return {
    kind: st.kind, count: st.count, got: st.got, timeout: r === "timeout", ms,
    per_s: r === "timeout" ? 0 : ((st.count - 1) / ms) * 1000, t1_epoch: performance.timeOrigin + st.t1,
    check: st.check,
    timers_set: timers.set - st.timers0.set, timers_cleared: timers.clear - st.timers0.clear,
  };
}

// ---------------------------------------------------------------------------------------------
// Latency: rpc round trips through the node responder on queue "bench-echo".

function pct(arr, p) {
  const s = [...arr].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function latency({ rounds, perRound, warmup }) {
  const client = new Client({ url: authUrl(), heartbeat_ms: 0 });
  await client.connect();
  const w = new Wire();
  await w.open();
  await w.signin();
  const myq = await w.registerQueue("");
  const body = pb.Envelope.encode({
    command: "queuemessage", id: "r",
    data: { type_url: "type.googleapis.com/openiap.QueueMessageRequest",
      value: pb.QueueMessageRequest.encode({ queuename: "bench-echo", replyto: myq, correlationId: "c1", data: '{"i":0}' }).finish() },
  }).finish();
  let waiting = null, have = 0;
  w.countOnly((n) => { have += n; if (waiting && have >= 2) { have -= 2; const r = waiting; waiting = null; r(); } });
  const rawRpc = () => new Promise((resolve) => { waiting = resolve; w.ws.send(frameWithSeq(body, w.seq++)); });
  // The pure-JS client: the same exchange, every envelope decoded, the reply's data parsed.
  const p = new Wire();
  await p.open();
  await p.signin();
  const pq = await p.registerQueue("");
  let pbWait = null;
  p.onQueueEvent = (m) => { if (pbWait && m.data) pbWait(); };
  const pbRpc = (i) => {
    const got = new Promise((resolve) => { pbWait = resolve; });
    const ack = p.request("queuemessage", "QueueMessageRequest", { queuename: "bench-echo", replyto: pq, correlationId: "c" + i, data: JSON.stringify({ i }) });
    return Promise.all([got, ack]);
  };
  const echo = new WebSocket(cfg.echo);
  echo.binaryType = "arraybuffer";
  await new Promise((r, j) => { echo.onopen = r; echo.onerror = j; });
  let echoWait = null;
  echo.onmessage = () => { const r = echoWait; echoWait = null; r(); };
  const echoBytes = new Uint8Array(64);
  const echoRt = () => new Promise((resolve) => { echoWait = resolve; echo.send(echoBytes); });

  const variants = {
    ours: (i) => client.rpc({ queuename: "bench-echo", data: { i }, timeout_ms: 5000 }),
    raw: () => rawRpc(),
    pbjs: (i) => pbRpc(i),
    ws_echo: () => echoRt(),
  };
  const names = Object.keys(variants);
  // out[kind][round] = round-trip times of that round.
  const out = Object.fromEntries(names.map((k) => [k, []]));
  for (const k of names) for (let i = 0; i < warmup; i++) await variants[k](i);
  for (let r = 0; r < rounds; r++) {
    // Rotate the order each round so no variant always runs first / last.
    for (const k of names.map((_, j) => names[(j + r) % names.length])) {
      const times = [];
      for (let i = 0; i < perRound; i++) {
        const t = performance.now();
        await variants[k](i);
        times.push(performance.now() - t);
      }
      out[k][r] = times;
    }
  }
  client.free();
  w.close();
  p.close();
  echo.close();
  const sum = { resolution_ms: timerResolution(), cross_origin_isolated: !!globalThis.crossOriginIsolated };
  for (const [k, per] of Object.entries(out)) {
    const v = per.flat();
    sum[k] = { n: v.length, p50_ms: pct(v, 50), p99_ms: pct(v, 99), mean_ms: v.reduce((a, b) => a + b, 0) / v.length,
      rounds_p50_ms: per.map((t) => pct(t, 50)) };
  }
  return sum;
}

/** The smallest step of performance.now() seen (100 µs unless the page is cross-origin isolated). */
function timerResolution() {
  let best = Infinity;
  for (let i = 0; i < 50; i++) {
    const a = performance.now();
    let b = a;
    while (b === a) b = performance.now();
    best = Math.min(best, b - a);
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Reconnect: server down for `downMs` → SignedIn; half-open link (stall) → Disconnected.

function eventWaiter(client) {
  const seen = [];
  let wake = null;
  client.on_client_event((e) => { seen.push({ event: e.event, reason: e.reason, t: Date.now() }); if (wake) wake(); });
  return {
    seen,
    async next(name, timeoutMs = 60000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const i = seen.findIndex((e) => e.event === name);
        if (i >= 0) return seen.splice(0, i + 1)[i];
        if (Date.now() > end) throw new Error("timed out waiting for " + name);
        await new Promise((r) => { wake = r; setTimeout(r, 50); });
        wake = null;
      }
    },
    clear() { seen.length = 0; },
  };
}

// One outage per client: a client that reconnected moments ago keeps its backoff (it resets only
// after a connection stayed up `stable_after_ms`), so back-to-back outages on one client would
// measure a flapping server instead.
async function reconnect({ n, downMs, reconnect }) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const client = new Client({ url: authUrl(), heartbeat_ms: 0, reconnect });
    const ev = eventWaiter(client);
    await client.connect();
    ev.clear();
    await control(`/down?ms=${downMs}`);
    const back = Date.now() + downMs;
    await ev.next("Disconnected");
    const s = await ev.next("SignedIn", downMs + 60000);
    times.push(s.t - back);
    client.free();
    await sleep(50);
  }
  return { n, down_ms: downMs, reconnect, p50_ms: pct(times, 50), max_ms: Math.max(...times), min_ms: Math.min(...times), all_ms: times };
}

async function halfOpen({ n, heartbeat_ms, heartbeat_timeout_ms }) {
  const client = new Client({ url: authUrl(), heartbeat_ms, heartbeat_timeout_ms, reconnect: { initial_ms: 50, max_ms: 300 } });
  const ev = eventWaiter(client);
  await client.connect();
  const times = [];
  for (let i = 0; i < n; i++) {
    await sleep(100 + Math.random() * 400);
    ev.clear();
    await control("/stall?ms=0");
    const t = Date.now();
    const d = await ev.next("Disconnected", heartbeat_ms + heartbeat_timeout_ms + 30000);
    times.push(d.t - t);
    await control("/heal");
    await ev.next("SignedIn");
  }
  client.free();
  return { n, heartbeat_ms, heartbeat_timeout_ms, p50_ms: pct(times, 50), max_ms: Math.max(...times), min_ms: Math.min(...times), all_ms: times };
}

// ---------------------------------------------------------------------------------------------
// Dead links with default options: a half-open link (/stall) on a server that pings every 10 s
// (as OpenFlow) and on one that never pings. Client → server frames are counted per socket by
// wrapping WebSocket.prototype.send for the duration of the phase.

async function deadLink({ pinging, silent, n }) {
  const sends = new Map();  // socket url → send() calls
  const origSend = WebSocket.prototype.send;
  WebSocket.prototype.send = function (d) { sends.set(this.url, (sends.get(this.url) || 0) + 1); return origSend.call(this, d); };
  const sent = (url) => { let t = 0; for (const [u, c] of sends) if (u.includes(new URL(url).host)) t += c; return t; };
  // One link: connect with default options, stay idle for quietMs (+ jitter), stall, time the
  // Disconnected event, heal, wait until signed in again. `samples` times in a row.
  async function link({ url, control: ctl, quietMs, jitterMs }, samples) {
    const client = new Client({ url: authUrl(url) });
    const ev = eventWaiter(client);
    await client.connect();
    const out = [];
    for (let i = 0; i < samples; i++) {
      // The server's log then holds only what arrived during the idle period.
      await control("/reset", ctl);
      const idleFrom = Date.now(), sent0 = sent(url);
      await sleep(quietMs + Math.random() * jitterMs);
      const idleSends = sent(url) - sent0, idleMs = Date.now() - idleFrom;
      const received = await fetch(`${ctl}/log`).then((r) => r.json());
      ev.clear();
      await control("/stall?ms=0", ctl);
      const t = Date.now(), sentAtStall = sent(url);
      const d = await ev.next("Disconnected", 120000);
      out.push({ detect_ms: d.t - t, reason: d.reason, idle_ms: idleMs, idle_sends: idleSends, stalled_sends: sent(url) - sentAtStall,
        // What the server received on this link so far, by command (pongs answer its pings).
        received_by_command: received.reduce((c, e) => ((c[e.command] = (c[e.command] || 0) + 1), c), {}) });
      await control("/heal", ctl);
      if (i + 1 < samples) await ev.next("SignedIn", 60000);
    }
    client.free();
    return out;
  }
  try {
    // Both links at once (different servers): the silent server's probe takes about 40 s.
    const [p, q] = await Promise.all([link(pinging, n), silent ? link(silent, 1) : []]);
    return { pinging: p, silent: q };
  } finally {
    WebSocket.prototype.send = origSend;
  }
}

// ---------------------------------------------------------------------------------------------
// Memory: one long-lived consumer; run.mjs sends messages, the page counts them and cycles the
// connection with /drop.

let mem = null;

async function memStart(queue) {
  const client = new Client({ url: authUrl(), heartbeat_ms: 0, reconnect: { initial_ms: 20, max_ms: 200 } });
  const ev = eventWaiter(client);
  await client.connect();
  mem = { client, ev, queue, got: 0, check: 0 };
  await client.register_queue(queue, (msg) => { mem.got++; mem.check += msg.data.items.length; });
  return true;
}

async function memWait(total, timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (mem.got < total && Date.now() < end) await sleep(20);
  return mem.got;
}

function memSnapshot() {
  return { ...heap(), got: mem.got, counts: { ...mem.client.debug_counts() } };
}

async function memCycles(n) {
  const t0 = Date.now();
  for (let i = 0; i < n; i++) {
    mem.ev.clear();
    await control("/drop");
    await mem.ev.next("Disconnected", 10000);
    await mem.ev.next("SignedIn", 30000);
  }
  // SignedIn comes before the queue is registered again: wait until the server has it.
  await sleep(200);
  return { cycles: n, ms: Date.now() - t0 };
}

function memStop() {
  mem.client.free();
  mem = null;
}

// ---------------------------------------------------------------------------------------------
// Soak: our client on both ends; run.mjs injects random faults through the control endpoint.

let soak = null;

async function soakStart({ queue, rate, inflight, maxIds }) {
  const opts = { url: authUrl(), heartbeat_ms: 1000, heartbeat_timeout_ms: 1000, reconnect: { initial_ms: 50, max_ms: 1000 } };
  const sender = new Client(opts), receiver = new Client(opts);
  // Preallocated bookkeeping, so that the JS heap measured after the soak is the clients' own.
  // state: 1 sent, 2 acknowledged, 3 rejected.
  const s = { sender, receiver, recv: new Uint8Array(maxIds), state: new Uint8Array(maxIds), maxIds,
    sent: 0, running: true, errors: new Map(), inflight: 0, foreign: 0 };
  s.senderEv = eventWaiter(sender);
  s.receiverEv = eventWaiter(receiver);
  await receiver.connect();
  await receiver.register_queue(queue, (msg) => {
    const id = msg.data && msg.data.id;
    if (Number.isInteger(id) && id < maxIds) { if (s.recv[id] < 255) s.recv[id]++; } else s.foreign++;
  });
  await sender.connect();
  soak = s;
  s.loop = (async () => {
    const interval = 1000 / rate;
    let next = performance.now();
    while (s.running && s.sent < maxIds) {
      if (s.inflight >= inflight) { await sleep(5); continue; }
      const now = performance.now();
      if (now < next) { await sleep(Math.max(1, next - now)); continue; }
      next += interval;
      if (next < now - 1000) next = now;  // do not burst after a stall
      const id = s.sent++;
      s.inflight++;
      s.state[id] = 1;
      sender.queue_message({ queuename: queue, data: { id, items: [1] }, striptoken: true, timeout: 10000 }).then(
        () => { s.state[id] = 2; s.inflight--; },
        (e) => { s.state[id] = 3; s.errors.set(e.kind || String(e), (s.errors.get(e.kind || String(e)) || 0) + 1); s.inflight--; },
      );
    }
  })();
  return true;
}

async function soakStop(drainMs) {
  const s = soak;
  s.running = false;
  await s.loop;
  const end = Date.now() + 30000;
  while (s.inflight > 0 && Date.now() < end) await sleep(50);
  const received = () => { let t = 0; for (let i = 0; i < s.sent; i++) t += s.recv[i]; return t; };
  // Wait until nothing new arrives for drainMs.
  let last = -1;
  while (Date.now() < end) {
    const t = received();
    if (t === last) break;
    last = t;
    await sleep(drainMs);
  }
  const lost = [], dups = [];
  let acked = 0, failed = 0, failedDelivered = 0, unique = 0, unsettled = 0;
  for (let id = 0; id < s.sent; id++) {
    const st = s.state[id], c = s.recv[id];
    if (c > 0) unique++;
    if (c > 1) dups.push([id, c]);
    if (st === 2) { acked++; if (c === 0) lost.push(id); }
    else if (st === 3) { failed++; if (c > 0) failedDelivered++; }
    else unsettled++;
  }
  return {
    sent: s.sent, acked, failed, failed_but_delivered: failedDelivered, unsettled,
    received_unique: unique, received_total: received(), foreign: s.foreign,
    lost: lost.length, duplicated: dups.length, lost_ids: lost.slice(0, 50), dup_ids: dups.slice(0, 50),
    errors: Object.fromEntries(s.errors), inflight_left: s.inflight,
    sender_counts: { ...s.sender.debug_counts() }, receiver_counts: { ...s.receiver.debug_counts() },
    sender_events: countEvents(s.senderEv.seen), receiver_events: countEvents(s.receiverEv.seen),
  };
}

function countEvents(seen) {
  const c = {};
  for (const e of seen) c[e.event] = (c[e.event] || 0) + 1;
  return c;
}

function soakFree() {
  soak.sender.free();
  soak.receiver.free();
  soak = null;
}

// ---------------------------------------------------------------------------------------------
// Replay: the byte stream of `count` queue events, recorded once per payload size from the real
// server, played back into each client's own receive path through a ReplaySocket (replay.js),
// as fast as the client takes it. Only CPU is measured: no network, no browser socket.

const recordings = {};

/** Records what the server sends a consumer of `queue` (filled by run.mjs) until `count` events. */
async function replayRecord(queue, count, size) {
  const messages = [];
  const w = new Wire();
  await w.open(messages);
  await w.signin();
  let got = 0, done;
  const all = new Promise((r) => (done = r));
  w.onQueueEvent = () => { if (++got === count) done(); };
  await w.registerQueue(queue);
  const timeout = sleep(120000).then(() => "timeout");
  if ((await Promise.race([all, timeout])) === "timeout") throw new Error(`replay recording: ${got} of ${count} events`);
  w.close();
  const rec = cutRecording(pb, messages);
  if (rec.events !== count) throw new Error(`replay recording: ${rec.events} events cut, ${count} expected`);
  recordings[size] = { ...rec, queue };
  return { events: rec.events, messages: rec.messages, bytes: rec.bytes };
}

/**
 * One replay run of client `kind` (ours, pbjs, raw, floor; ours_b: the BENCH_PKG_B build) over the recording of `size`: signs in
 * and registers through the ReplaySocket, then plays every event. Returns messages/s (wall) and
 * CPU µs per message (time inside the dispatches). `repeat`: play the recording that many times.
 */
async function replayRun(kind, size, batch, repeat = 1) {
  const rec = recordings[size];
  ReplaySocket.setup = { pb, recording: rec };
  let got = 0, check = 0;
  const onMessage = (msg) => { check += msg.data.items.length; got++; };
  const real = globalThis.WebSocket;
  globalThis.WebSocket = ReplaySocket;
  let socket, close;
  try {
    if (kind === "ours" || kind === "ours_b") {
      const client = new (kind === "ours" ? Client : ClientB)({ url: authUrl() });
      await client.connect();
      await client.register_queue(rec.queue, onMessage);
      socket = ReplaySocket.last;
      close = () => client.free();
    } else {
      const w = new Wire();
      await w.open();
      await w.signin();
      await w.registerQueue(rec.queue);
      if (kind === "raw") w.countOnly((n) => { got += n; });
      else if (kind === "pbjs") w.onQueueEvent = onMessage;
      else w.ws.onmessage = floorReceiver(onMessage);
      socket = w.ws;
      close = () => w.close();
    }
  } finally {
    globalThis.WebSocket = real;
  }
  const t = await socket.play(batch, repeat);
  close();
  if (got !== rec.events * repeat) throw new Error(`replay ${kind} ${size} B: ${got} of ${rec.events} messages`);
  return { kind, size, count: got, check, wall_ms: t.wall_ms, busy_ms: t.busy_ms,
    per_s: (got / t.wall_ms) * 1000, cpu_us: (t.busy_ms * 1000) / got };
}

/**
 * What a queue_message call costs the caller (reading its options, encoding, sending, the
 * promise): `n` calls on a client signed in through a ReplaySocket (the recording of `size`)
 * that swallows what is sent, with every option given and with only `queuename`. µs per call.
 */
async function optionsCost(size, n) {
  ReplaySocket.setup = { pb, recording: recordings[size] };
  const real = globalThis.WebSocket;
  globalThis.WebSocket = ReplaySocket;
  let client;
  try {
    client = new Client({ url: authUrl(), heartbeat_ms: 0 });
    await client.connect();
  } finally {
    globalThis.WebSocket = real;
  }
  ReplaySocket.last.quiet = true;
  const full = { queuename: "q", correlation_id: "c", replyto: "r", routingkey: "k", exchangename: "",
    data: { i: 1 }, striptoken: true, expiration: 1000, timeout: 5, timeout_ms: 60000, jwt: "t",
    traceid: "tr", spanid: "sp" };
  const time = (opts) => {
    const all = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) all.push(client.queue_message(opts));
    const us = ((performance.now() - t0) * 1000) / n;
    for (const p of all) p.catch(() => {});
    return us;
  };
  time(full);
  const r = { full_us: time(full), minimal_us: time({ queuename: "q", timeout_ms: 60000 }) };
  // Freed in a task of its own: rejecting the calls is not part of what is measured (nor profiled).
  setTimeout(() => client.free(), 0);
  return r;
}

/** Frees the recordings (their event objects hold tens of MB). */
function replayFree() {
  for (const k of Object.keys(recordings)) delete recordings[k];
}

// ---------------------------------------------------------------------------------------------
// A floor: JSON.parse of the payload alone, in a hot loop. Every client that hands out `data`
// parsed pays at least this per message; the raw receiver does not parse.

function parseCost(text, n) {
  let check = 0;
  for (let i = 0; i < n / 10; i++) check += JSON.parse(text).items.length;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) check += JSON.parse(text).items.length;
  return { us: ((performance.now() - t0) * 1000) / n, check };
}

// ---------------------------------------------------------------------------------------------

window.bench = {
  async setup(c) {
    cfg = c;
    wasm = await init();
    if (c.pkgB) {
      const b = await import("/pkgb/web/openiap_wasm.js");
      await b.default();
      ClientB = b.Client;
    }
    return { wasm_memory: wasm.memory.buffer.byteLength };
  },
  heap, startConsumer, consumerDone, latency, reconnect, halfOpen, deadLink,
  memStart, memWait, memSnapshot, memCycles, memStop,
  soakStart, soakStop, soakFree, parseCost, replayRecord, replayRun, replayFree, optionsCost,
};
window.benchReady = true;
