// The OpenIAP wire protocol for the benchmark's own clients (browser pages and the node sender /
// responder): protobufjs types of the few messages they use, framing (u32 LE length + Envelope)
// and a counting-only deframer. No dependency on the client under test.
//
// `makeProto(protobuf)` takes the protobufjs (light) module: `window.protobuf` in the page,
// `require("protobufjs/light")` in node.

const P = "type.googleapis.com/openiap.";

const DESCRIPTOR = {
  nested: {
    google: { nested: { protobuf: { nested: { Any: { fields: {
      type_url: { type: "string", id: 1 }, value: { type: "bytes", id: 2 } } } } } } },
    openiap: { nested: {
      Envelope: { fields: {
        command: { type: "string", id: 1 }, priority: { type: "int32", id: 2 }, seq: { type: "int32", id: 3 },
        id: { type: "string", id: 4 }, rid: { type: "string", id: 5 }, data: { type: "google.protobuf.Any", id: 6 },
        jwt: { type: "string", id: 7 }, traceid: { type: "string", id: 8 }, spanid: { type: "string", id: 9 } } },
      SigninRequest: { fields: {
        username: { type: "string", id: 1 }, password: { type: "string", id: 2 }, jwt: { type: "string", id: 3 },
        ping: { type: "bool", id: 4 }, validateonly: { type: "bool", id: 5 }, agent: { type: "string", id: 6 },
        version: { type: "string", id: 7 }, longtoken: { type: "bool", id: 8 } } },
      ErrorResponse: { fields: { message: { type: "string", id: 1 }, code: { type: "int32", id: 2 }, stack: { type: "string", id: 3 } } },
      RegisterQueueRequest: { fields: { queuename: { type: "string", id: 1 } } },
      RegisterQueueResponse: { fields: { queuename: { type: "string", id: 1 } } },
      QueueMessageRequest: { fields: {
        queuename: { type: "string", id: 1 }, correlationId: { type: "string", id: 2 }, replyto: { type: "string", id: 3 },
        routingkey: { type: "string", id: 4 }, exchangename: { type: "string", id: 5 }, data: { type: "string", id: 6 },
        striptoken: { type: "bool", id: 7 }, expiration: { type: "int32", id: 8 } } },
      QueueEvent: { fields: {
        queuename: { type: "string", id: 1 }, correlationId: { type: "string", id: 2 }, replyto: { type: "string", id: 3 },
        routingkey: { type: "string", id: 4 }, exchangename: { type: "string", id: 5 }, data: { type: "string", id: 6 } } },
    } },
  },
};

export function makeProto(protobuf) {
  const root = protobuf.Root.fromJSON(DESCRIPTOR);
  const T = (n) => root.lookupType("openiap." + n);
  const pb = {
    Envelope: T("Envelope"), SigninRequest: T("SigninRequest"), ErrorResponse: T("ErrorResponse"),
    RegisterQueueRequest: T("RegisterQueueRequest"), RegisterQueueResponse: T("RegisterQueueResponse"),
    QueueMessageRequest: T("QueueMessageRequest"), QueueEvent: T("QueueEvent"),
  };
  /** Envelope bytes of `command` with payload `msg` of type `typeName`. */
  pb.envelope = (command, seq, id, typeName, msg, rid = "") => pb.Envelope.encode({
    command, seq, id, rid,
    data: { type_url: P + typeName, value: pb[typeName].encode(msg).finish() },
  }).finish();
  return pb;
}

/** `[u32 LE length][bytes]`. */
export function frame(bytes) {
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, bytes.length, true);
  out.set(bytes, 4);
  return out;
}

/** Concatenates byte arrays. */
export function concat(parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** Protobuf varint of a non-negative int32. */
export function varint(v) {
  const out = [];
  while (v > 0x7f) { out.push((v & 0x7f) | 0x80); v >>>= 7; }
  out.push(v);
  return out;
}

/**
 * A frame with `seq` prepended to a pre-encoded envelope body that has no seq field (protobuf
 * fields may come in any order). The cheapest way to send the same envelope many times.
 */
export function frameWithSeq(body, seq) {
  const head = seq === 0 ? [] : [0x18, ...varint(seq)];
  const out = new Uint8Array(4 + head.length + body.length);
  new DataView(out.buffer).setUint32(0, head.length + body.length, true);
  out.set(head, 4);
  out.set(body, 4 + head.length);
  return out;
}

/**
 * The ceiling: reads lengths from the byte stream and counts envelopes, never copies or decodes.
 * `push(Uint8Array)` returns how many envelopes ended in that chunk.
 */
export class CountingDeframer {
  constructor() {
    this.need = 4;        // bytes still missing of the current header or payload
    this.inHeader = true;
    this.header = 0;      // header bytes so far, little-endian
    this.headerBytes = 0;
  }
  push(chunk) {
    let done = 0, i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.inHeader) {
        this.header |= chunk[i] << (8 * this.headerBytes);
        i++;
        if (++this.headerBytes === 4) {
          this.need = this.header >>> 0;
          this.header = 0;
          this.headerBytes = 0;
          this.inHeader = false;
          if (this.need === 0) { this.inHeader = true; }
        }
      } else {
        const take = Math.min(this.need, n - i);
        i += take;
        this.need -= take;
        if (this.need === 0) { done++; this.inHeader = true; }
      }
    }
    return done;
  }
}

/** A deframer that hands out each envelope's bytes (a view when it lies in one chunk). */
export class Deframer {
  constructor() { this.chunks = []; this.size = 0; this.offset = 0; }
  push(chunk) { this.chunks.push(chunk); this.size += chunk.length; }
  #take(n) {
    // n bytes from the front, as one Uint8Array
    const first = this.chunks[0];
    if (first.length - this.offset >= n) {
      const v = first.subarray(this.offset, this.offset + n);
      this.offset += n;
      if (this.offset === first.length) { this.chunks.shift(); this.offset = 0; }
      this.size -= n;
      return v;
    }
    const out = new Uint8Array(n);
    let o = 0;
    while (o < n) {
      const c = this.chunks[0];
      const k = Math.min(n - o, c.length - this.offset);
      out.set(c.subarray(this.offset, this.offset + k), o);
      o += k;
      this.offset += k;
      if (this.offset === c.length) { this.chunks.shift(); this.offset = 0; }
    }
    this.size -= n;
    return out;
  }
  /** The next complete envelope's bytes, or null. */
  next() {
    if (this.size < 4) return null;
    const h = this.#peekHeader();
    if (this.size < 4 + h) return null;
    this.#take(4);
    return this.#take(h);
  }
  #peekHeader() {
    const b = [];
    let ci = 0, off = this.offset;
    while (b.length < 4) {
      const c = this.chunks[ci];
      if (off < c.length) b.push(c[off++]); else { ci++; off = 0; }
    }
    return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  }
}
