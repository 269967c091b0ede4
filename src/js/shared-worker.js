// The SharedWorker behind `new Client({ shared: true })` (shared.js starts it with
// `new SharedWorker(new URL("./shared-worker.js", import.meta.url), { type: "module", name })`,
// the name a hash of URL and credentials). It runs ONE package Client for every tab that reaches
// it: the first tab's options create it, each tab's calls run on it, its events go to every tab,
// queue messages go to the tab that registered the queue (round robin when several tabs register
// the same named queue, as a broker does with several consumers), and a tab's queues and watches
// are removed when the tab goes. When the last tab goes, the socket closes. Protocol and timing:
// docs/design.md ("Shared connection").
import init, { Client, ClientError } from "./openiap_wasm.js";
import { toWire, fromWire, PING_MS } from "./shared.js";

/** The marker shared.js puts where a function was; a signal stays in the tab. */
const CB = "__cb", SIGNAL = "__signal";
/** A tab without Web Locks that has not pinged for this long is gone (ms). */
const SILENT_MS = 5 * PING_MS;

const loaded = init();
/** Every tab with an open port: {port, joined, queues, watches, calls, waits, setters, seen, ...}. */
const tabs = new Set();
/** Queue name (lower case) -> {name, subs: [{tab, cb}], next, ready}: who receives a queue. */
const queues = new Map();
let client = null, connecting = null, everUp = false, waiters = [], nextWait = 0, pinger = null;

const joined = () => [...tabs].filter((t) => t.joined);
const up = () => client !== null && ["Signedin", "Connected"].includes(client.get_state());
const post = (tab, m) => {
  try { tab.port.postMessage(m); } catch (e) { console.error("openiap shared worker: cannot post to a tab", e); }
};
const event = (tab, e) => post(tab, { t: "ev", e, s: client ? client.get_state() : "Disconnected", u: client ? client.get_user() : null });

function tabsChanged() {
  const count = joined().length;
  for (const t of joined()) event(t, { event: "Tabs", reason: "", count });
}

function onClientEvent(e) {
  if (e.event === "QueueRenamed") {
    const entry = queues.get(e.old.toLowerCase());
    if (entry) {
      queues.delete(e.old.toLowerCase());
      entry.name = e.new;
      queues.set(e.new.toLowerCase(), entry);
      for (const s of entry.subs) s.tab.queues.delete(e.old) && s.tab.queues.add(e.new);
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

async function registerQueue(tab, method, args) {
  const [q, cb] = args;
  const name = method === "register_queue" ? (typeof q === "string" ? q : (q && q.queuename) || "") : "";
  const key = name.toLowerCase();
  let entry = name ? queues.get(key) : undefined;
  if (entry) {
    // Another tab (or this one again, as in the SignedIn pattern) consumes the same queue.
    await entry.ready;
    entry.subs = entry.subs.filter((s) => s.tab !== tab);
    entry.subs.push({ tab, cb });
    tab.queues.add(entry.name);
    return entry.name;
  }
  entry = { name, subs: [{ tab, cb }], next: 0 };
  const deliver = (msg) => {
    const subs = entry.subs;
    return subs.length ? subs[entry.next++ % subs.length].cb(msg) : undefined;
  };
  if (name) queues.set(key, entry);
  entry.ready = client[method](q, deliver, ...args.slice(2));
  try {
    entry.name = await entry.ready;
  } catch (e) {
    if (queues.get(key) === entry) queues.delete(key);
    throw e;
  }
  queues.set(entry.name.toLowerCase(), entry);
  tab.queues.add(entry.name);
  return entry.name;
}

/** The tab stops consuming `name`; the queue is unregistered once no tab consumes it. */
async function unsubscribe(tab, name, rest = []) {
  tab.queues.delete(name);
  const entry = queues.get(name.toLowerCase());
  if (!entry) return client.unregister_queue(name, ...rest);
  entry.subs = entry.subs.filter((s) => s.tab !== tab);
  if (entry.subs.length) return undefined;
  queues.delete(name.toLowerCase());
  return client.unregister_queue(entry.name, ...rest);
}

async function run(tab, method, args, signal) {
  if (method === "connect") return connect(tab);
  if (!client || !tab.joined) throw new ClientError("the shared client is not connected", "NotConnected");
  args = unpack(tab, method, args, signal);
  if (method === "register_queue" || method === "register_exchange") return registerQueue(tab, method, args);
  if (method === "unregister_queue") return unsubscribe(tab, args[0], args.slice(1));
  if (method === "unwatch") tab.watches.delete(args[0]);
  if (typeof client[method] !== "function" || method === "free" || method === "disconnect") {
    throw new ClientError(`the shared client has no method ${method}`);
  }
  const v = await client[method](...args);
  if (method === "watch") tab.watches.add(v);
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
    reply = { t: "res", id, v: await run(tab, m, a, ctl.signal) };
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

/** The tab is gone (closed, crashed, navigated away, or called disconnect()): its queues and
 * watches go, its pending callback calls end; the last tab takes the socket with it. */
function gone(tab) {
  if (!tabs.delete(tab)) return;
  const was = tab.joined;
  tab.joined = false;
  for (const ctl of tab.calls.values()) ctl.abort();
  for (const settle of tab.waits.values()) settle({ v: undefined });
  tab.waits.clear();
  if (client) {
    for (const q of [...tab.queues]) unsubscribe(tab, q).catch(() => {});
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
    const ctl = tab.calls.get(m.id);
    if (ctl) ctl.abort(new DOMException("aborted by the tab", "AbortError"));
  } else if (m.t === "hello") {
    tab.options = m.options;
    tab.tokens = m.tokens;
    // The tab waits for this answer (a few seconds) before it falls back to a connection of its own.
    loaded.then(() => post(tab, { t: "hi" }), (e) => post(tab, { t: "hi", e: toWire(e) }));
    if (m.lock) {
      // Granted when the tab releases its lock: on disconnect(), or when the tab is gone.
      navigator.locks.request(m.lock, () => gone(tab));
    } else {
      tab.ping = true;
      pinger ??= setInterval(() => {
        for (const t of tabs) if (t.ping && Date.now() - t.seen > SILENT_MS) gone(t);
        if (![...tabs].some((t) => t.ping)) pinger = clearInterval(pinger);
      }, PING_MS);
    }
  } else if (m.t === "bye") {
    gone(tab);
  }
}

self.onconnect = (e) => {
  const port = e.ports[0];
  const tab = { port, joined: false, queues: new Set(), watches: new Set(), calls: new Map(), waits: new Map(), setters: new Map(), seen: Date.now() };
  tabs.add(tab);
  port.onmessage = (m) => onMessage(tab, m.data);
  port.start();
};
