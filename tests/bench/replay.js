// The replay benchmark's parts (tests/bench/page.js drives them): a recorded byte stream of queue
// events, a `WebSocket` stand-in that plays it back into a client's unchanged receive path as fast
// as the client takes it, and the parse floor, the least work a client that hands out parsed
// `data` must do. The stand-in belongs to the benchmark only; the tests keep real sockets.

import { frame, Deframer } from "./proto.js";

/**
 * What the server sent on one connection, cut into its WebSocket messages: the sign-in and
 * registration replies (envelope bytes, answered again to every client with its own `rid`) and
 * the queue events from the first message that starts one to the end.
 * `messages`: every `ArrayBuffer` the socket received, in order.
 */
export function cutRecording(pb, messages) {
  const d = new Deframer();
  const replies = {};
  let boundary = 0, start = -1, events = 0;
  for (let i = 0; i < messages.length; i++) {
    // A frame starts with this message when nothing is left over from the ones before.
    if (d.size === 0) boundary = i;
    d.push(new Uint8Array(messages[i]));
    let bytes;
    while ((bytes = d.next()) !== null) {
      const env = pb.Envelope.decode(bytes);
      if (env.command === "queueevent") {
        if (start < 0) start = boundary;
        events++;
      } else if (start < 0) {
        replies[env.command] = bytes.slice();
      } else {
        throw new Error(`recording: a ${env.command} envelope among the queue events`);
      }
    }
  }
  if (start < 0) throw new Error("recording: no queue events");
  if (!replies.signinreply || !replies.registerqueuereply) throw new Error("recording: no sign-in or registration reply");
  const stream = messages.slice(start);
  return {
    replies, events, messages: stream.length,
    bytes: stream.reduce((n, m) => n + m.byteLength, 0),
    // Made once: every client gets the same event objects, as a socket would hand them out.
    stream: stream.map((data) => new MessageEvent("message", { data })),
  };
}

const yieldTask = (() => {
  // A task boundary without setTimeout's clamping: timers and microtasks run in between.
  let ch = null, wake = null;
  return () => new Promise((r) => {
    if (!ch) { ch = new MessageChannel(); ch.port1.onmessage = () => { const w = wake; wake = null; w(); }; }
    wake = r;
    ch.port2.postMessage(0);
  });
})();

/**
 * A `WebSocket` that answers `signin` and `registerqueue` from `recording` (with the client's own
 * request id as `rid`, the length and the envelope as two messages, as OpenFlow sends them) and
 * then, on `ReplaySocket.play()`, dispatches the recorded queue events as `message` events, a batch
 * at a time, each batch as fast as the client takes it. Install it as `globalThis.WebSocket` only
 * while a client opens its socket.
 */
export class ReplaySocket extends EventTarget {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  /** {pb, recording} for the sockets made next; the last socket made. */
  static setup = null;
  static last = null;

  constructor(url) {
    super();
    this.url = String(url);
    this.protocol = "";
    this.extensions = "";
    this.binaryType = "blob";
    this.bufferedAmount = 0;
    this.readyState = 0;
    this.onopen = this.onmessage = this.onclose = this.onerror = null;
    this.sent = 0;
    this.quiet = false;
    this.setup = ReplaySocket.setup;
    this.incoming = new Deframer();
    ReplaySocket.last = this;
    setTimeout(() => {
      if (this.readyState !== 0) return;
      this.readyState = 1;
      this.#fire("open", new Event("open"));
    }, 0);
  }

