// The tab's side of `new Client({ shared: true })`: loaded by the package glue (shared-shell.js) only
// when a page asks for a shared client, so pages that do not pay nothing for it. The connection
// lives in a SharedWorker (shared-worker.js) that every tab of the origin with the same URL and
// credentials reaches; this file turns each method call into a message on the tab's MessagePort
// and each message back into a resolved promise, an event or a callback call. The protocol is in
// docs/design.md ("Shared connection"). Nothing here runs at import time but defining functions.

/** An error as it crosses the port (errors lose `kind` and `code` in a structured clone). */
export const toWire = (e) => ({ name: e && e.name, message: e && e.message !== undefined ? e.message : String(e), kind: e && e.kind, code: e && e.code });

/** The error `w` (from `toWire`) again: a `ClientError` with its kind and code, or a DOMException. */
export function fromWire(ClientError, w) {
  if (w.name === "ClientError") return new ClientError(w.message, w.kind, w.code);
  if (w.name === "AbortError" || w.name === "TimeoutError") return new DOMException(w.message, w.name);
  const e = new Error(w.message);
  e.name = w.name || "Error";
  return e;
}

/** The package version (`.ci/finish-glue.mjs` fills it in from Cargo.toml). It is part of the
 * worker's name: a tab never reaches a worker of another version, whose messages may differ. */
const VERSION = "@PKG_VERSION@";

/** A name for the worker that differs between versions, servers and credentials and reveals
 * neither server nor credentials. */
