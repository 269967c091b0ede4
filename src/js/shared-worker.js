// The SharedWorker behind `new Client({ shared: true })` (shared.js starts it with
// `new SharedWorker(new URL("./shared-worker.js", import.meta.url), { type: "module", name })`,
// the name the package version and a hash of URL and credentials). It runs ONE package Client
// for every tab that reaches it: the first tab's options create it, each tab's calls run on it,
// its events go to every tab, queue messages go to the tab that registered the queue (round robin
// when several tabs register the same named queue, as a broker does with several consumers), and
// a tab's queues and watches are removed when the tab goes. When the last tab goes, the socket
// closes. The worker holds a Web Lock for as long as it lives, which every tab waits for: a tab
// learns at once when the worker ends. Protocol and timing: docs/design.md ("Shared connection").
import init, { Client, ClientError } from "./openiap_wasm.js";
import { toWire, fromWire } from "./shared.js";
// Not needed here, but in the worker's module graph with the glue's two `import()`s (shared.js
// above): a bundler that builds the worker as one script (Vite's default worker format, IIFE)
// then needs no chunk for them, which that format cannot have. The binding is used below, or
// tree-shaking drops the import (and Vite's build fails: "IIFE ... not supported for
// code-splitting builds").
import { live as liveEngine } from "./live-engine.js";

/** The marker shared.js puts where a function was; a signal stays in the tab. */
const CB = "__cb", SIGNAL = "__signal";
/** A tab without Web Locks that has not pinged for this long is gone (ms). */
const SILENT_MS = 5000;

const loaded = init();
if (typeof liveEngine !== "function") throw new Error("shared-worker.js: live-engine.js has no live()");
/** The name of the Web Lock this worker holds until it ends ("" where there are no Web Locks),
 * sent to every tab in `hi`. The lock is held before the first `hi` goes out. */
const lock = new Promise((held) => {
  if (!(globalThis.navigator && navigator.locks)) return held("");
  const name = "openiap-worker-" + Math.random().toString(36).slice(2) + Date.now().toString(36);
  navigator.locks.request(name, () => (held(name), new Promise(() => {}))).catch(() => held(""));
});
/** Every tab with an open port: {port, joined, watches, calls, regs, waits, setters, seen, ...}. */
const tabs = new Set();
/**
 * Queue name (lower case) -> entry {key, name, subs: [{tab, cb}], next, ready, live, drop}: who
 * receives a queue. An entry whose registration is in flight (`live` false) stays until the
 * server's reply, even when every tab that asked for it cancelled: the worker never unregisters a
 * registration in flight, it unregisters it once the reply is there, unless a tab asked for the
 * queue again meanwhile. An entry being unregistered (`drop`) takes no new tab: a registration of
 * the same name waits for it and registers anew. A temporary queue in flight has a key of its own.
 */
const queues = new Map();
let client = null, connecting = null, everUp = false, waiters = [], nextWait = 0, nextKey = 0, pinger = null;

const joined = () => [...tabs].filter((t) => t.joined);
const up = () => client !== null && ["Signedin", "Connected"].includes(client.get_state());
const post = (tab, m) => {
  try { tab.port.postMessage(m); } catch (e) { console.error("openiap shared worker: cannot post to a tab", e); }
};
const event = (tab, e) => post(tab, { t: "ev", e, s: client ? client.get_state() : "Disconnected", u: client ? client.get_user() : null });
/** `f()`'s promise, or a rejected one when it throws. */
const attempt = (f) => {
  try { return Promise.resolve(f()); } catch (e) { return Promise.reject(e); }
};
const cancelled = () => new ClientError("the registration was cancelled before it finished (unregister_queue, its AbortSignal or its tab went)", "Cancelled");

function tabsChanged() {
  const count = joined().length;
  for (const t of joined()) event(t, { event: "Tabs", reason: "", count });
}

function onClientEvent(e) {
  if (e.event === "QueueRenamed") {
    const entry = queues.get(e.old.toLowerCase());
    if (entry) {
      queues.delete(entry.key);
      entry.name = e.new;
      entry.key = e.new.toLowerCase();
      queues.set(entry.key, entry);
    }
  }
  if (e.event === "Disconnected" && / gave up /.test(e.reason)) everUp = false;
  for (const t of joined()) event(t, e);
  if (up()) {
    everUp = true;
    const w = waiters;
    waiters = [];
    w.forEach((resolve) => resolve());
  }
}

