// The JS side of the `Client` class, added once to the wasm-bindgen class by every package entry
// (`.ci/finish-glue.mjs` appends `extend(Client, ClientError)` to each build's glue, after
// `data.js`'s methods in builds with the data API):
// - npm `openiap`'s `*_async` names, as aliases of every promise method;
// - `invoke_openrpa` and `reconnect`, built on the methods above;
// - `queue(name)` and `watch(options)` without a callback: async iterables for `for await`;
// - `client.shared`: false here; `new Client({ shared: true })` is shared-shell.js's (browser builds).
// Nothing here runs at import time but defining functions.

/** Methods that do not return a promise: they get no `*_async` twin (nor do internal `_` names),
 * and a shared client's shell answers them before shared.js is loaded (shared-shell.js). */
export const SYNC = new Set([
  "constructor", "free", "disconnect", "on_client_event", "off_client_event", "get_state", "get_user",
  "get_default_timeout", "set_default_timeout", "set_agent_name", "set_agent_version", "debug_counts",
  "queue",
]);

/** Runs an OpenRPA workflow on robot `robotid` and resolves to its result (npm `openiap`'s
 * `invoke_openrpa`, the Rust client's flow): a temporary queue gets the robot's replies. */
async function invoke_openrpa(ClientError, { robotid, workflowid, payload = {}, rpc = true, timeout = -1, jwt, traceid, spanid } = {}) {
  if (typeof robotid !== "string" || robotid === "") throw new ClientError("robotid is required");
  if (typeof workflowid !== "string" || workflowid === "") throw new ClientError("workflowid is required");
  let settle;
  const done = new Promise((resolve, reject) => { settle = { resolve, reject }; });
  done.catch(() => {}); // settled after a result that came another way is nobody's error
  const replies = (msg) => {
    const d = msg.data;
    const command = d && typeof d === "object" ? d.command : undefined;
    if (command === "invokecompleted") settle.resolve(d.data);
    else if (command === "timeout") settle.reject(new ClientError("no robot picked up the workflow", "Timeout"));
    else if (command === "invokefailed" || command === "invokeerror" || command === "error") {
      const why = typeof d.data === "string" ? d.data : JSON.stringify(d.data ?? "robot failed");
      settle.reject(new ClientError(why, "Server"));
    }
  };
  // The reply queue ended (disconnect(), reconnecting gave up): no answer can come any more.
  replies.__end = () => settle.reject(new ClientError("disconnected while waiting for the robot", "Disconnected"));
  const queue = await this.register_queue({ queuename: "", jwt, traceid, spanid }, replies);
  let timer;
  try {
    const data = { command: "invoke", workflowid, data: payload };
    await this.queue_message({ queuename: robotid, replyto: queue, data, jwt, traceid, spanid });
    if (!rpc) return null;
    const seconds = typeof timeout === "number" && timeout > 0 ? timeout : this.get_default_timeout();
    const expired = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new ClientError("invoke_openrpa timed out", "Timeout")), seconds * 1000);
    });
    return await Promise.race([done, expired]);
  } finally {
    clearTimeout(timer);
    this.unregister_queue(queue).catch(() => {});
  }
}

/** How many messages a `for await` stream holds while the loop is busy; when it is full the
 * oldest message is dropped (and counted in `dropped`). Options: `{ buffer: N }`. */
const STREAM_BUFFER = 1000;

/** An async iterable fed by a registration: `start(push)` registers and resolves to its name or
 * id; `stop(name)` ends it. `break` (or `return()`) stops the registration: at once when its
 * name is known before the server answers (`early`, a named queue), else once it is registered. */
function stream(ClientError, start, stop, limit, early) {
  const buffer = [];
  let waiting = null, failed = null, closed = false, ended = false, dropped = 0;
  const push = (item) => {
    if (closed || ended) return;
    if (waiting) {
      const w = waiting;
      waiting = null;
      w.resolve({ value: item, done: false });
    } else {
      if (buffer.length >= limit) { buffer.shift(); dropped++; }
      buffer.push(item);
    }
  };
  // The registration ended without return() (disconnect(), reconnecting gave up): what is
  // buffered is still given, then the stream is done.
  push.__end = () => {
    ended = true;
    if (waiting && !buffer.length) { waiting.resolve({ value: undefined, done: true }); waiting = null; }
  };
  const name = start(push);
  name.catch((e) => {
    failed = e;
    if (waiting) { waiting.reject(e); waiting = null; }
  });
  const it = {
    [Symbol.asyncIterator]() { return it; },
    /** The queue name or watch id, once registered. */
    name,
    /** Messages dropped because the buffer was full. */
    get dropped() { return dropped; },
    next() {
      if (closed) return Promise.resolve({ value: undefined, done: true });
      if (failed) return Promise.reject(failed);
      if (buffer.length) return Promise.resolve({ value: buffer.shift(), done: false });
      if (ended) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => { waiting = { resolve, reject }; });
    },
    async return() {
      if (!closed) {
        closed = true;
        buffer.length = 0;
        if (waiting) { waiting.resolve({ value: undefined, done: true }); waiting = null; }
        const registered = early || (await name.catch(() => null));
        if (registered) await stop(registered).catch(() => {});
      }
      return { value: undefined, done: true };
    },
  };
  return it;
}