  #fire(type, ev) {
    const h = this["on" + type];
    if (h) h.call(this, ev);
    this.dispatchEvent(ev);
  }

  send(data) {
    // `quiet`: the bench measures what sending costs the client, not this socket.
    if (this.readyState !== 1 || this.quiet) return;
    this.sent++;
    const b = data instanceof ArrayBuffer ? new Uint8Array(data)
      : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
    if (!b) throw new Error("replay: a text message was sent");
    this.incoming.push(b.slice());
    const { pb, recording } = this.setup;
    let bytes;
    while ((bytes = this.incoming.next()) !== null) {
      const env = pb.Envelope.decode(bytes);
      const reply = recording.replies[env.command + "reply"];
      if (!reply) continue; // nothing else needs an answer during the replay
      const r = pb.Envelope.decode(reply);
      r.rid = env.id;
      const f = frame(pb.Envelope.encode(r).finish());
      // Later, as a server answers: the length, then the envelope.
      setTimeout(() => {
        if (this.readyState !== 1) return;
        this.#fire("message", new MessageEvent("message", { data: f.buffer.slice(0, 4) }));
        this.#fire("message", new MessageEvent("message", { data: f.buffer.slice(4) }));
      }, 0);
    }
  }

  close(code = 1000, reason = "") {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    setTimeout(() => this.#fire("close", new CloseEvent("close", { code, reason, wasClean: true })), 0);
  }

  /**
   * Dispatches the recorded queue events, `batch` WebSocket messages per task. Resolves with the
   * wall time from the first dispatch to the end and the time spent inside the dispatches (the
   * client's own CPU, with the page otherwise idle), both in ms. `repeat`: plays it that many times.
   */
  async play(batch = 256, repeat = 1) {
    const one = this.setup.recording.stream;
    const events = repeat === 1 ? one : Array.from({ length: repeat }, () => one).flat();
    const h = this.onmessage;
    // A client that listens with addEventListener gets the events the slower, standard way.
    const viaListeners = h === null;
    let busy = 0;
    const t0 = performance.now();
    for (let i = 0; i < events.length;) {
      const end = Math.min(events.length, i + batch);
      const a = performance.now();
      if (viaListeners) for (; i < end; i++) this.dispatchEvent(events[i]);
      else for (; i < end; i++) h.call(this, events[i]);
      busy += performance.now() - a;
      await yieldTask();
    }
    return { wall_ms: performance.now() - t0, busy_ms: busy };
  }
}

/**
 * The parse floor: a hand-written receiver of the same byte stream that finds the queue event's
 * `data` bytes (Envelope.data = 6 → Any.value = 2 → QueueEvent.data = 6), decodes them and
 * `JSON.parse`s them, and calls `onMessage({ data })`. Frames may be split or coalesced in any
 * way; a body that arrives in one message is read in place.
 */
export function floorReceiver(onMessage) {
  const td = new TextDecoder();
  let head = 0, headBytes = 0; // the length prefix while it is incomplete
  let body = null, have = 0; // a body that spans messages
  let need = -1; // body bytes of the current frame, -1 while reading the prefix
  const deliver = (b, at, end) => {
    const s = queueData(b, at, end);
    if (s >= 0) onMessage({ data: JSON.parse(td.decode(b.subarray(s, s + fieldLen))) });
  };
  return (e) => {
    const b = new Uint8Array(e.data);
    let i = 0;
    const n = b.length;
    while (i < n) {
      if (need < 0) {
        head |= b[i++] << (8 * headBytes);
        if (++headBytes === 4) { need = head >>> 0; head = 0; headBytes = 0; }
        continue;
      }
      if (body === null && n - i >= need) {
        deliver(b, i, i + need);
        i += need;
        need = -1;
        continue;
      }
      if (body === null) { body = new Uint8Array(need); have = 0; }
      const k = Math.min(need - have, n - i);
      body.set(b.subarray(i, i + k), have);
      have += k;
      i += k;
      if (have === need) { deliver(body, 0, need); body = null; need = -1; }
    }
  };
}

let fieldLen = 0;

/** Offset of length-delimited field `no` in message `b[at..end]` (its length in `fieldLen`), or -1. */
function field(b, at, end, no) {
  let found = -1;
  while (at < end) {
    let key = 0, shift = 0, c;
    do { c = b[at++]; key |= (c & 0x7f) << shift; shift += 7; } while (c & 0x80);
    const wire = key & 7;
    if (wire === 0) { while (b[at++] & 0x80); continue; }
    if (wire === 1) { at += 8; continue; }
    if (wire === 5) { at += 4; continue; }
    let len = 0;
    shift = 0;
    do { c = b[at++]; len += (c & 0x7f) * 2 ** shift; shift += 7; } while (c & 0x80);
    if (key >>> 3 === no) { found = at; fieldLen = len; }
    at += len;
  }
  return found;
}

/** Offset of the `data` text of the queue event in envelope `b[at..end]` (length in `fieldLen`), or -1. */
function queueData(b, at, end) {
  const any = field(b, at, end, 6);
  if (any < 0) return -1;
  const value = field(b, any, any + fieldLen, 2);
  if (value < 0) return -1;
  return field(b, value, value + fieldLen, 6);
}