async function workerName(parts) {
  const text = JSON.stringify(parts), name = "openiap-" + VERSION + "-";
  if (globalThis.crypto && crypto.subtle) {
    const d = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
    return name + Array.from(d.subarray(0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
  }
  // Not a secure context (no crypto.subtle): two 32-bit FNV-1a hashes of the text.
  let a = 0x811c9dc5, b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    a = Math.imul(a ^ text.charCodeAt(i), 0x01000193) >>> 0;
    b = Math.imul(b ^ text.charCodeAt(i), 0x811c9dc5) >>> 0;
  }
  return name + a.toString(16) + b.toString(16);
}

/** Methods that are not forwarded as calls: they act on the tab's own state. */
const LOCAL = new Set(["connect", "disconnect", "free", "on_client_event", "off_client_event", "get_state",
  "get_user", "get_default_timeout", "debug_counts"]);
/** Setters that apply to the shared connection: sent now when joined, and on every join. */
const SETTERS = new Set(["set_default_timeout", "set_agent_name", "set_agent_version"]);
/** Calls whose callbacks live as long as the registration (until unregister_queue / unwatch). */
const REGISTER = new Set(["register_queue", "register_exchange", "watch"]);
/** How often a tab without Web Locks tells the worker that it is alive (ms). */
export const PING_MS = 1000;
/** How long a tab waits for the worker's first answer before it opens a connection of its own (ms). */
const HELLO_MS = 5000;
/** The package folder of this copy of the file (`.ci/finish-glue.mjs` fills it in: browser, web, ...). */
const DIR = "@PKG_DIR@";

/**
 * Turns `c` (made by shared-shell.js) into a shared client: every method becomes its own
 * property. `early` lists the calls made before this module was loaded. `Base` is the package's
 * own `Client`, for a connection of the tab's own when the worker cannot be started.
 */
export function attach(c, options, early, ClientError, Base) {
  const handlers = new Map();
  const pending = new Map();      // call id -> {resolve, reject, method}
  const callbacks = new Map();    // callback id -> function
  const owners = new Map();       // queue name / watch id -> callback ids (freed on unregister)
  const setters = new Map();      // setter -> arguments, replayed on every join
  let nextHandler = 0, nextCall = 0, nextCallback = 0;
  let state = "Disconnected", user = null, timeout = (options.timeout_ms || 30000) / 1000;
  let port = null, joining = null, leaveTab = null, own = null, greeted = null;

  const notConnected = () => new ClientError("the shared client is not connected", "NotConnected");
  const emit = (e) => {
    for (const h of [...handlers.values()]) {
      try { h(e); } catch (err) { console.error("openiap: event handler failed", err); }
    }
  };

  // Arguments cross the port by structured clone: functions become callback ids (top level and
  // one level into option objects), an AbortSignal stays here (the worker gets an abort message).
  function pack(args, kept) {
    let signal;
    const fn = (f) => { const id = ++nextCallback; callbacks.set(id, f); kept.push(id); return { __cb: id }; };
    const out = args.map((v) => {
      if (typeof v === "function") return fn(v);
      if (v === null || typeof v !== "object" || Array.isArray(v) || ArrayBuffer.isView(v) || v instanceof Blob ||
        v instanceof ArrayBuffer || v instanceof Date) return v;
      const o = {};
      for (const [k, x] of Object.entries(v)) {
        if (k === "signal" && x) signal = x;
        else o[k] = typeof x === "function" ? fn(x) : x;
      }
      if (signal) o.signal = { __signal: true };
      return o;
    });
    return { out, signal };
  }

  function send(message) {
    try {
      port.postMessage(message);
    } catch (e) {
      throw new ClientError("cannot send to the shared worker: " + (e && e.message), "InvalidArgument");
    }
  }

  function call(method, args) {
    if (!port) return Promise.reject(notConnected());
    const kept = [];
    const forget = () => kept.forEach((id) => callbacks.delete(id));
    let packed;
    try {
      packed = pack(args, kept);
    } catch (e) {
      forget();
      return Promise.reject(e);
    }
    const { out, signal } = packed;
    if (signal && signal.aborted) {
      forget();
      return Promise.reject(signal.reason);
    }
    const id = ++nextCall;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        if (!pending.delete(id)) return;
        forget();
        reject(signal.reason);
        if (port) port.postMessage({ t: "abort", id });
      };
      pending.set(id, {
        method, kept,
        resolve: (v) => {
          signal && signal.removeEventListener("abort", onAbort);
          if (REGISTER.has(method) && typeof v === "string") owners.set(v, kept);
          else forget();
          resolve(v);
        },
        reject: (e) => { signal && signal.removeEventListener("abort", onAbort); forget(); reject(e); },
      });
      if (signal) signal.addEventListener("abort", onAbort, { once: true });
      try {
        send({ t: "call", id, m: method, a: out });
      } catch (e) {
        pending.get(id).reject(e);
        pending.delete(id);
      }
    });
  }

  async function invoke({ cb, id, a }) {
    const f = callbacks.get(cb);
    let reply;
    try {
      if (!f) throw new ClientError("the callback is gone (unregistered)", "InvalidArgument");
      reply = { t: "ret", id, v: await f(...a) };
    } catch (e) {
      if (id === undefined) emit({ event: "Error", reason: "a callback failed: " + (e && e.message ? e.message : String(e)) });
      reply = { t: "ret", id, e: toWire(e) };
    }
    if (id === undefined || !port) return;
    try {
      port.postMessage(reply);
    } catch (e) {
      port.postMessage({ t: "ret", id, e: toWire(new ClientError("the callback's reply cannot be sent: " + e.message)) });
    }
  }

  function onMessage({ data: m }) {
    if (m.t === "res") {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.e) p.reject(fromWire(ClientError, m.e));
      else p.resolve(m.v);
    } else if (m.t === "ev") {
      state = m.s;
      user = m.u;
      if (m.e.event === "QueueRenamed" && owners.has(m.e.old)) {
        owners.set(m.e.new, owners.get(m.e.old));
        owners.delete(m.e.old);
      }
      emit(m.e);
    } else if (m.t === "cb") {
      invoke(m);
    } else if (m.t === "hi" && greeted) {
      greeted(m);
    }
  }

  /** Starts the worker of this URL and these credentials; resolves once it answered `hello`. */
  function start(name, hello) {
    let timer, worker;
    return new Promise((ok, fail) => {
      greeted = (m) => (m.e ? fail(new Error("it could not load the package: " + m.e.message)) : ok(worker.port));
      timer = setTimeout(() => fail(new Error(`it did not answer within ${HELLO_MS / 1000} s`)), HELLO_MS);
      // Vite's dev server pre-bundles the package into node_modules/.vite/deps/, where there is no
      // worker script: the package's own file is two folders up when the package is installed in
      // the same node_modules. This file's URL is read from the stack, since a bare
      // `import.meta.url` breaks Parcel's worker bundle and webpack writes the build machine's
      // path into it. Anywhere else the literal `new SharedWorker(new URL(...), { type: "module",
      // ... })` is what webpack, Parcel and Vite's build turn into a worker of their own.
      const here = (/[a-z-]+:\/\/[^\s()]+/.exec(new Error().stack) || [""])[0];
      worker = here.includes("/.vite/deps/")
        ? new SharedWorker(new URL(`../../openiap-wasm/${DIR}/shared-worker.js`, here), { type: "module", name })
        : new SharedWorker(new URL("./shared-worker.js", import.meta.url), { type: "module", name });
      // A script that does not load (404, an HTML page instead of JS, a CSP refusal) or fails to run.
      worker.onerror = () => fail(new Error("its script did not load"));
      worker.port.onmessage = onMessage;
      worker.port.start();
      hello(worker.port);
    }).catch((e) => {
      if (worker) worker.port.close();
      throw e;
    }).finally(() => {
      clearTimeout(timer);
      greeted = null;
      if (worker) worker.onerror = null;
    });
  }

  /** The worker cannot be started here: this tab gets a connection of its own, says so once
   * (`SharedFallback`) and from then on is an ordinary client (`client.shared` is false). */
  function fallback(url, why) {
    own = new Base(options);
    for (const [k, a] of setters) own[k](...a);
    own.on_client_event(emit);
    for (const n of Object.keys(c)) {
      if (typeof c[n] === "function" && n !== "on_client_event" && n !== "off_client_event") c[n] = own[n].bind(own);
    }
    c[Symbol.dispose] = c.free;
    emit({ event: "SharedFallback", reason: `the shared worker could not be started (${why}); this tab has a connection of its own` });
    return url === undefined ? own.connect() : own.connect(url);
  }

  /** Opens the tab's port to the worker of this URL and these credentials. */
  async function join(url) {
    const u = url || options.url || "";
    const name = await workerName([u, options.username, options.password, options.jwt]);
    // The tab holds a Web Lock until it goes away (closed, crashed, navigated): the worker waits
    // for the same lock and so learns at once. Without Web Locks, the tab pings.
    let lock = null, ping = null, release = null;
    if (globalThis.navigator && navigator.locks) {
      lock = "openiap-tab-" + Math.random().toString(36).slice(2) + Date.now().toString(36);
      await new Promise((held) => navigator.locks.request(lock, () => new Promise((r) => {
        held();
        release = r;
      })));
    }
    const bye = () => leave("the page went away");
    globalThis.addEventListener && addEventListener("pagehide", bye);
    leaveTab = () => {
      clearInterval(ping);
      globalThis.removeEventListener && removeEventListener("pagehide", bye);
      if (release) release();
    };
    const opts = {};
    for (const [k, v] of Object.entries(options)) if (typeof v !== "function" && k !== "shared") opts[k] = v;
    if (url) opts.url = url;
    const tokens = typeof options.get_token === "function" ? pack([options.get_token], []).out[0].__cb : 0;
    let p;
    try {
      p = await start(name, (p) => {
        if (!lock) ping = setInterval(() => p.postMessage({ t: "ping" }), PING_MS);
        p.postMessage({ t: "hello", lock, options: opts, tokens, ping: !lock });
      });
    } catch (e) {
      leaveTab();
      leaveTab = null;
      return fallback(url, e.message);
    }
    port = p;
    for (const [k, a] of setters) p.postMessage({ t: "call", id: 0, m: k, a });
    await call("connect", []);
  }

  /** The tab leaves the shared connection: its queues and watches go; the socket stays while
   * another tab uses it. */
  function leave(reason) {
    if (!port) return;
    const p = port;
    port = null;
    joining = null;
    try { p.postMessage({ t: "bye" }); } catch { /* the worker is gone */ }
    p.close();
    if (leaveTab) leaveTab();
    leaveTab = null;
    const lost = [...pending.values()];
    pending.clear();
    for (const x of lost) x.reject(new ClientError("disconnected: " + reason, "Disconnected"));
    callbacks.clear();
    owners.clear();
    state = "Disconnected";
    user = null;
    emit({ event: "Disconnected", reason });
  }

  const impl = {
    connect(url) {
      if (joining) return joining;
      if (port) return call("connect", []);
      joining = join(url).then(() => { joining = null; }, (e) => {
        leave(e && e.message ? e.message : String(e));
        throw e;
      });
      return joining;
    },
    disconnect() { leave("disconnect()"); },
    free() { leave("free()"); },
    on_client_event(cb) {
      if (typeof cb !== "function") throw new ClientError("on_client_event needs a function");
      handlers.set(++nextHandler, cb);
      return nextHandler;
    },
    off_client_event(id) { return handlers.delete(id); },
    get_state() { return state; },
    get_user() { return user; },
    get_default_timeout() { return timeout; },
    debug_counts() {
      return { promises: pending.size, callbacks: callbacks.size, handlers: handlers.size, timers: 0, sockets: 0,
        listeners: port ? 1 : 0, in_flight: pending.size, outbox: 0, registrations: owners.size, rpc_calls: 0,
        upload_streams: 0, upload_sources: 0 };
    },
    unregister_queue(name, o) { return call("unregister_queue", o === undefined ? [name] : [name, o]).then(drop(name)); },
    unwatch(id, o) { return call("unwatch", o === undefined ? [id] : [id, o]).then(drop(id)); },
    watch(o, cb) {
      // Without a callback: the package's async iterable, which calls back here with one.
      return cb === undefined ? Object.getPrototypeOf(c).watch.call(c, o) : call("watch", [o, cb]);
    },
  };
  function drop(name) {
    return (v) => {
      for (const id of owners.get(name) || []) callbacks.delete(id);
      owners.delete(name);
      return v;
    };
  }

  for (const n of Object.keys(c)) {
    if (impl[n]) c[n] = impl[n];
    else if (SETTERS.has(n)) {
      c[n] = (...a) => {
        setters.set(n, a);
        if (n === "set_default_timeout") timeout = a[0];
        if (port) port.postMessage({ t: "call", id: 0, m: n, a });
      };
    } else if (n.startsWith("__") && n !== "__call") delete c[n];
    else if (!LOCAL.has(n)) c[n] = (...a) => call(n, a);
  }
  c[Symbol.dispose] = c.free;
  Object.defineProperty(c, "shared", { get: () => !own });
  // Handlers added before this module was loaded keep the ids the shell gave them.
  early.forEach(([n, a], i) => (n === "on_client_event" ? handlers.set(i + 1, a[0]) : c[n](...a)));
  nextHandler = early.length;
  return c;
}
