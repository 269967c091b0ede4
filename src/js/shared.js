// The tab's side of `new Client({ shared: true })`: loaded by the package glue (shared-shell.js) only
// when a page asks for a shared client, so pages that do not pay nothing for it. The connection
// lives in a SharedWorker (shared-worker.js) that every tab of the origin with the same URL and
// credentials reaches; this file turns each method call into a message on the tab's MessagePort
// and each message back into a resolved promise, an event or a callback call. Every call ends at
// its timeout here, wherever it runs. When the worker ends (the tab that hosts it crashed), the tab
// learns it at once, fails what was pending, starts a new worker and registers again what it had
// registered. The protocol is in docs/design.md ("Shared connection"). Nothing here runs at import
// time but defining functions.

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
/** Where the tab or its worker has no Web Locks, the tab pings the worker this often (ms)... */
const PING_MS = 250;
/** ... and a worker that has not answered a ping for this long has ended (ms): it was silent for
 * 1 to 1.25 s, and the tab knows within 1.5 s. */
const GONE_MS = 1000;
/** How long a tab waits for the worker's first answer before it opens a connection of its own (ms). */
const HELLO_MS = 5000;
/** The longest delay setTimeout keeps (ms): a longer timeout is not enforced in the tab. */
const MAX_DELAY = 2147483647;
/** The package folder of this copy of the file (`.ci/finish-glue.mjs` fills it in: browser, web, ...). */
const DIR = "@PKG_DIR@";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const positive = (n) => typeof n === "number" && n > 0 && n < Infinity;

/**
 * Turns `c` (made by shared-shell.js) into a shared client: every method becomes its own
 * property. `early` lists the calls made before this module was loaded. `Base` is the package's
 * own `Client`, for a connection of the tab's own when the worker cannot be started.
 */