/** A function the worker's client calls that runs a tab's callback there. A reply is waited for
 * only when one is wanted (a message with `replyto`, the token callback). */
function remote(tab, cb, method) {
  return (...a) => {
    if (!tabs.has(tab)) return undefined;
    const wants = method === "get_token" || (method !== "watch" && a[0] && a[0].replyto);
    if (!wants) return post(tab, { t: "cb", cb, a });
    const id = ++nextWait;
    return new Promise((resolve, reject) => {
      tab.waits.set(id, (m) => (m.e ? reject(fromWire(ClientError, m.e)) : resolve(m.v)));
      post(tab, { t: "cb", cb, id, a });
    });
  };
}

/** The call's arguments with the tab's callbacks and the call's AbortSignal put back. */
function unpack(tab, method, args, signal) {
  return args.map((v) => {
    if (v === null || typeof v !== "object" || Object.getPrototypeOf(v) !== Object.prototype) return v;
    if (v[CB]) return remote(tab, v[CB], method);
    for (const [k, x] of Object.entries(v)) {
      if (x && typeof x === "object" && x[CB]) v[k] = remote(tab, x[CB], method);
      else if (x && typeof x === "object" && x[SIGNAL]) v[k] = signal;
    }
    return v;
  });
}

/** The tab joins the connection: the first tab creates the client; a tab that comes while it is
 * up gets the current state at once; during a reconnect, it waits for the next sign-in. */
async function connect(tab) {
  await loaded;
  if (!client) {
    const options = { ...tab.options };
    if (tab.tokens) options.get_token = () => token();
    client = new Client(options);
    client.on_client_event(onClientEvent);
    for (const [m, a] of tab.setters) client[m](...a);
  }
  if (up()) {
    if (!tab.joined) {
      tab.joined = true;
      event(tab, { event: client.get_state() === "Signedin" ? "SignedIn" : "Connected", reason: "" });
      tabsChanged();
    }
    return;
  }
  const first = !tab.joined;
  tab.joined = true;
  if (first) tabsChanged();
  try {
    if (everUp) await new Promise((resolve) => waiters.push(resolve));
    else await (connecting ??= client.connect().finally(() => { connecting = null; }));
  } catch (e) {
    tab.joined = false;
    if (!joined().length) shutdown();
    else tabsChanged();
    throw e;
  }
}

/** The token callback of a tab that has one (the first tab's may have closed). */
function token() {
  const tab = joined().find((t) => t.tokens);
  if (!tab) return Promise.reject(new ClientError("no open tab provides get_token", "Signin"));
  return remote(tab, tab.tokens, "get_token")();
}

/** Registers a queue or exchange for `tab` (call `id`): a named queue other tabs consume already
 * (or are registering) gets this tab as one more consumer; anything else is registered. Resolves
 * to the queue name once the server registered it and this tab still wants it. */