/** A copy of an options object (`{}` for none); a `ClientError` when it is not an object or its
 * fields cannot be read (a getter or Proxy that throws). Never spreads a string's characters. */
function copy(ClientError, options) {
  if (options == null) return {};
  try {
    if (typeof options === "object") return { ...options };
  } catch {
    /* below */
  }
  throw new ClientError("options must be an object whose fields can be read");
}

function limitOf(ClientError, options) {
  const n = copy(ClientError, options).buffer;
  if (n === undefined) return STREAM_BUFFER;
  if (!Number.isInteger(n) || n < 1) throw new ClientError("option 'buffer' must be a positive integer");
  return n;
}

/** The error for arguments past the `n` a method takes; `null` when there are none. A number
 * there is most likely a timeout meant for the options object (`rpc(options, 1000)`). */
export function extra(ClientError, name, n, args) {
  for (let i = n; i < args.length; i++) {
    if (args[i] === undefined) continue;
    const hint = typeof args[i] === "number" ? "for a timeout use {timeout: seconds} or {timeout_ms} in the options"
      : "put it in the options object";
    return new ClientError(`${name} takes ${n} argument${n === 1 ? "" : "s"}, got another at position ${i + 1}: ${hint}`);
  }
  return null;
}

/** `f`, refusing arguments past the ones it declares: an ignored argument is a silent default. */
function strict(ClientError, name, f) {
  return function (...args) {
    const e = extra(ClientError, name, f.length, args);
    if (!e) return f.apply(this, args);
    if (SYNC.has(name)) throw e;
    return Promise.reject(e);
  };
}

/** Adds the JS-side methods to `Client` (once). */
export function extend(Client, ClientError) {
  const proto = Client.prototype;
  if (Object.prototype.hasOwnProperty.call(proto, "reconnect")) return Client;
  /** True when the connection is shared with other tabs through a SharedWorker (shared-shell.js). */
  Object.defineProperty(proto, "shared", { get: () => false });
  proto.invoke_openrpa = function (o) {
    try {
      o = copy(ClientError, o);
    } catch (e) {
      return Promise.reject(e);
    }
    return invoke_openrpa.call(this, ClientError, o);
  };
  /** `for await (const msg of client.queue("name"))`: the queue's messages. */
  proto.queue = function (queue, options) {
    const limit = limitOf(ClientError, options);
    const opts = typeof queue === "string" ? { ...copy(ClientError, options), queuename: queue }
      : { ...copy(ClientError, options), ...copy(ClientError, queue) };
    return stream(ClientError, (push) => this.register_queue(opts, push), (q) => this.unregister_queue(q), limit,
      typeof opts.queuename === "string" && opts.queuename);
  };
  const watch = proto.watch;
  /** `watch(options, callback)` as npm; without a callback, an async iterable of the changes. */
  proto.watch = function (options, callback) {
    try {
      // A copy whose `paths` is a plain array: the wasm reads it without a getter that may throw.
      options = copy(ClientError, options);
      if (Array.isArray(options.paths)) options.paths = Array.from(options.paths);
    } catch (e) {
      const error = e instanceof ClientError ? e : new ClientError("option 'paths' could not be read");
      if (callback !== undefined) return Promise.reject(error);
      throw error;
    }
    if (callback !== undefined) return watch.call(this, options, callback);
    const limit = limitOf(ClientError, options);
    return stream(ClientError, (push) => this.watch(options, push), (id) => this.unwatch(id), limit);
  };
  /** Connects again now (after `disconnect()`, or skipping the backoff wait). */
  proto.reconnect = function () { return this.connect(); };
  const signin = proto.signin;
  // npm `openiap`'s result shape: `{success, jwt, error}` (plus the user).
  proto.signin = function (options) {
    return signin.call(this, options).then((r) => ({ success: true, jwt: r.jwt, user: r.user, error: null }));
  };
  for (const name of Object.getOwnPropertyNames(proto)) {
    const f = Object.getOwnPropertyDescriptor(proto, name).value;
    if (typeof f !== "function" || name.startsWith("_") || name === "constructor") continue;
    // data.js's methods (`...args`, length 0) check their own arguments.
    if (f.length > 0) proto[name] = strict(ClientError, name, f);
    if (!SYNC.has(name)) proto[name + "_async"] = proto[name];
  }
  return Client;
}
