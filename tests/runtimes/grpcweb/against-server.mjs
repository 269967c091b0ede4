// The reference client (@improbable-eng/grpc-web, see reference.mjs) against the test server's
// gRPC-web endpoint, with no openiap-wasm code in the path: a "worker" stream signs in and
// registers a queue; a "caller" stream signs in, sends the worker a message and makes an rpc
// (temporary reply queue, replyto + correlation id) that the worker answers. Both streams answer
// the server's pings, then end their side; the server must end each stream with grpc-status 0.
// Usage: node --experimental-websocket grpcweb/against-server.mjs ws://user:pass@127.0.0.1:PORT
import { openStream, EnvelopeMessage, any, unpack, grpc } from "./reference.mjs";

// Rejects after `ms`; the timer does not keep the process alive.
const timeout = (ms, what) => new Promise((_, reject) => setTimeout(() => reject(new Error("timed out: " + what)), ms).unref());

/** One SetupStream spoken by hand: seq from 0, ids, replies matched by rid, pings answered. */
class Session {
  constructor(host, name) {
    this.name = name;
    this.seq = 0;
    this.pending = new Map();
    this.events = [];
    this.waiters = [];
    this.pings = 0;
    this.stream = openStream(host, (env) => this.receive(env));
  }
  receive(env) {
    if (env.command === "ping") {
      this.pings++;
      this.post({ command: "pong", rid: env.id });
    } else if (env.rid && this.pending.has(env.rid)) {
      this.pending.get(env.rid)(env);
      this.pending.delete(env.rid);
    } else if (env.command === "queueevent") {
      this.events.push(unpack("QueueEvent", env.data));
      this.waiters.forEach((w) => w());
    }
  }
  post(fields) {
    const id = `${this.name}-${this.seq}`;
    this.stream.client.send(new EnvelopeMessage({ ...fields, seq: this.seq++, id }));
    return id;
  }
  /** Sends `command` with `openiap.<type>` data and resolves to the reply's data as `replyType`. */
  async request(command, type, fields, replyType) {
    const reply = new Promise((resolve) => this.pending.set(this.post({ command, data: any(type, fields) }), resolve));
    const env = await Promise.race([reply, timeout(5000, `${this.name} ${command}`)]);
    if (env.command === "error") throw new Error(`${this.name} ${command}: ${unpack("ErrorResponse", env.data).message}`);
    return unpack(replyType, env.data);
  }
  async nextEvent(pred, what) {
    const find = () => this.events.find(pred);
    while (!find()) await Promise.race([new Promise((r) => this.waiters.push(r)), timeout(5000, what)]);
    return find();
  }
}

function check(cond, what) { if (!cond) throw new Error("check failed: " + what); }

export async function againstServer(url) {
  const u = new URL(url.replace(/^ws/, "http"));
  const host = `http://${u.host}`;
  const creds = { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
  const worker = new Session(host, "worker");
  const caller = new Session(host, "caller");

  const headers = await Promise.race([worker.stream.headers, timeout(5000, "response headers")]);
  check(headers.get("content-type")[0] === "application/grpc-web+proto", "response content-type " + headers.get("content-type"));

  for (const s of [worker, caller]) {
    const signed = await s.request("signin", "SigninRequest", { ...creds, agent: "grpc-web-reference", ping: true }, "SigninResponse");
    check(signed.jwt && signed.user && signed.user.username === creds.username, `${s.name} signed in`);
  }
  const queue = `ref.worker.${Math.random().toString(36).slice(2, 8)}`;
  const registered = await worker.request("registerqueue", "RegisterQueueRequest", { queuename: queue }, "RegisterQueueResponse");
  check(registered.queuename === queue, "registerqueue returns the name");

  // A message from the caller reaches the worker's queue.
  await caller.request("queuemessage", "QueueMessageRequest", { queuename: queue, data: '{"n":1}', striptoken: true }, "QueueMessageResponse");
  const got = await worker.nextEvent((e) => e.data === '{"n":1}', "queued message");
  check(got.queuename === queue, "queueevent queuename");

  // rpc: a temporary reply queue, replyto + correlation id; the worker answers to replyto.
  const replyQueue = (await caller.request("registerqueue", "RegisterQueueRequest", {}, "RegisterQueueResponse")).queuename;
  check(replyQueue, "temporary reply queue gets a name");
  await caller.request("queuemessage", "QueueMessageRequest",
    { queuename: queue, replyto: replyQueue, correlationId: "rpc-1", data: '{"n":2}', striptoken: true }, "QueueMessageResponse");
  const call = await worker.nextEvent((e) => e.correlationId === "rpc-1", "rpc request at the worker");
  check(call.replyto === replyQueue && call.data === '{"n":2}', "rpc request carries replyto and data");
  await worker.request("queuemessage", "QueueMessageRequest",
    { queuename: call.replyto, correlationId: call.correlationId, data: '{"echo":{"n":2}}', striptoken: true }, "QueueMessageResponse");
  const reply = await caller.nextEvent((e) => e.correlationId === "rpc-1", "rpc reply");
  check(reply.queuename === replyQueue && reply.data === '{"echo":{"n":2}}', "rpc reply " + JSON.stringify(reply));

  // Ending the client stream (0x01): the server ends the call with grpc-status 0.
  for (const s of [worker, caller]) {
    s.stream.client.finishSend();
    const end = await Promise.race([s.stream.ended, timeout(5000, `${s.name} end of stream`)]);
    check(end.code === grpc.Code.OK, `${s.name} stream ended with status ${end.code} ${end.message}`);
  }
  check(worker.pings + caller.pings > 0, "the server's pings reached the reference and were answered");
  return `signin x2, registerqueue, queuemessage -> queueevent, rpc via replyto/correlation id, ${worker.pings + caller.pings} pings answered, end of stream -> grpc-status 0`;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log("against the test server: " + await againstServer(process.argv[2]));