export function attach(c, options, early, ClientError, Base) {
  const handlers = new Map();
  const pending = new Map();      // call id -> {method, args, queue, timed, resolve, reject, cancel}
  const callbacks = new Map();    // callback id -> function
  // Registrations, by the queue name or watch id the app holds: {method, args, kept, now, aliases}
  // (`args` without their signal, to register again on a new worker; `now`: the worker's name).
  const regs = new Map();
  const setters = new Map();      // setter -> arguments, replayed on every join
  const queued = [];              // calls made while a new worker is started, sent once it is up
  let nextHandler = 0, nextCall = 0, nextCallback = 0, gen = 0, asked = 0;
  let state = "Disconnected", user = null, timeout = positive(options.timeout_ms) ? options.timeout_ms / 1000 : 30;
  let port = null, joining = null, leaveTab = null, own = null, greeted = null, joinedUrl;
  // True from the worker's end until this tab is on a new connection with its registrations back;
  // `held` is that connection's SignedIn (or Connected) until then.
  let recovering = false, held = null;

  const notConnected = () => new ClientError("the shared client is not connected", "NotConnected");
  const emit = (e) => {
    for (const h of [...handlers.values()]) {
      try { h(e); } catch (err) { console.error("openiap: event handler failed", err); }
    }
  };
  const tell = (m) => {
    try { if (port) port.postMessage(m); } catch { /* the worker is gone */ }
  };
  const free = (r) => r.kept.forEach((id) => callbacks.delete(id));

  /** An event of the connection (the worker's with its state `s` and user `u`, or the own client's). */
  function onEvent(e, s, u) {
    if (recovering && (e.event === "SignedIn" || e.event === "Connected")) {
      held = { e, s, u };
      return;
    }
    if (s !== undefined) {
      state = s;
      user = u;
    }
    if (e.event === "Disconnected") held = null;
    const r = e.event === "QueueRenamed" && regs.get(e.old);
    if (r) {
      regs.delete(e.old);
      r.aliases.add(e.old);
      regs.set(r.now = e.new, r);
    }
    emit(e);
  }

  // Arguments cross the port by structured clone: functions become callback ids (top level and
  // one level into option objects), an AbortSignal stays here. The last options object gets a
  // `{__signal: true}` marker: the worker puts the call's own AbortController's signal there, which
  // it aborts when the tab says so (the signal fired, the call timed out here). `clean` is `args`
  // without the signal, to register again after the worker ended.
  function pack(args, kept) {
    let signal, last;
    const fn = (f) => { const id = ++nextCallback; callbacks.set(id, f); kept.push(id); return { __cb: id }; };
    const clean = [];
    const out = args.map((v) => {
      clean.push(v);
      if (typeof v === "function") return fn(v);
      if (v === null || typeof v !== "object" || Array.isArray(v) || ArrayBuffer.isView(v) || v instanceof Blob ||
        v instanceof ArrayBuffer || v instanceof Date) return v;
      const o = {}, copy = {};
      for (const [k, x] of Object.entries(v)) {
        if (k === "signal" && x != null) {
          if (typeof x.aborted !== "boolean" || typeof x.addEventListener !== "function") {
            throw new ClientError("option 'signal' must be an AbortSignal", "InvalidArgument");
          }
          signal = x;
        } else {
          o[k] = typeof x === "function" ? fn(x) : x;
          copy[k] = x;
        }
      }
      clean[clean.length - 1] = copy;
      return (last = o);
    });
    if (last) last.signal = { __signal: true };
    return { out, signal, clean, options: last };
  }

  /** The call's timeout in ms (0: none here): its `timeout_ms`, or `timeout` in seconds, else the default. */
  function limit(o) {
    const ms = o && positive(o.timeout_ms) ? o.timeout_ms : o && positive(o.timeout) ? o.timeout * 1000 : timeout * 1000;
    return ms <= MAX_DELAY ? Math.max(1, ms) : 0;
  }

  function send(message) {
    try {
      port.postMessage(message);
    } catch (e) {
      throw new ClientError("cannot send to the shared worker: " + (e && e.message), "InvalidArgument");
    }
  }

  /** Forwards `method(...args)` to the worker. A registration's callbacks stay once it resolves:
   * `keep(name, callback ids, args without signal)` is called instead of freeing them. */
  function call(method, args, keep) {
    if (!port && !recovering) return Promise.reject(notConnected());
    const kept = [];
    const forget = () => kept.forEach((id) => callbacks.delete(id));
    let packed;
    try {
      packed = pack(args, kept);
    } catch (e) {
      forget();
      return Promise.reject(e);
    }
    const { out, signal, clean, options: o } = packed;
    if (signal && signal.aborted) {
      forget();
      return Promise.reject(signal.reason);
    }
    const id = ++nextCall;
    return new Promise((resolve, reject) => {
      let timer;
      const settle = (f) => {
        if (!pending.delete(id)) return false;
        clearTimeout(timer);
        if (signal) signal.removeEventListener("abort", onAbort);
        f();
        return true;
      };
      // The call ends here (its timeout, its signal, unregister_queue): the worker is told.
      const cancel = (e) => settle(() => { forget(); reject(e); tell({ t: "abort", id }); });
      const onAbort = () => cancel(signal.reason);
      const ms = method === "connect" ? 0 : limit(o);
      pending.set(id, {
        method, args, cancel, timed: ms > 0,
        queue: method === "register_queue" ? queueOf(out[0]) : undefined,
        resolve: (v) => settle(() => {
          if (keep && typeof v === "string") keep(v, kept, clean);
          else forget();
          resolve(v);
        }),
        reject: (e) => settle(() => { forget(); reject(e); }),
      });
      if (signal) signal.addEventListener("abort", onAbort, { once: true });
      if (ms) timer = setTimeout(() => cancel(new ClientError("request timed out", "Timeout")), ms);
      const m = { t: "call", id, m: method, a: out };
      if (!port) queued.push(m);
      else {
        try {
          send(m);
        } catch (e) {
          pending.get(id).reject(e);
        }
      }
    });
  }

  /** The lower-case name a register_queue call registers ("" for a temporary queue). */
  function queueOf(q) {
    const name = typeof q === "string" ? q : q && typeof q.queuename === "string" ? q.queuename : "";
    return name.toLowerCase();
  }

  /** A registration resolved to `name`: kept, to unregister it and to register it again. */
  const record = (method) => (name, kept, args) => {
    const old = regs.get(name);
    if (old) free(old); // the same named queue again: the newest callback receives
    regs.set(name, { method, args, kept, now: name, aliases: new Set() });
  };

  /** The registration of queue `name` (any case, or a name it had before a QueueRenamed). */
  function findQueue(name) {
    const key = typeof name === "string" ? name.toLowerCase() : undefined;
    for (const [k, r] of regs) {
      if (r.method !== "watch" && (k.toLowerCase() === key || r.aliases.has(name))) return [k, r];
    }
    return [];
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
    asked = 0;
    if (m.t === "res") {
      const p = pending.get(m.id);
      if (!p) return;
      if (m.e) p.reject(fromWire(ClientError, m.e));
      else p.resolve(m.v);
    } else if (m.t === "ev") {
      onEvent(m.e, m.s, m.u);
    } else if (m.t === "cb") {
      invoke(m);
    } else if (m.t === "hi" && greeted) {
      greeted(m);
    }
  }

  /** Starts the worker of this URL and these credentials; resolves to its port and the name of
   * its Web Lock once it answered `hello`. */
  function start(name, hello) {
    let timer, worker;
    return new Promise((ok, fail) => {
      greeted = (m) => (m.e ? fail(new Error("it could not load the package: " + m.e.message)) : ok({ port: worker.port, lock: m.lock }));
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
    own.on_client_event((e) => onEvent(e));
    for (const n of Object.keys(c)) {
      if (typeof c[n] === "function" && n !== "on_client_event" && n !== "off_client_event") c[n] = own[n].bind(own);
    }
    c[Symbol.dispose] = c.free;
    emit({ event: "SharedFallback", reason: `the shared worker could not be started (${why}); this tab has a connection of its own` });
    return url === undefined ? own.connect() : own.connect(url);
  }

  /** Opens the tab's port to the worker of this URL and these credentials and joins its connection. */
  async function join(url) {
    const g = gen;
    const stale = () => new ClientError("disconnected: disconnect() came before connect() finished", "Disconnected");
    joinedUrl = url;
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
    const watching = new AbortController();
    const bye = () => leave("the page went away");
    const untie = () => {
      clearInterval(ping);
      watching.abort();
      globalThis.removeEventListener && removeEventListener("pagehide", bye);
      if (release) release();
    };
    if (gen !== g) throw (untie(), stale());
    globalThis.addEventListener && addEventListener("pagehide", bye);
    leaveTab = untie;
    const opts = {};
    for (const [k, v] of Object.entries(options)) if (typeof v !== "function" && k !== "shared") opts[k] = v;
    if (url) opts.url = url;
    const tokens = typeof options.get_token === "function" ? pack([options.get_token], []).out[0].__cb : 0;
    let w;
    try {
      w = await start(name, (p) => p.postMessage({ t: "hello", lock, options: opts, tokens, ping: !lock }));
    } catch (e) {
      untie();
      leaveTab = null;
      if (gen !== g) throw stale();
      return fallback(url, e.message);
    }
    if (gen !== g) throw (w.port.close(), untie(), stale());
    port = w.port;
    asked = 0;
    // How the tab learns that the worker ended: the worker's Web Lock is granted to it (it is
    // released when the worker ends), or else the worker stops answering pings.
    const end = (why) => port === w.port && lost(why);
    if (lock && w.lock) {
      navigator.locks.request(w.lock, { signal: watching.signal }, () => end("its Web Lock was released")).catch(() => {});
    } else {
      // Judged only after two ticks since the unanswered ping: a tab that was busy itself (or a
      // hidden one, whose timers run once a second) reads the answer waiting for it first.
      let ticks = 0;
      ping = setInterval(() => {
        if (asked && ++ticks >= 2 && Date.now() - asked > GONE_MS) return end(`it did not answer for ${GONE_MS / 1000} s`);
        if (!asked) [asked, ticks] = [Date.now(), 0];
        tell({ t: "ping" });
      }, PING_MS);
    }
    for (const [k, a] of setters) tell({ t: "call", id: 0, m: k, a });
    await call("connect", []);
  }

  /** Closes the port to the worker and the tab's lock and watches; the worker drops this tab. */
  function close() {
    const p = port;
    port = null;
    if (leaveTab) leaveTab();
    leaveTab = null;
    if (!p) return;
    try { p.postMessage({ t: "bye" }); } catch { /* the worker is gone */ }
    p.close();
  }

  /** Rejects the pending calls sent to the worker, and with `all` also those waiting for one. */
  function fail(reason, all = true) {
    const waiting = new Set(all ? [] : queued.map((m) => m.id));
    if (all) queued.length = 0;
    for (const [id, p] of [...pending]) if (!waiting.has(id)) p.reject(new ClientError("disconnected: " + reason, "Disconnected"));
  }

  /** The worker ended (the tab that hosts it crashed, the browser stopped it): what was pending
   * fails, and the tab starts a new worker (or a connection of its own), registers again and
   * emits SignedIn. During the first connect() it is that connect() that fails. */
  function lost(why) {
    if (!port) return;
    const first = joining && !recovering;
    const reason = `the shared worker ended (${why})`;
    close();
    fail(reason);
    if (first || recovering) return; // the first connect() fails / the running recovery starts again
    recovering = true;
    held = null;
    state = "Disconnected";
    user = null;
    emit({ event: "Disconnected", reason });
    const g = gen;
    joining = rejoin(g).finally(() => {
      if (gen === g) joining = null;
    });
    joining.catch(() => {});
  }

  /** A new worker (or a connection of its own), then the registrations again; tried again with
   * growing pauses (up to 30 s) until it works or the app disconnects. */
  async function rejoin(g) {
    for (let pause = 500; ; pause = Math.min(pause * 2, 30000)) {
      try {
        await (own ? own.connect(joinedUrl) : join(joinedUrl));
        if (gen !== g) return;
        flush();
        await reregister(g);
        break;
      } catch (e) {
        if (gen !== g) throw e;
        // Calls made meanwhile keep waiting (up to their timeouts) for the next attempt.
        close();
        fail("the connection could not be made again: " + (e && e.message), false);
      }
      await sleep(pause * (0.5 + Math.random() / 2));
      if (gen !== g) return;
    }
    if (gen !== g) return;
    recovering = false;
    const h = held;
    held = null;
    if (h) onEvent(h.e, h.s, h.u);
  }

  /** Sends the calls made while the tab had no worker (or runs them on its own connection). */
  function flush() {
    for (const m of queued.splice(0)) {
      const p = pending.get(m.id);
      if (!p) continue;
      if (own) {
        Promise.resolve().then(() => own[p.method](...p.args)).then(p.resolve, p.reject);
        continue;
      }
      try {
        send(m);
      } catch (e) {
        p.reject(e);
      }
    }
  }

  /** Registers every registration again on the new connection, with the same callbacks: a
   * temporary queue's new name comes as QueueRenamed; a watch keeps the id the app got first. */
  function reregister(g) {
    return Promise.all([...regs].map(async ([key, r]) => {
      const cb = r.args[1];
      const args = r.method !== "watch" ? r.args : [r.args[0], (e) => {
        if (e && typeof e === "object") e.id = key;
        return cb(e);
      }, ...r.args.slice(2)];
      let name;
      try {
        name = await (own ? own[r.method](...args) : call(r.method, args, (v, kept) => {
          free(r);
          r.kept = kept;
        }));
      } catch (e) {
        if (gen !== g || regs.get(key) !== r || (e && e.kind === "Cancelled")) return;
        if (e && e.kind === "Disconnected") throw e;
        regs.delete(key);
        free(r);
        emit({ event: "Error", reason: `${r.method === "watch" ? "watch " : "queue "}${key} could not be registered again: ${e && e.message}` });
        return;
      }
      if (gen !== g) return;
      if (regs.get(key) !== r) {
        // Unregistered while it was being registered again: undone.
        if (r.method === "watch") c.unwatch(name).catch(() => {});
        else if (name !== key) c.unregister_queue(name).catch(() => {});
        return;
      }
      r.now = name;
      if (r.method !== "watch" && name !== key) {
        regs.delete(key);
        r.aliases.add(key);
        regs.set(name, r);
        emit({ event: "QueueRenamed", reason: "", old: key, new: name });
      }
    }));
  }

  /** The tab leaves the shared connection: its queues and watches go; the socket stays while
   * another tab uses it. */
  function leave(reason) {
    const was = port || recovering || joining;
    gen++;
    recovering = false;
    held = null;
    joining = null;
    close();
    fail(reason);
    // Registrations end with the tab's connection: `for await` streams over them end too.
    for (const f of callbacks.values()) if (typeof f.__end === "function") f.__end();
    callbacks.clear();
    regs.clear();
    if (!was) return;
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
      const timers = [...pending.values()].filter((p) => p.timed).length;
      return { promises: pending.size, callbacks: callbacks.size, handlers: handlers.size, timers, sockets: 0,
        listeners: port ? 1 : 0, in_flight: pending.size, outbox: queued.length, registrations: regs.size, rpc_calls: 0,
        upload_streams: 0, upload_sources: 0 };
    },
    register_queue(...a) { return call("register_queue", a, record("register_queue")); },
    register_exchange(...a) { return call("register_exchange", a, record("register_exchange")); },
    unregister_queue(name, ...rest) {
      // A registration of this name still in flight is cancelled: its promise rejects now and
      // nothing reaches its callback; the worker undoes it when the server's reply comes.
      const key = queueOf(name);
      for (const p of [...pending.values()]) {
        if (key && p.queue === key) p.cancel(new ClientError(`unregister_queue("${name}") came before the registration finished`, "Cancelled"));
      }
      // A live registration's callback receives until the reply; nothing reaches it afterwards.
      const [k, r] = findQueue(name);
      if (r) regs.delete(k);
      return call("unregister_queue", [r ? r.now : name, ...rest]).finally(() => r && free(r));
    },
    unwatch(id, ...rest) {
      const r = regs.get(id);
      if (r) regs.delete(id);
      return call("unwatch", [r ? r.now : id, ...rest]).finally(() => r && free(r));
    },
    watch(o, cb, ...rest) {
      // Without a callback: the package's async iterable, which calls back here with one.
      return cb === undefined ? Object.getPrototypeOf(c).watch.call(c, o) : call("watch", [o, cb, ...rest], record("watch"));
    },
  };

  for (const n of Object.keys(c)) {
    if (impl[n]) c[n] = impl[n];
    else if (SETTERS.has(n)) {
      c[n] = (...a) => {
        setters.set(n, a);
        if (n === "set_default_timeout" && positive(a[0])) timeout = a[0];
        tell({ t: "call", id: 0, m: n, a });
      };
    } else if (n.startsWith("__") && n !== "__call") delete c[n];
    else if (!LOCAL.has(n)) c[n] = (...a) => call(n, a);
  }
  // npm's `*_async` names: the same methods (a registration made through one is kept too).
  for (const n of Object.keys(c)) if (n.endsWith("_async") && impl[n.slice(0, -6)]) c[n] = c[n.slice(0, -6)];
  c[Symbol.dispose] = c.free;
  Object.defineProperty(c, "shared", { get: () => !own });
  // Handlers added before this module was loaded keep the ids the shell gave them.
  early.forEach(([n, a], i) => (n === "on_client_event" ? handlers.set(i + 1, a[0]) : c[n](...a)));
  nextHandler = early.length;
  return c;
}