async function registerQueue(tab, id, method, args, signal) {
  const [q, cb, ...rest] = args;
  // The call's signal stays with this tab's part: one tab must not cancel what others share.
  for (const o of [q, ...rest]) if (o && typeof o === "object" && o.signal === signal) delete o.signal;
  const name = method === "register_queue" ? (typeof q === "string" ? q : (q && q.queuename) || "") : "";
  let entry = name ? queues.get(name.toLowerCase()) : undefined;
  while (entry && entry.drop) {
    await entry.drop.catch(() => {});
    entry = queues.get(name.toLowerCase());
  }
  if (signal.aborted || !tabs.has(tab) || !client) throw cancelled();
  if (!entry) {
    const e = { key: name ? name.toLowerCase() : "\0" + ++nextKey, name, subs: [], next: 0, live: false, drop: null };
    e.ready = attempt(() => client[method](q, (msg) => deliver(e, msg), ...rest));
    e.ready.then((n) => registered(e, n), () => queues.get(e.key) === e && queues.delete(e.key));
    queues.set(e.key, entry = e);
  }
  const sub = { tab, cb, entry };
  entry.subs.push(sub);
  const onAbort = () => leaveQueue(sub);
  signal.addEventListener("abort", onAbort);
  try {
    await entry.ready;
  } catch (e) {
    entry.subs = entry.subs.filter((s) => s !== sub);
    throw e;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  if (!entry.subs.includes(sub)) throw cancelled();
  // The tab registered the name again (the SignedIn pattern): its newest registration receives.
  entry.subs = entry.subs.filter((s) => s === sub || s.tab !== tab || !s.live);
  sub.live = true;
  for (const [k, r] of tab.regs) if (r.entry === entry) tab.regs.delete(k);
  tab.regs.set(id, sub);
  return entry.name;
}

/** A message of `entry`'s queue to its next tab (each tab's newest registration). */
function deliver(entry, msg) {
  const seen = new Set(), subs = [];
  for (let i = entry.subs.length; i--;) {
    const s = entry.subs[i];
    if (seen.has(s.tab)) continue;
    seen.add(s.tab);
    subs.unshift(s);
  }
  return subs.length ? subs[entry.next++ % subs.length].cb(msg) : undefined;
}

/** The server registered `entry` as `name`: unregistered again at once when no tab wants it now. */
function registered(entry, name) {
  if (queues.get(entry.key) !== entry) return; // the client was shut down meanwhile
  queues.delete(entry.key);
  entry.name = name;
  entry.key = name.toLowerCase();
  entry.live = true;
  queues.set(entry.key, entry);
  if (!entry.subs.length) drop(entry).catch(() => {});
}

/** Unregisters `entry` at the server; `last` (the tabs that just left) receive until the reply. */
function drop(entry, rest = [], last = []) {
  entry.subs = last;
  entry.drop = attempt(() => client.unregister_queue(entry.name, ...rest)).finally(() => {
    entry.subs = [];
    if (queues.get(entry.key) === entry) queues.delete(entry.key);
  });
  return entry.drop;
}

/** One registration `sub` ends (its call was aborted, its tab went): the queue is unregistered
 * when it was the last one, or once the server's reply comes if it is still in flight. */
function leaveQueue(sub) {
  const entry = sub.entry;
  if (entry.drop || !entry.subs.includes(sub)) return;
  entry.subs = entry.subs.filter((s) => s !== sub);
  if (!entry.subs.length && entry.live) drop(entry).catch(() => {});
}

/** The tab stops consuming `name` (all its registrations of it); the queue is unregistered once
 * no tab consumes it. A queue that is not registered through this worker goes to the client. */
async function unsubscribe(tab, name, rest) {
  const entry = typeof name === "string" ? queues.get(name.toLowerCase()) : undefined;
  if (!entry) return client.unregister_queue(name, ...rest);
  for (const [id, s] of tab.regs) if (s.entry === entry) tab.regs.delete(id);
  if (entry.drop) return entry.drop;
  const mine = entry.subs.filter((s) => s.tab === tab);
  entry.subs = entry.subs.filter((s) => s.tab !== tab);
  if (entry.subs.length || !entry.live) return undefined;
  return drop(entry, rest, mine);
}

async function run(tab, id, method, args, signal) {
  if (method === "connect") return connect(tab);
  if (!client || !tab.joined) throw new ClientError("the shared client is not connected", "NotConnected");
  args = unpack(tab, method, args, signal);
  if (method === "register_queue" || method === "register_exchange") return registerQueue(tab, id, method, args, signal);
  if (method === "unregister_queue") return unsubscribe(tab, args[0], args.slice(1));
  if (method === "unwatch") tab.watches.delete(args[0]);
  if (typeof client[method] !== "function" || method === "free" || method === "disconnect") {
    throw new ClientError(`the shared client has no method ${method}`);
  }
  const v = await client[method](...args);
  if (method === "watch") {
    // A watch whose call ended meanwhile (aborted, timed out in the tab, the tab went) is undone.
    if (signal.aborted || !tabs.has(tab)) {
      if (client) client.unwatch(v).catch(() => {});
      throw cancelled();
    }
    tab.watches.add(v);
    tab.regs.set(id, { watch: v });
  }
  return v;
}

async function call(tab, { id, m, a }) {
  if (id === 0) {
    // A setter: applies to the shared connection (kept for the client if it does not exist yet).
    tab.setters.set(m, a);
    if (client) client[m](...a);
    return;
  }
  const ctl = new AbortController();
  tab.calls.set(id, ctl);
  let reply;
  try {
    reply = { t: "res", id, v: await run(tab, id, m, a, ctl.signal) };
  } catch (e) {
    reply = { t: "res", id, e: toWire(e) };
  } finally {
    tab.calls.delete(id);
  }
  if (tabs.has(tab)) {
    try {
      tab.port.postMessage(reply);
    } catch (e) {
      post(tab, { t: "res", id, e: toWire(new ClientError("the result cannot be sent to the tab: " + e.message, "Protocol")) });
    }
  }
}

/** The tab ended call `id` (its timeout, its AbortSignal, unregister_queue before the reply):
 * a call still running is aborted; a registration it made is undone. */
function abort(tab, id) {
  const ctl = tab.calls.get(id);
  if (ctl) return ctl.abort(new DOMException("aborted by the tab", "AbortError"));
  const r = tab.regs.get(id);
  tab.regs.delete(id);
  if (r && r.watch !== undefined) {
    if (tab.watches.delete(r.watch) && client) client.unwatch(r.watch).catch(() => {});
  } else if (r) {
    leaveQueue(r);
  }
}

/** The tab is gone (closed, crashed, navigated away, or called disconnect()): its queues and
 * watches go, its pending calls and callback calls end; the last tab takes the socket with it. */
function gone(tab) {
  if (!tabs.delete(tab)) return;
  const was = tab.joined;
  tab.joined = false;
  for (const ctl of tab.calls.values()) ctl.abort();
  for (const settle of tab.waits.values()) settle({ v: undefined });
  tab.waits.clear();
  if (client) {
    for (const entry of [...queues.values()]) for (const s of entry.subs) if (s.tab === tab) leaveQueue(s);
    for (const w of tab.watches) client.unwatch(w).catch(() => {});
  }
  try { tab.port.close(); } catch { /* closed already */ }
  if (!joined().length) shutdown();
  else if (was) tabsChanged();
}

function shutdown() {
  if (client) {
    const c = client;
    client = null;
    c.disconnect();
    c.free();
  }
  connecting = null;
  everUp = false;
  waiters = [];
  queues.clear();
}

function onMessage(tab, m) {
  tab.seen = Date.now();
  if (m.t === "call") call(tab, m);
  else if (m.t === "ret") {
    const settle = tab.waits.get(m.id);
    tab.waits.delete(m.id);
    if (settle) settle(m);
  } else if (m.t === "abort") {
    abort(tab, m.id);
  } else if (m.t === "ping") {
    post(tab, { t: "pong" });
  } else if (m.t === "hello") {
    tab.options = m.options;
    tab.tokens = m.tokens;
    // The tab waits for this answer (a few seconds) before it falls back to a connection of its
    // own; `lock` is the worker's Web Lock, which the tab waits for to learn that the worker ended.
    Promise.all([loaded, lock]).then(([, l]) => post(tab, { t: "hi", lock: l }), (e) => post(tab, { t: "hi", e: toWire(e) }));
    if (m.lock) {
      // Granted when the tab releases its lock: on disconnect(), or when the tab is gone.
      navigator.locks.request(m.lock, () => gone(tab));
    } else {
      tab.ping = true;
      pinger ??= setInterval(() => {
        for (const t of tabs) if (t.ping && Date.now() - t.seen > SILENT_MS) gone(t);
        if (![...tabs].some((t) => t.ping)) pinger = clearInterval(pinger);
      }, 1000);
    }
  } else if (m.t === "bye") {
    gone(tab);
  }
}

self.onconnect = (e) => {
  const port = e.ports[0];
  const tab = { port, joined: false, watches: new Set(), calls: new Map(), regs: new Map(), waits: new Map(), setters: new Map(), seen: Date.now() };
  tabs.add(tab);
  port.onmessage = (m) => onMessage(tab, m.data);
  port.start();
};
