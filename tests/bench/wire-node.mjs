// Node side of the benchmark protocol: the message sender (pipelined queuemessage, as fast as
// the server accepts) and the rpc responder. A plain `ws` client, so that the sender costs the
// same for every receiver under test.
import { makeProto, frame, frameWithSeq, Deframer } from "./proto.js";

export class NodeWire {
  constructor(WebSocket, protobuf, url) {
    this.WebSocket = WebSocket;
    this.pb = makeProto(protobuf);
    this.url = url.replace(/\/?$/, "") + "/ws/v2";
    this.seq = 0;
    this.nextId = 1;
    this.pending = new Map();
    this.acked = 0;
    this.onAck = null;
    this.onQueueEvent = null;
  }

  open() {
    return new Promise((resolve, reject) => {
      const ws = new this.WebSocket(this.url, { perMessageDeflate: false });
      this.ws = ws;
      this.deframer = new Deframer();
      ws.on("open", resolve);
      ws.on("error", reject);
      ws.on("close", () => { for (const p of this.pending.values()) p.reject(new Error("closed")); this.pending.clear(); });
      ws.on("message", (data) => this.#onData(new Uint8Array(data.buffer, data.byteOffset, data.length)));
    });
  }

  #onData(chunk) {
    const pb = this.pb;
    this.deframer.push(chunk);
    let bytes;
    while ((bytes = this.deframer.next()) !== null) {
      const env = pb.Envelope.decode(bytes);
      if (env.command === "queuemessagereply" && env.rid === "b") {
        this.acked++;
        if (this.onAck) this.onAck();
      } else if (env.command === "queueevent") {
        if (this.onQueueEvent) this.onQueueEvent(pb.QueueEvent.decode(env.data.value));
      } else if (env.rid && this.pending.has(env.rid)) {
        const p = this.pending.get(env.rid);
        this.pending.delete(env.rid);
        if (env.command === "error") p.reject(new Error(pb.ErrorResponse.decode(env.data.value).message));
        else p.resolve(env);
      } else if (env.command === "ping") {
        this.ws.send(frame(pb.Envelope.encode({ command: "pong", seq: this.seq++, id: "p" + this.nextId++, rid: env.id }).finish()));
      } else if (env.command === "error") {
        console.error("bench sender: server error:", pb.ErrorResponse.decode(env.data.value).message);
      }
    }
  }

  request(command, type, msg) {
    const id = "q" + this.nextId++;
    const p = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.ws.send(frame(this.pb.envelope(command, this.seq++, id, type, msg)));
    return p;
  }

  async signin(user, pass) {
    await this.request("signin", "SigninRequest", { username: user, password: pass, ping: true, agent: "bench-node" });
  }

  async registerQueue(name) {
    const env = await this.request("registerqueue", "RegisterQueueRequest", { queuename: name });
    return this.pb.RegisterQueueResponse.decode(env.data.value).queuename;
  }

  /**
   * Sends `count` identical queuemessages (`data` JSON text) to `queuename`, `batch` frames per
   * WebSocket message, with at most `window` unacknowledged. Resolves {ms, per_s} once every
   * message is acknowledged by the server.
   */
  async blast(queuename, data, count, { batch = 32, window = 4096 } = {}) {
    const pb = this.pb;
    const body = pb.Envelope.encode({
      command: "queuemessage", id: "b",
      data: { type_url: "type.googleapis.com/openiap.QueueMessageRequest",
        value: pb.QueueMessageRequest.encode({ queuename, data, striptoken: true }).finish() },
    }).finish();
    const start = this.acked;
    const t0 = performance.now();
    let sent = 0;
    let wake = null;
    this.onAck = () => { if (wake && sent - (this.acked - start) <= window / 2) { const w = wake; wake = null; w(); } };
    while (sent < count) {
      if (sent - (this.acked - start) >= window) {
        await new Promise((r) => (wake = r));
        continue;
      }
      const n = Math.min(batch, count - sent);
      const parts = [];
      for (let i = 0; i < n; i++) parts.push(frameWithSeq(body, this.seq++));
      this.ws.send(Buffer.concat(parts));
      sent += n;
      // Let the socket write and replies come in now and then.
      if ((sent / batch) % 16 === 0) await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => {
      const check = () => { if (this.acked - start >= count) r(); };
      this.onAck = check;
      check();
    });
    this.onAck = null;
    const ms = performance.now() - t0;
    return { ms, per_s: (count / ms) * 1000 };
  }

  /** Answers every message on `queuename` with its own data, to its replyto. */
  async respond(queuename) {
    await this.registerQueue(queuename);
    this.onQueueEvent = (q) => {
      if (!q.replyto) return;
      this.ws.send(frame(this.pb.envelope("queuemessage", this.seq++, "e" + this.nextId++, "QueueMessageRequest",
        { queuename: q.replyto, correlationId: q.correlationId, data: q.data, striptoken: true })));
    };
  }

  close() { this.ws.close(); }
}
